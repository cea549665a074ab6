using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// Enforces the per-item timeout for a whole run with one dedicated thread: the engine registers each
/// attempt it begins, and the watchdog tells the attempt when it outlives its deadline; if the attempt
/// has still not ended a grace period later (the stop did not reach it), it tells it that too.
/// </summary>
internal sealed class ItemWatchdog : IDisposable
{
    // Guards _active, _nextSlot and _stopped.
    private readonly object _lock = new();
    private readonly Dictionary<int, Entry> _active = new();
    private readonly long _timeoutTicks;
    private readonly long _graceTicks;
    private readonly Thread _thread;
    private int _nextSlot;
    private bool _stopped;

    public ItemWatchdog(TimeSpan timeout, TimeSpan grace)
    {
        Timeout = timeout;
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _graceTicks = (long)(grace.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Watch) { IsBackground = true, Name = "ParallelJobs item watchdog" };
        _thread.Start();
    }

    public TimeSpan Timeout { get; }

    public int Begin(ItemAttempt attempt)
    {
        lock (_lock)
        {
            int slot = _nextSlot++;
            _active[slot] = new Entry(Stopwatch.GetTimestamp() + _timeoutTicks, attempt, graceOver: false);
            return slot;
        }
    }

    public void End(int slot)
    {
        lock (_lock)
        {
            _active.Remove(slot);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
            Monitor.PulseAll(_lock);
        }

        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Watch()
    {
        var expired = new List<Entry>();
        var late = new List<int>();
        while (true)
        {
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }

                long now = Stopwatch.GetTimestamp();
                foreach (KeyValuePair<int, Entry> entry in _active)
                {
                    if (entry.Value.Deadline <= now)
                    {
                        late.Add(entry.Key);
                        expired.Add(entry.Value);
                    }
                }

                foreach (int slot in late)
                {
                    Entry entry = _active[slot];
                    if (entry.GraceOver)
                    {
                        _active.Remove(slot);
                    }
                    else
                    {
                        // Watched once more: the attempt removes it when it ends.
                        _active[slot] = new Entry(now + _graceTicks, entry.Attempt, graceOver: true);
                    }
                }

                late.Clear();
                if (expired.Count == 0)
                {
                    Monitor.Wait(_lock, 20);
                    continue;
                }
            }

            // Outside the lock: stopping an attempt may call into runners that begin new attempts.
            foreach (Entry entry in expired)
            {
                if (entry.GraceOver)
                {
                    entry.Attempt.OnGraceOver();
                }
                else
                {
                    entry.Attempt.OnDeadline();
                }
            }

            expired.Clear();
        }
    }

    private readonly struct Entry
    {
        public Entry(long deadline, ItemAttempt attempt, bool graceOver)
        {
            Deadline = deadline;
            Attempt = attempt;
            GraceOver = graceOver;
        }

        public long Deadline { get; }

        public ItemAttempt Attempt { get; }

        /// <summary>False: the item timeout is watched; true: the grace after its stop.</summary>
        public bool GraceOver { get; }
    }
}
