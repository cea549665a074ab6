using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Workers;

/// <summary>
/// One item of a collected batch as <see cref="BatchCollector"/> wrote it: a header string "ticks;count;error;kinds",
/// then the item's error when it has one, then its count values, each a top-level object of the batch file. Kinds
/// spells one letter per value (O output, E error, W warning, V verbose, D debug, I information) and is empty when
/// all are output.
/// </summary>
internal sealed class CollectedEntry
{
    private readonly IList<object> _objects;
    private readonly int _first;
    private readonly int _count;
    private readonly long _ticks;
    private readonly bool _hasError;
    private readonly string _kinds;

    private CollectedEntry(IList<object> objects, int first, int count, long ticks, bool hasError, string kinds)
    {
        _objects = objects;
        _first = first;
        _count = count;
        _ticks = ticks;
        _hasError = hasError;
        _kinds = kinds;
    }

    /// <summary>True for the placeholder of an entry this module could not read.</summary>
    public bool Unreadable => _count < 0;

    /// <summary>How long the item ran in the worker.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(_ticks);

    /// <summary>The item's error (what ended it), or null.</summary>
    public object? Error => _hasError ? _objects[_first] : null;

    /// <summary>The item's objects in the order written: output and records, told apart by <see cref="KindOf"/>.</summary>
    public int Count => Math.Max(0, _count);

    public object? Value(int index) => _objects[_first + (_hasError ? 1 : 0) + index];

    /// <summary>O output, E error, W warning, V verbose, D debug, I information.</summary>
    public char KindOf(int index) => index < _kinds.Length ? _kinds[index] : 'O';

    /// <summary>The header the worker writes before an item's objects.</summary>
    public static string Header(long ticks, int count, object? error, string? kinds) =>
        string.Concat(ticks.ToString(CultureInfo.InvariantCulture), ";", count.ToString(CultureInfo.InvariantCulture), error is null ? ";0;" : ";1;", kinds);

    /// <summary>
    /// The entries in the objects of a batch file, in order. An entry that cannot be read ends the list with a
    /// placeholder that fails its item.
    /// </summary>
    public static List<CollectedEntry> Split(IList<object> objects)
    {
        var entries = new List<CollectedEntry>();
        int at = 0;
        while (at < objects.Count)
        {
            string? header = Unwrap(objects[at]) as string;
            string[]? parts = header?.Split(new[] { ';' }, 4);
            if (parts is not { Length: 4 }
                || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long ticks)
                || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count)
                || count < 0
                || parts[2] is not ("0" or "1"))
            {
                entries.Add(new CollectedEntry(objects, at, -1, 0, false, string.Empty));
                break;
            }

            bool hasError = parts[2] == "1";
            int first = at + 1;
            at = first + (hasError ? 1 : 0) + count;
            if (at > objects.Count)
            {
                // Cannot be: the reader keeps whole entries only.
                entries.Add(new CollectedEntry(objects, first, -1, 0, false, string.Empty));
                break;
            }

            entries.Add(new CollectedEntry(objects, first, count, ticks, hasError, parts[3]));
        }

        return entries;
    }

    /// <summary>Reports the entry through <paramref name="attempt"/>: its records and output in the order written, then its end.</summary>
    public void Apply(ItemAttempt attempt)
    {
        if (Unreadable)
        {
            attempt.Fail(new ErrorRecord(new InvalidOperationException("The worker process wrote an entry this module cannot read."), ErrorIds.WorkerFailed, ErrorCategory.InvalidData, attempt.Input));
            return;
        }

        attempt.RanFor(Duration);
        for (int i = 0; i < _count; i++)
        {
            object? value = Value(i);
            switch (KindOf(i))
            {
                case 'E' when value is not null:
                    attempt.AddRecord(StreamKind.Error, RemoteRecords.Error(value, attempt.Input));
                    break;
                case 'W' when value is not null:
                    attempt.AddRecord(StreamKind.Warning, new WarningRecord(PSObject.AsPSObject(value)));
                    break;
                case 'V' when value is not null:
                    attempt.AddRecord(StreamKind.Verbose, new VerboseRecord(PSObject.AsPSObject(value)));
                    break;
                case 'D' when value is not null:
                    attempt.AddRecord(StreamKind.Debug, new DebugRecord(PSObject.AsPSObject(value)));
                    break;
                case 'I' when value is not null:
                    attempt.AddRecord(StreamKind.Information, RemoteRecords.Information(value));
                    break;
                default:
                    // As remoting hands output over: each object in a PSObject.
                    attempt.AddOutput(value is null ? null : PSObject.AsPSObject(value));
                    break;
            }
        }

        if (Error is { } error)
        {
            attempt.Fail(RemoteRecords.Error(error, attempt.Input));
        }
        else
        {
            attempt.Finish();
        }
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
