using System;
using System.Collections;
using System.Collections.Generic;

namespace ParallelJobs.Scripting;

/// <summary>
/// The input of a shared-scope batch. PowerShell pulls the next input only after the current one has been
/// fully processed and its output written downstream, so each MoveNext marks an item boundary: the runner
/// finishes the previous item and starts the next one here.
/// </summary>
internal sealed class SharedScopeFeed : IEnumerable
{
    private readonly int _count;
    private readonly Func<bool> _mayStart;
    private readonly Func<int, object?> _start;
    private readonly Action _finish;

    /// <param name="mayStart">False once the run halted: the feed ends there, and the runner puts back the rest.</param>
    public SharedScopeFeed(int count, Func<bool> mayStart, Func<int, object?> start, Action finish)
    {
        _count = count;
        _mayStart = mayStart;
        _start = start;
        _finish = finish;
    }

    public IEnumerator GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            if (!_mayStart())
            {
                yield break;
            }

            yield return _start(i);
            _finish();
        }
    }
}
