using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>
/// Gives every input item its identity for -Key and the job log: its -Key value, or its index. Refuses an
/// item whose key fails or repeats (the log tells items apart by key), and finds the items an earlier run
/// already finished (-Resume). Pipeline thread only.
/// </summary>
internal sealed class ItemKeys
{
    private readonly Func<object?, string>? _computeKey;
    private readonly JobLog? _log;
    private readonly bool _force;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <param name="computeKey">-Key's script block, run for an input; null keys items by index.</param>
    /// <param name="force">-Force: an item whose logged input differs runs again instead of stopping the run.</param>
    public ItemKeys(Func<object?, string>? computeKey, JobLog? log, bool force)
    {
        _computeKey = computeKey;
        _log = log;
        _force = force;
    }

    /// <summary>Decides for one item. Throws <see cref="JobLogException"/> when the log no longer fits the input.</summary>
    public KeyDecision Decide(object? input, long index)
    {
        string key;
        try
        {
            key = _computeKey is null ? index.ToString(CultureInfo.InvariantCulture) : _computeKey(input);
            if (key.Length == 0)
            {
                throw new ArgumentException("-Key returned nothing.");
            }
        }
        catch (Exception ex)
        {
            return KeyDecision.Refuse(null, new ErrorRecord(
                new ArgumentException($"The -Key script block failed for this item, so it was not run: {(ex is RuntimeException rex ? rex.ErrorRecord.Exception.Message : ex.Message)}", ex),
                ErrorIds.KeyFailed, ErrorCategory.InvalidArgument, input));
        }

        if (!_seen.Add(key))
        {
            return KeyDecision.Refuse(key, new ErrorRecord(
                new ArgumentException($"Another item already has the key '{key}', so this one was not run: the job log tells items apart by key. Make -Key return a unique value per item."),
                ErrorIds.DuplicateKey, ErrorCategory.InvalidArgument, input));
        }

        LogEntry? entry = null;
        _log?.TryGetCompleted(key, input, _force, out entry);
        return entry is null ? KeyDecision.Run(key) : KeyDecision.Replay(key, entry);
    }
}
