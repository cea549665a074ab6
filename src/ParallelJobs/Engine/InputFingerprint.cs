using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;

namespace ParallelJobs.Engine;

/// <summary>
/// A short hash of what an item's input looks like, recorded with its log entry: -Resume refuses to stand a
/// logged result in for an input that is not the one it was computed from (a log of 1..6 resumed with 6..1,
/// keyed by index). It hashes the input's type and text (a file by its full path, a dictionary by its
/// entries), never the input itself, so the log holds nothing of the input that can be read back.
/// </summary>
internal static class InputFingerprint
{
    public static string Of(object? input)
    {
        object? value = input is PSObject pso ? pso.BaseObject : input;
        string text = value switch
        {
            null => "null",
            string s => "string:" + s,
            FileSystemInfo file => "file:" + file.FullName,
            IFormattable formattable => value.GetType().FullName + ":" + formattable.ToString(null, CultureInfo.InvariantCulture),
            IDictionary dictionary => "dictionary:" + string.Join(";", dictionary.Keys.Cast<object?>()
                .Select(k => $"{k}={Text(dictionary[k!])}").OrderBy(e => e, StringComparer.Ordinal)),
            _ => value.GetType().FullName + ":" + Text(input),
        };

        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        return string.Concat(hash.Take(12).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static string Text(object? value)
    {
        try
        {
            return value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? "null";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A ToString that fails (a script property without a runspace) says nothing either way.
            return value!.GetType().FullName ?? "?";
        }
    }
}
