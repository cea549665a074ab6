using System;
using System.Collections;
using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>
/// Finds a script block in a value on its way to a worker. A script block stays bound to the session state
/// it was made in; run on a worker thread it would run against the caller's session from another thread,
/// which PowerShell does not support. So one is refused wherever it comes from ($using:, -Variable,
/// -ArgumentList, an input item), also inside an array, a list or a hashtable. An object's properties are
/// not searched: reading a [pscustomobject]'s properties costs some 20 microseconds, a whole trivial item.
/// </summary>
internal static class ScriptBlockValues
{
    /// <summary>Nesting deeper than this is not searched: a value that deep is data, not a handed-over callback.</summary>
    private const int MaxDepth = 4;

    /// <summary>Where in <paramref name="value"/> a script block sits ("", "[2]", ".Action"), or null when there is none.</summary>
    public static string? Find(object? value) => Find(value, 0);

    /// <summary>The quick test for an input item: a type check, plus a search only for containers.</summary>
    /// <remarks>
    /// Numbers first: a boxed int implements some thirty interfaces, and each failed interface test walks them all
    /// (about 50 ns), while the ValueType test is one step up its class chain.
    /// </remarks>
    public static bool MayHold(object? value) =>
        value is not null and not ValueType and not string && value is ScriptBlock or PSObject or IDictionary or IList;

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

        switch (value is PSObject wrapped ? wrapped.BaseObject : value)
        {
            case IDictionary table when !HoldsOnlyPlainValues(table.GetType()):
                foreach (DictionaryEntry entry in table)
                {
                    if (Find(entry.Value, depth + 1) is { } inner)
                    {
                        return "['" + entry.Key + "']" + inner;
                    }
                }

                return null;
            case IList list when !HoldsOnlyPlainValues(list.GetType()):
                for (int i = 0; i < list.Count; i++)
                {
                    if (Find(list[i], depth + 1) is { } inner)
                    {
                        return "[" + i + "]" + inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>A byte[] or a List&lt;int&gt; cannot hold a script block: not worth a look at every element.</summary>
    private static bool HoldsOnlyPlainValues(Type type)
    {
        if (type.IsArray)
        {
            return IsPlain(type.GetElementType()!);
        }

        if (!type.IsGenericType)
        {
            return false;
        }

        foreach (Type argument in type.GetGenericArguments())
        {
            if (!IsPlain(argument))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPlain(Type type) => type.IsValueType || type == typeof(string);
}
