using System;
using System.Collections.Generic;
using System.Threading;

namespace ParallelJobs.Commands;

/// <summary>
/// Answers "is this a function in the caller's session?" for the hint on an item's CommandNotFound error.
/// The caller's session state is looked up only on the thread that owns it, and once per name: a thousand
/// items that call the same missing function cost one lookup. A -AsJob job's thread, which writes after the
/// pipeline has moved on, gets the answers from a list of the session's functions taken before the handover.
/// </summary>
internal sealed class CallerFunctions
{
    private readonly Func<string, bool> _lookup;
    private readonly Func<IEnumerable<string>> _list;
    private readonly Thread _owner = Thread.CurrentThread;
    private readonly Dictionary<string, bool> _known = new(StringComparer.OrdinalIgnoreCase);
    private volatile HashSet<string>? _frozen;

    /// <param name="lookup">True when the name is a caller function (the caller's thread only).</param>
    /// <param name="list">The names of the caller's functions (the caller's thread only).</param>
    public CallerFunctions(Func<string, bool> lookup, Func<IEnumerable<string>> list)
    {
        _lookup = lookup;
        _list = list;
    }

    public bool IsFunction(string name)
    {
        if (_frozen is { } frozen)
        {
            return frozen.Contains(name);
        }

        if (Thread.CurrentThread != _owner)
        {
            return false;
        }

        lock (_known)
        {
            if (!_known.TryGetValue(name, out bool found))
            {
                try
                {
                    found = _lookup(name);
                }
                catch (Exception)
                {
                    // Only a hint: without an answer the error goes out as PowerShell made it.
                    found = false;
                }

                _known[name] = found;
            }

            return found;
        }
    }

    /// <summary>Caller's thread, before another thread takes over the writing (-AsJob).</summary>
    public void Freeze()
    {
        try
        {
            _frozen = new HashSet<string>(_list(), StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception)
        {
            _frozen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }
    }
}
