using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>
/// A runner's script blocks, compiled once per task text. Bounded: heterogeneous calls may each bring a
/// text of their own, and a long run of them must not keep every one alive.
/// </summary>
internal sealed class ScriptBlockCache
{
    private const int MaxEntries = 256;

    private readonly Dictionary<string, ScriptBlock> _compiled = new(StringComparer.Ordinal);

    public ScriptBlock Get(string text)
    {
        if (!_compiled.TryGetValue(text, out ScriptBlock? script))
        {
            if (_compiled.Count >= MaxEntries)
            {
                _compiled.Clear();
            }

            script = ScriptBlock.Create(text);
            _compiled[text] = script;
        }

        return script;
    }
}
