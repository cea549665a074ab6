using System.Collections;
using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>
/// Finds a script block in a value on its way to a worker. A script block stays bound to the session state
/// it was made in; run on a worker thread it would run against the caller's session from another thread,
/// which PowerShell does not support. So one is refused wherever it comes from ($using:, -Variable,
/// -ArgumentList, an input item), also inside an array, a list, a hashtable or a [pscustomobject].
/// </summary>
internal static class ScriptBlockValues
{
    /// <summary>Nesting deeper than this is not searched: a value that deep is data, not a handed-over callback.</summary>
    private const int MaxDepth = 4;

    /// <summary>Where in <paramref name="value"/> a script block sits ("", "[2]", ".Action"), or null when there is none.</summary>
    public static string? Find(object? value) => Find(value, 0);

    /// <summary>The quick test for an input item: a type check, plus a search only for containers.</summary>
    public static bool MayHold(object? value) => value is ScriptBlock or PSObject or IDictionary or IList;

    private static string? Find(object? value, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case ScriptBlock:
                return string.Empty;
            case PSObject pso when pso.BaseObject is ScriptBlock:
                return string.Empty;
        }

        if (depth >= MaxDepth || value is string)
        {
            return null;
        }

        switch (value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value)
        {
            case IDictionary table:
                foreach (DictionaryEntry entry in table)
                {
                    if (Find(entry.Value, depth + 1) is { } inner)
                    {
                        return "['" + entry.Key + "']" + inner;
                    }
                }

                return null;
            case IList list:
                for (int i = 0; i < list.Count; i++)
                {
                    if (Find(list[i], depth + 1) is { } inner)
                    {
                        return "[" + i + "]" + inner;
                    }
                }

                return null;
            case PSObject custom:
                foreach (PSPropertyInfo property in custom.Properties)
                {
                    if (property is PSNoteProperty && Find(property.Value, depth + 1) is { } inner)
                    {
                        return "." + property.Name + inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
