using System;
using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>
/// The run's overall progress bar: done out of total, failures, rate and time left. It is updated on the
/// pipeline thread at most four times a second, and first shown after a quarter second, so quick runs
/// never flicker and busy ones pay for a clock read per drain: the coarse tick count, which costs a few
/// nanoseconds, where a Stopwatch read is a call into the OS.
/// </summary>
internal sealed class ProgressReporter
{
    /// <summary>The bar's activity id; items' own progress records are shown under it.</summary>
    public const int ActivityId = 0x50A1;

    private const long IntervalMs = 250;

    private readonly string _activity;
    private readonly int _started = Environment.TickCount;
    private int _lastShown;
    private bool _shown;

    public ProgressReporter(string activity)
    {
        _activity = activity;
    }

    /// <summary>The number of items, once known (input ended, or an array was given).</summary>
    public long? Total { get; set; }

    /// <summary>Returns a record to write when one is due, else null.</summary>
    public ProgressRecord? Tick(long done, int failed)
    {
        // Unchecked differences stay right across the tick count's wrap-around.
        int now = unchecked(Environment.TickCount - _started);
        if (unchecked(now - _lastShown) < IntervalMs)
        {
            return null;
        }

        _lastShown = now;
        _shown = true;
        double seconds = Math.Max(0.001, now / 1000.0);
        double rate = done / seconds;
        string of = Total is { } total ? $"{done} of {total}" : $"{done}";
        var record = new ProgressRecord(ActivityId, _activity, $"{of} items done, {failed} failed, {rate:0.#}/s");
        if (Total is { } known && known > 0)
        {
            record.PercentComplete = (int)Math.Min(100, done * 100 / known);
            if (rate > 0 && done > 0)
            {
                record.SecondsRemaining = (int)Math.Ceiling((known - done) / rate);
            }
        }

        return record;
    }

    /// <summary>The record that removes the bar, or null when it was never shown.</summary>
    public ProgressRecord? Complete() =>
        _shown ? new ProgressRecord(ActivityId, _activity, "Done") { RecordType = ProgressRecordType.Completed } : null;
}
