using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ParallelJobs.Engine;

/// <summary>
/// Writes and reads the flat JSON objects of the job log (strings, numbers, booleans and null only).
/// Hand-written because netstandard2.0 has no JSON serializer, and shipping one would clash with
/// the copy PowerShell 7 already loads.
/// </summary>
internal static class JsonLine
{
    public static string Write(IEnumerable<KeyValuePair<string, object?>> fields)
    {
        var text = new StringBuilder("{");
        bool first = true;
        foreach (KeyValuePair<string, object?> field in fields)
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            AppendString(text, field.Key);
            text.Append(':');
            switch (field.Value)
            {
                case null:
                    text.Append("null");
                    break;
                case bool b:
                    text.Append(b ? "true" : "false");
                    break;
                case int or long or double:
                    text.Append(Convert.ToString(field.Value, CultureInfo.InvariantCulture));
                    break;
                default:
                    AppendString(text, Convert.ToString(field.Value, CultureInfo.InvariantCulture) ?? string.Empty);
                    break;
            }
        }

        return text.Append('}').ToString();
    }

    /// <summary>Parses one line; throws <see cref="FormatException"/> when it is not a whole flat object.</summary>
    public static Dictionary<string, object?> Read(string line)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        int at = 0;
        SkipSpace(line, ref at);
        Expect(line, ref at, '{');
        SkipSpace(line, ref at);
        if (Peek(line, at) == '}')
        {
            at++;
        }
        else
        {
            while (true)
            {
                SkipSpace(line, ref at);
                string key = ReadString(line, ref at);
                SkipSpace(line, ref at);
                Expect(line, ref at, ':');
                SkipSpace(line, ref at);
                fields[key] = ReadValue(line, ref at);
                SkipSpace(line, ref at);
                char next = Peek(line, at);
                at++;
                if (next == '}')
                {
                    break;
                }

                if (next != ',')
                {
                    throw new FormatException($"Expected ',' or '}}' at {at - 1}.");
                }
            }
        }

        SkipSpace(line, ref at);
        if (at != line.Length)
        {
            throw new FormatException("Text after the end of the object.");
        }

        return fields;
    }

    private static object? ReadValue(string line, ref int at)
    {
        char c = Peek(line, at);
        if (c == '"')
        {
            return ReadString(line, ref at);
        }

        foreach ((string word, object? value) in new (string, object?)[] { ("null", null), ("true", true), ("false", false) })
        {
            if (string.CompareOrdinal(line, at, word, 0, word.Length) == 0)
            {
                at += word.Length;
                return value;
            }
        }

        int start = at;
        while (at < line.Length && "+-0123456789.eE".IndexOf(line[at]) >= 0)
        {
            at++;
        }

        if (start == at || !double.TryParse(line.Substring(start, at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            throw new FormatException($"Expected a value at {start}.");
        }

        return number;
    }

    private static string ReadString(string line, ref int at)
    {
        Expect(line, ref at, '"');
        var text = new StringBuilder();
        while (true)
        {
            char c = Peek(line, at++);
            if (c == '"')
            {
                return text.ToString();
            }

            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            char escaped = Peek(line, at++);
            switch (escaped)
            {
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'u':
                    if (at + 4 > line.Length)
                    {
                        throw new FormatException("Cut-off \\u escape.");
                    }

                    text.Append((char)int.Parse(line.Substring(at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    at += 4;
                    break;
                default: text.Append(escaped); break;
            }
        }
    }

    private static void AppendString(StringBuilder text, string value)
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

    private static char Peek(string line, int at) =>
        at < line.Length ? line[at] : throw new FormatException("The line ends too early.");

    private static void Expect(string line, ref int at, char c)
    {
        if (Peek(line, at) != c)
        {
            throw new FormatException($"Expected '{c}' at {at}.");
        }

        at++;
    }

    private static void SkipSpace(string line, ref int at)
    {
        while (at < line.Length && char.IsWhiteSpace(line[at]))
        {
            at++;
        }
    }
}
