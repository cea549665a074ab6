using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using ParallelJobs.Operations.Web;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// The relative path -OutDirectory stores a page under: host (and port when not the default), then the URL's
/// path segments decoded and made safe for every file system, index.html for a directory, .html added to an
/// HTML page whose last segment has no extension, and a hash of the query before the extension. Nothing it
/// returns can climb out of the folder: every segment is a plain name (never "", "." or "..").
/// </summary>
internal static class PagePath
{
    /// <summary>Bytes a segment may have before it is cut and given a hash (most file systems allow 255).</summary>
    internal const int MaxSegmentBytes = 150;

    /// <summary>The segments of the relative path, folders first and the file name last.</summary>
    public static List<string> For(Uri uri, bool html)
    {
        var parts = new List<string> { Safe(uri.IsDefaultPort ? uri.Host : uri.Host + "_" + uri.Port.ToString(CultureInfo.InvariantCulture)) };
        string[] segments = uri.AbsolutePath.Split('/');

        // The first entry is the empty text before the leading '/'; the last is "" for a directory.
        for (int i = 1; i < segments.Length - 1; i++)
        {
            if (segments[i].Length > 0)
            {
                parts.Add(Safe(Uri.UnescapeDataString(segments[i])));
            }
        }

        string last = segments.Length > 1 ? Uri.UnescapeDataString(segments[segments.Length - 1]) : string.Empty;
        string name, extension;
        if (last.Length == 0)
        {
            (name, extension) = ("index", ".html");
        }
        else
        {
            int dot = last.LastIndexOf('.');
            (name, extension) = dot > 0 && dot < last.Length - 1 && last.Length - dot <= 10 && IsExtension(last, dot + 1)
                ? (last.Substring(0, dot), last.Substring(dot))
                : (last, html ? ".html" : string.Empty);
        }

        if (uri.Query.Length > 1)
        {
            // The query cannot be a file name as it stands (?, &, = and length), and must still tell pages apart.
            name += "_" + Hash(uri.Query);
        }

        parts.Add(Safe(name) + extension);
        return parts;
    }

    /// <summary>The path when the folder structure cannot hold the page (a file where a folder must be, or the reverse).</summary>
    public static List<string> Flat(Uri uri, bool html)
    {
        List<string> parts = For(uri, html);
        string file = parts[parts.Count - 1];
        int dot = file.LastIndexOf('.');
        string extension = dot > 0 ? file.Substring(dot) : string.Empty;
        return new List<string> { parts[0], "_flat", Hash(uri.AbsoluteUri) + extension };
    }

    /// <summary>Letters and digits only: "a.b\\c" or "x._y" have no extension to keep.</summary>
    private static bool IsExtension(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One segment as a name every file system takes: no separators, controls or reserved names.</summary>
    internal static string Safe(string segment)
    {
        var text = new StringBuilder(segment.Length);
        foreach (char c in segment)
        {
            text.Append(c < 0x20 || c == 0x7F || "<>:\"/\\|?*".IndexOf(c) >= 0 ? '_' : c);
        }

        // Windows drops trailing dots and spaces, which would make "a." and "a" one file.
        string name = text.ToString().TrimEnd('.', ' ');
        if (name.Length < text.Length)
        {
            name += new string('_', text.Length - name.Length);
        }

        if (name.Length == 0 || name == "." || name == "..")
        {
            name = "_" + name;
        }

        int dot = name.IndexOf('.');
        if (WebDownload.IsDeviceName(dot < 0 ? name : name.Substring(0, dot)))
        {
            name = "_" + name;
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxSegmentBytes)
        {
            // Kept unique by a hash of the whole name, and short enough for any file system.
            string hash = Hash(segment);
            int keep = Math.Min(name.Length, 60);
            if (char.IsHighSurrogate(name[keep - 1]))
            {
                keep--;
            }

            name = name.Substring(0, keep) + "_" + hash;
        }

        return name;
    }

    internal static string Hash(string text)
    {
        using var sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var hex = new StringBuilder(16);
        for (int i = 0; i < 8; i++)
        {
            hex.Append(digest[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
