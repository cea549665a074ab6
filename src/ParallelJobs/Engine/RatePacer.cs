using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// Paces starts per key (a host, or "" for a whole run): at most one start per interval for each key, so a rate of
/// N per second is N evenly spaced starts (a token bucket that holds one token). A pause a server asks for
/// (Retry-After on a 429 or 503) holds back every later start for that key, not only the item that got it.
/// Thread-safe; callers wait on their own dedicated worker thread.
/// </summary>
internal sealed class RatePacer
{
    // Keys are hosts a run contacts; a crawl bounds them by its own host limit.
    private readonly Dictionary<string, TimeSpan> _next = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _interval;

    /// <param name="perSecond">Starts per second for each key; 0 or less paces nothing (pauses still apply).</param>
    public RatePacer(double perSecond)
    {
        _interval = perSecond > 0 ? TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond / perSecond)) : TimeSpan.Zero;
    }

    /// <summary>Starts per second this pacer was made with (0: none).</summary>
    public double PerSecond => _interval > TimeSpan.Zero ? TimeSpan.TicksPerSecond / (double)_interval.Ticks : 0;

    /// <summary>
    /// Takes the key's next start slot and says how long the caller must wait for it. <paramref name="interval"/>
    /// overrides the pacer's own spacing for this key when it is longer (robots.txt Crawl-delay).
    /// </summary>
    public TimeSpan Reserve(string key, TimeSpan interval = default)
    {
        TimeSpan spacing = interval > _interval ? interval : _interval;
        lock (_lock)
        {
            TimeSpan now = _clock.Elapsed;
            TimeSpan start = _next.TryGetValue(key, out TimeSpan next) && next > now ? next : now;
            if (spacing > TimeSpan.Zero || start > now)
            {
                _next[key] = start + spacing;
            }

            return start - now;
        }
    }

    /// <summary>Holds back every start for the key that has not begun yet until <paramref name="delay"/> from now.</summary>
    public void Pause(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            TimeSpan until = _clock.Elapsed + delay;
            if (!_next.TryGetValue(key, out TimeSpan next) || next < until)
            {
                _next[key] = until;
            }
        }
    }

    /// <summary>
    /// Dedicated worker thread: waits for the key's next slot. False when the token was cancelled first, so the
    /// caller starts nothing.
    /// </summary>
    public bool Wait(string key, CancellationToken token, TimeSpan interval = default)
    {
        TimeSpan delay = Reserve(key, interval);
        return delay <= TimeSpan.Zero ? !token.IsCancellationRequested : !token.WaitHandle.WaitOne(delay);
    }
}
