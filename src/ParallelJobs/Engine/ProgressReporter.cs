using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>
/// The run's progress bar: done, running and failed items out of the total (or "so far" while input may
/// still bring more), the rate, the time elapsed and an estimate of the time left; under it, the oldest items
/// that have run for a while, each with its elapsed time. First shown a quarter second into the run, so quick
/// runs never flicker, then refreshed about twice a second: the pump wakes on a timer for it
/// (<see cref="WakeMilliseconds"/>), so the bar moves while no item completes. <see cref="IsDue"/> is asked
/// on every drain and costs a read of the coarse tick count, which is a few nanoseconds.
/// </summary>
internal sealed class ProgressReporter
{
    /// <summary>The bar's activity id; items' own progress records are shown under it, with ids above it.</summary>
    public const int ActivityId = 0x50A1;

    /// <summary>How many of the oldest long-running items are shown under the bar.</summary>
    public const int Slots = 3;

    /// <summary>How often the pump wakes to refresh the bar while nothing else wakes it.</summary>
    public const int WakeMilliseconds = 250;

    private const int FirstShowMs = 250;
    private const int RefreshMs = 500;

    /// <summary>An item running this long gets a record of its own under the bar.</summary>
    private static readonly TimeSpan LongItem = TimeSpan.FromSeconds(1);

    private readonly string _activity;
    private readonly Func<int> _clock;
    private readonly int _started;
    private int _lastShown;
    private bool _shown;
    private int _slotsShown;

    /// <param name="clock">Milliseconds, wrapping as <see cref="Environment.TickCount"/> does; for tests.</param>
    public ProgressReporter(string activity, Func<int>? clock = null)
    {
        _activity = activity;
        _clock = clock ?? (() => Environment.TickCount);
        _started = _clock();
    }

    /// <summary>The number of items when the cmdlet knows it before input ends (an array was given).</summary>
    public long? Total { get; set; }

    /// <summary>True when the bar should be written now.</summary>
    public bool IsDue
    {
        get
        {
            // Unchecked differences stay right across the tick count's wrap-around.
            int now = unchecked(_clock() - _started);
            return _shown ? unchecked(now - _lastShown) >= RefreshMs : now >= FirstShowMs;
        }
    }

    /// <summary>The records to write for <paramref name="state"/>: the bar, then one per shown item slot.</summary>
    public List<ProgressRecord> Render(ProgressSnapshot state)
    {
        int now = unchecked(_clock() - _started);
        _lastShown = now;
        _shown = true;
        double seconds = Math.Max(0.001, now / 1000.0);
        long? total = state.Total ?? Total;
        if (total is { } t && t < state.Done + state.Running.Count)
        {
            // Refills ($ParallelJob.Add) and input read since the cmdlet counted it.
            total = state.Done + state.Running.Count;
        }

        var status = new System.Text.StringBuilder();
        status.Append(total is { } known
            ? string.Format(CultureInfo.InvariantCulture, "{0} of {1} done", state.Done, known)
            : string.Format(CultureInfo.InvariantCulture, "{0} done so far", state.Done));
        status.AppendFormat(CultureInfo.InvariantCulture, ", {0} running, {1} failed", state.Running.Count, state.Failed);
        if (state.Done > 0)
        {
            status.AppendFormat(CultureInfo.InvariantCulture, ", {0:0.#}/s", state.Done / seconds);
        }

        status.Append(", ").Append(Duration(TimeSpan.FromMilliseconds(now))).Append(" elapsed");
        var records = new List<ProgressRecord>(1 + Slots);
        var bar = new ProgressRecord(ActivityId, _activity, status.ToString());
        if (total is { } all && all > 0)
        {
            bar.PercentComplete = (int)Math.Min(100, state.Done * 100 / all);
            if (Estimate(state, all) is { } left)
            {
                bar.SecondsRemaining = left;
            }
        }

        records.Add(bar);
        AddSlots(state.Running, records);
        return records;
    }

    /// <summary>The records that remove the bar and its item slots; none when the bar was never shown.</summary>
    public List<ProgressRecord> Complete()
    {
        var records = new List<ProgressRecord>();
        if (!_shown)
        {
            return records;
        }

        for (int slot = 0; slot < _slotsShown; slot++)
        {
            records.Add(Completed(SlotId(slot), _activity));
        }

        _slotsShown = 0;
        records.Add(Completed(ActivityId, _activity));
        _shown = false;
        return records;
    }

    /// <summary>The id of an item slot: below the bar's, where the items' own records (above it) never go.</summary>
    internal static int SlotId(int slot) => ActivityId - 1 - slot;

    internal static ProgressRecord Completed(int id, string activity) =>
        new(id, activity, "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = id == ActivityId ? -1 : ActivityId };

    /// <summary>
    /// Seconds left: the work left (the queued items at the mean item time, and each running item's mean time
    /// less what it has run) spread over the workers, and never less than the running item furthest from its
    /// end. Running items move it down between completions. Null before any item has finished.
    /// </summary>
    internal static int? Estimate(ProgressSnapshot state, long total)
    {
        if (state.MeanSeconds is not { } mean)
        {
            return null;
        }

        long queued = Math.Max(0, total - state.Done - state.Running.Count);
        double work = queued * mean;
        double longest = 0;
        foreach (RunningItem item in state.Running)
        {
            // An item already past the mean is expected to end soon: a tenth of the mean, not nothing.
            double left = Math.Max(mean - item.Elapsed.TotalSeconds, mean / 10);
            work += left;
            longest = Math.Max(longest, left);
        }

        long lanes = Math.Max(1, Math.Min(state.Width, queued + state.Running.Count));
        double seconds = Math.Max(work / lanes, longest);
        return (int)Math.Min(int.MaxValue, Math.Ceiling(seconds));
    }

    private void AddSlots(IReadOnlyList<RunningItem> running, List<ProgressRecord> records)
    {
        var oldest = new List<RunningItem>(Slots);
        foreach (RunningItem item in running)
        {
            if (oldest.Count == Slots || item.Elapsed < LongItem)
            {
                // Longest-running first: the rest are younger still.
                break;
            }

            oldest.Add(item);
        }

        // Shown in input order, so that a slot keeps its item while the same ones run.
        oldest.Sort((a, b) => a.Index.CompareTo(b.Index));
        int used = 0;
        foreach (RunningItem item in oldest)
        {
            string activity = "[" + item.Index.ToString(CultureInfo.InvariantCulture) + "] " + ItemLabel.For(item.Input);
            records.Add(new ProgressRecord(SlotId(used), activity, "running for " + Duration(item.Elapsed))
            {
                ParentActivityId = ActivityId,
            });
            used++;
        }

        for (int slot = used; slot < _slotsShown; slot++)
        {
            records.Add(Completed(SlotId(slot), _activity));
        }

        _slotsShown = used;
    }

    private static string Duration(TimeSpan elapsed) =>
        elapsed.TotalSeconds < 60 ? ((int)elapsed.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s"
        : elapsed.TotalHours < 1 ? string.Format(CultureInfo.InvariantCulture, "{0}:{1:00} min", (int)elapsed.TotalMinutes, elapsed.Seconds)
        : string.Format(CultureInfo.InvariantCulture, "{0}:{1:00} h", (int)elapsed.TotalHours, elapsed.Minutes);
}
