using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// Enforces the per-item timeout for a whole run with one dedicated thread: a runner registers the item
/// it starts with an abort action, and the watchdog calls that action if the item outlives its deadline.
/// </summary>
internal sealed class ItemWatchdog : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<int, (long Deadline, Action Abort)> _active = new();
    private readonly long _timeoutTicks;
    private readonly Thread _thread;
    private int _nextSlot;
    private bool _stopped;

    public ItemWatchdog(TimeSpan timeout)
    {
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Watch) { IsBackground = true, Name = "ParallelJobs item watchdog" };
        _thread.Start();
    }

    public TimeSpan Timeout => TimeSpan.FromSeconds(_timeoutTicks / (double)Stopwatch.Frequency);

    public int Begin(Action abort)
    {
        lock (_lock)
        {
            int slot = _nextSlot++;
            _active[slot] = (Stopwatch.GetTimestamp() + _timeoutTicks, abort);
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
        var expired = new List<Action>();
        while (true)
        {
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }

                long now = Stopwatch.GetTimestamp();
                var late = new List<int>();
                foreach (KeyValuePair<int, (long Deadline, Action Abort)> entry in _active)
                {
                    if (entry.Value.Deadline <= now)
                    {
                        late.Add(entry.Key);
                        expired.Add(entry.Value.Abort);
                    }
                }

                foreach (int slot in late)
                {
                    _active.Remove(slot);
                }

                if (expired.Count == 0)
                {
                    Monitor.Wait(_lock, 20);
                    continue;
                }
            }

            // Outside the lock: an abort may call back into runners that register new items.
            foreach (Action abort in expired)
            {
                abort();
            }

            expired.Clear();
        }
    }
}
