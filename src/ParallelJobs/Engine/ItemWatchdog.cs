using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// Enforces the per-item timeout for a whole run with one dedicated thread: the engine registers each
/// attempt it begins, and the watchdog tells the attempt when it outlives its deadline.
/// </summary>
internal sealed class ItemWatchdog : IDisposable
{
    // Guards _active, _nextSlot and _stopped.
    private readonly object _lock = new();
    private readonly Dictionary<int, (long Deadline, ItemAttempt Attempt)> _active = new();
    private readonly long _timeoutTicks;
    private readonly Thread _thread;
    private int _nextSlot;
    private bool _stopped;

    public ItemWatchdog(TimeSpan timeout)
    {
        Timeout = timeout;
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Watch) { IsBackground = true, Name = "ParallelJobs item watchdog" };
        _thread.Start();
    }

    public TimeSpan Timeout { get; }

    public int Begin(ItemAttempt attempt)
    {
        lock (_lock)
        {
            int slot = _nextSlot++;
            _active[slot] = (Stopwatch.GetTimestamp() + _timeoutTicks, attempt);
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
        var expired = new List<ItemAttempt>();
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
                foreach (KeyValuePair<int, (long Deadline, ItemAttempt Attempt)> entry in _active)
                {
                    if (entry.Value.Deadline <= now)
                    {
                        late.Add(entry.Key);
                        expired.Add(entry.Value.Attempt);
                    }
                }

                foreach (int slot in late)
                {
                    _active.Remove(slot);
                }

                late.Clear();
                if (expired.Count == 0)
                {
                    Monitor.Wait(_lock, 20);
                    continue;
                }
            }

            // Outside the lock: stopping an attempt may call into runners that begin new attempts.
            foreach (ItemAttempt attempt in expired)
            {
                attempt.OnDeadline();
            }

            expired.Clear();
        }
    }
}
