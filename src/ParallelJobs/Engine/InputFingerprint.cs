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
/// entries), never the input itself. The hash is an HMAC keyed by <see cref="JobLogIdentity.InputKey"/>,
/// derived from the job's whole signature, which the log does not hold: a reader of the log alone cannot
/// test guesses of an input (a web item's weak -Body password) against it. A SecureString or PSCredential
/// counts by its type only.
/// </summary>
internal static class InputFingerprint
{
    /// <summary>The fingerprint; with no key (a log written before keyed fingerprints) a plain SHA-256, as then.</summary>
    public static string Of(object? input, byte[]? key = null)
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

        byte[] data = Encoding.UTF8.GetBytes(text);
        using HashAlgorithm hash = key is null ? SHA256.Create() : new HMACSHA256(key);
        byte[] digest = hash.ComputeHash(data);
        return string.Concat(digest.Take(12).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static string Text(object? value)
    {
        object? unwrapped = value is PSObject pso ? pso.BaseObject : value;
        if (unwrapped is System.Security.SecureString or PSCredential)
        {
            return unwrapped.GetType().FullName!;
        }

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
