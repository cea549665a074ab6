using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace ParallelJobs.Engine;

/// <summary>
/// A short, readable name for an item's input, for error messages and the progress bar: a hashtable or
/// object by its first keys (<c>@{Name=a; Id=1; …}</c>), a file or folder by its name, a list by its first
/// elements, and anything long by its start, cut with "…". A type name (System.Collections.Hashtable) or the
/// end of a long text tells items apart less well than their first fields do.
/// </summary>
internal static class ItemLabel
{
    /// <summary>The longest label, in characters, "…" included.</summary>
    public const int MaxLength = 60;

    private const int MaxEntries = 3;
    private const int MaxValueLength = 20;

    public static string For(object? input) => Cut(Describe(input, nested: false), MaxLength);

    private static string Describe(object? input, bool nested)
    {
        object? value = input is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : input;
        switch (value)
        {
            case null:
                return "$null";
            case string text:
                return OneLine(text);
            case FileSystemInfo file:
                return file.Name.Length > 0 ? file.Name : file.FullName;
            case IDictionary dictionary:
                return nested ? "@{…}" : Entries(dictionary);
            case PSObject custom:
                return nested ? "@{…}" : Properties(custom);
            case IEnumerable list when value is not IFormattable:
                return nested ? "@(…)" : Elements(list);
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            default:
                return OneLine(value.ToString() ?? string.Empty);
        }
    }

    private static string Entries(IDictionary dictionary)
    {
        var text = new StringBuilder("@{");
        int shown = 0;
        foreach (DictionaryEntry entry in dictionary)
        {
            if (!Append(text, ref shown, Value(entry.Key), entry.Value))
            {
                break;
            }
        }

        return text.Append('}').ToString();
    }

    private static string Properties(PSObject custom)
    {
        var text = new StringBuilder("@{");
        int shown = 0;
        foreach (PSPropertyInfo property in custom.Properties)
        {
            object? value;
            try
            {
                value = property.Value;
            }
            catch (Exception)
            {
                // A property whose getter throws still has a name worth showing.
                value = "?";
            }

            if (!Append(text, ref shown, property.Name, value))
            {
                break;
            }
        }

        return text.Append('}').ToString();
    }

    private static string Elements(IEnumerable list)
    {
        var text = new StringBuilder("@(");
        int shown = 0;
        foreach (object? element in list)
        {
            if (shown == MaxEntries)
            {
                text.Append(", …");
                break;
            }

            text.Append(shown++ == 0 ? string.Empty : ", ").Append(Value(element));
        }

        return text.Append(')').ToString();
    }

    /// <summary>Appends one name=value pair; false (after appending "…") once enough are shown.</summary>
    private static bool Append(StringBuilder text, ref int shown, string name, object? value)
    {
        if (shown == MaxEntries)
        {
            text.Append("; …");
            return false;
        }

        text.Append(shown++ == 0 ? string.Empty : "; ").Append(name).Append('=').Append(Value(value));
        return true;
    }

    private static string Value(object? value) => Cut(Describe(value, nested: true), MaxValueLength);

    private static string OneLine(string text) =>
        text.IndexOfAny(new[] { '\r', '\n', '\t' }) < 0 ? text : text.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');

    /// <summary>Keeps the start: the first words of a text, or the scheme and host of a URL, say what it is.</summary>
    private static string Cut(string text, int max) => text.Length <= max ? text : text.Substring(0, max - 1) + "…";
}
