using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace ParallelJobs.Json;

/// <summary>
/// The flat JSON objects of the job log: one object a line, whose values are strings, numbers, booleans
/// or null. Built on the module's own <see cref="JsonParser"/> and <see cref="JsonWriter"/>.
/// </summary>
internal static class JsonLine
{
    public static string Write(IEnumerable<KeyValuePair<string, object?>> fields)
    {
        var text = new StringBuilder("{");
        bool first = true;
        foreach (KeyValuePair<string, object?> field in fields)
        {
            text.Append(first ? string.Empty : ",");
            first = false;
            JsonWriter.AppendString(text, field.Key);
            text.Append(':');
            if (field.Value is null or bool or int or long or double)
            {
                // Plain values as the writer writes them (a NaN or infinity becomes null: JSON has none, and
                // the log's readers would refuse the line); anything else goes in as its invariant string.
                JsonWriter.AppendValue(text, field.Value);
            }
            else
            {
                JsonWriter.AppendString(text, Convert.ToString(field.Value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        return text.Append('}').ToString();
    }

    /// <summary>
    /// Parses one line into its fields (numbers as double); throws <see cref="FormatException"/> when the
    /// line is not a whole JSON object of plain values.
    /// </summary>
    public static Dictionary<string, object?> Read(string line)
    {
        if (JsonParser.Parse(line) is not PSObject { BaseObject: PSCustomObject } parsed)
        {
            throw new FormatException("A job log line must be a JSON object.");
        }

        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (PSPropertyInfo property in parsed.Properties)
        {
            fields[property.Name] = property.Value switch
            {
                null or string or bool => property.Value,
                long or double or decimal => Convert.ToDouble(property.Value, CultureInfo.InvariantCulture),
                _ => throw new FormatException($"The field '{property.Name}' of a job log line must be a plain value."),
            };
        }

        return fields;
    }
}
