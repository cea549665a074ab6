using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ParallelJobs.Scripting;

/// <summary>
/// Idle workers of one kind (runspaces, worker processes, SSH sessions) kept warm between calls under the
/// rules of <see cref="WarmPool"/>: taken by pool key, closed after the idle timeout or beyond the limit.
/// </summary>
internal sealed class IdleShelf<T>
    where T : class
{
    private readonly object _lock = new();
    private readonly List<T> _idle = new();
    private readonly Func<T, string> _key;
    private readonly Func<T, bool> _usable;
    private readonly Func<T, DateTime> _lastUsed;
    private readonly Action<T> _close;
    private Timer? _timer;

    public IdleShelf(Func<T, string> key, Func<T, bool> usable, Func<T, DateTime> lastUsed, Action<T> close)
    {
        _key = key;
        _usable = usable;
        _lastUsed = lastUsed;
        _close = close;
    }

    public T? TryTake(string poolKey)
    {
        lock (_lock)
        {
            for (int i = _idle.Count - 1; i >= 0; i--)
            {
                T candidate = _idle[i];
                if (_key(candidate) == poolKey)
                {
                    _idle.RemoveAt(i);
                    if (_usable(candidate))
                    {
                        return candidate;
                    }

                    Close(candidate);
                }
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="worker"/> for the next call, or closes it when it cannot be kept.</summary>
    public void Return(T worker)
    {
        if (!_usable(worker) || WarmPool.IdleTimeout <= TimeSpan.Zero)
        {
            Close(worker);
            return;
        }

        T? surplus = null;
        lock (_lock)
        {
            _idle.Add(worker);
            if (_idle.Count > WarmPool.MaxIdle)
            {
                surplus = _idle[0];
                _idle.RemoveAt(0);
            }

            _timer ??= new Timer(_ => Expire(), null, Timeout.Infinite, Timeout.Infinite);
            _timer.Change(WarmPool.IdleTimeout + TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        }

        if (surplus is not null)
        {
            Close(surplus);
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return _idle.ToArray();
        }
    }

    /// <summary>Applies a changed timeout or limit to the workers already idle.</summary>
    public void Reschedule()
    {
        while (true)
        {
            T? surplus = null;
            lock (_lock)
            {
                if (_idle.Count > WarmPool.MaxIdle)
                {
                    surplus = _idle[0];
                    _idle.RemoveAt(0);
                }
            }

            if (surplus is null)
            {
                break;
            }

            Close(surplus);
        }

        Expire();
    }

    /// <summary>Closes every idle worker; returns how many.</summary>
    public int Clear() => Remove(_ => true);

    private void Expire()
    {
        DateTime cutoff = DateTime.Now - WarmPool.IdleTimeout;
        Remove(w => _lastUsed(w) <= cutoff);
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                DateTime oldest = _idle.Min(_lastUsed);
                TimeSpan due = oldest + WarmPool.IdleTimeout - DateTime.Now;
                _timer?.Change(due > TimeSpan.Zero ? due : TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private int Remove(Func<T, bool> which)
    {
        List<T> removed;
        lock (_lock)
        {
            removed = _idle.Where(which).ToList();
            _idle.RemoveAll(w => removed.Contains(w));
        }

        foreach (T worker in removed)
        {
            Close(worker);
        }

        return removed.Count;
    }

    private void Close(T worker)
    {
        try
        {
            _close(worker);
        }
        catch (Exception)
        {
            // A worker that cannot be closed cleanly is let go.
        }
    }
}
