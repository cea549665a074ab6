using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace ParallelJobs.Json;

/// <summary>
/// Turns a request body given as a hashtable, PSCustomObject or array into JSON text, as
/// ConvertTo-Json would for plain data. Objects deeper than <see cref="MaxDepth"/> are written as strings.
/// </summary>
internal static class JsonWriter
{
    private const int MaxDepth = 32;

    public static string Write(object? value)
    {
        var text = new StringBuilder();
        Append(text, value, 0);
        return text.ToString();
    }

    /// <summary>Appends one value, as <see cref="Write"/> would write it.</summary>
    internal static void AppendValue(StringBuilder text, object? value) => Append(text, value, 0);

    private static void Append(StringBuilder text, object? value, int depth)
    {
        if (value is PSObject pso)
        {
            if (pso.BaseObject is PSCustomObject)
            {
                if (depth >= MaxDepth)
                {
                    AppendString(text, pso.ToString());
                    return;
                }

                text.Append('{');
                bool first = true;
                foreach (PSPropertyInfo property in pso.Properties)
                {
                    if (property.MemberType is PSMemberTypes.NoteProperty or PSMemberTypes.Property)
                    {
                        text.Append(first ? string.Empty : ",");
                        first = false;
                        AppendString(text, property.Name);
                        text.Append(':');
                        Append(text, property.Value, depth + 1);
                    }
                }

                text.Append('}');
                return;
            }

            value = pso.BaseObject;
        }

        switch (value)
        {
            case null:
                text.Append("null");
                return;
            case string s:
                AppendString(text, s);
                return;
            case char c:
                AppendString(text, c.ToString());
                return;
            case bool b:
                text.Append(b ? "true" : "false");
                return;
            case double d when double.IsNaN(d) || double.IsInfinity(d):
                text.Append("null");
                return;
            case float f when float.IsNaN(f) || float.IsInfinity(f):
                text.Append("null");
                return;
            case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                text.Append(((IFormattable)value).ToString(value is double or float ? "R" : null, CultureInfo.InvariantCulture));
                return;
            case Enum e:
                AppendString(text, e.ToString());
                return;
            case DateTime dt:
                AppendString(text, dt.ToString("o", CultureInfo.InvariantCulture));
                return;
            case DateTimeOffset dto:
                AppendString(text, dto.ToString("o", CultureInfo.InvariantCulture));
                return;
        }

        if (depth >= MaxDepth)
        {
            AppendString(text, value.ToString() ?? string.Empty);
            return;
        }

        if (value is IDictionary dictionary)
        {
            text.Append('{');
            bool first = true;
            foreach (DictionaryEntry entry in dictionary)
            {
                text.Append(first ? string.Empty : ",");
                first = false;
                AppendString(text, Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                text.Append(':');
                Append(text, entry.Value, depth + 1);
            }

            text.Append('}');
            return;
        }

        if (value is IEnumerable many)
        {
            text.Append('[');
            bool first = true;
            foreach (object? item in many)
            {
                text.Append(first ? string.Empty : ",");
                first = false;
                Append(text, item, depth + 1);
            }

            text.Append(']');
            return;
        }

        AppendString(text, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
    }

    internal static void AppendString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < ' ')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }
}
