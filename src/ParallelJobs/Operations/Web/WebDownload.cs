using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Http;
using System.Threading;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// -OutFile and -OutDirectory: streams a body to a temporary file beside its target and renames it into place
/// once it is whole, so the target is never seen half-written (a failed or cut-off body leaves no file). Under
/// -OutDirectory the name comes from Content-Disposition or the URL's last segment, reduced to one safe file name
/// inside the folder; two items of a run that would write the same name never overwrite each other.
/// </summary>
internal sealed class WebDownload
{
    private const int MaxNameLength = 200;

    private static readonly char[] AlwaysInvalid = { '<', '>', ':', '"', '/', '\\', '|', '?', '*' };

    private readonly string? _file;
    private readonly string? _directory;

    // Names written by this run, and who wrote them (the item's uniquifier), so a second writer takes another name.
    private readonly ConcurrentDictionary<string, string> _claimed = new(StringComparer.OrdinalIgnoreCase);

    private WebDownload(string? file, string? directory)
    {
        _file = file;
        _directory = directory;
    }

    /// <summary>-OutFile: one body to one file (a full path).</summary>
    public static WebDownload ToFile(string fullPath) => new(fullPath, null);

    /// <summary>-OutDirectory: each body to its own file in this folder (a full path).</summary>
    public static WebDownload ToDirectory(string fullPath) => new(null, Path.GetFullPath(fullPath));

    /// <summary>What the verbose request line names as the output.</summary>
    public string Describe() => _file ?? _directory!;

    /// <summary>
    /// Writes the body to its file and returns the file's full path. <paramref name="owner"/> tells items apart
    /// (the input position, and the template's name for -Request): a name another item of the run has written gets
    /// it appended ("report-3.pdf"), so which file is whose follows from the input, not from timing.
    /// </summary>
    public string Save(HttpResponseMessage response, Uri answered, string owner, long cap, CancellationToken token)
    {
        string target = _file ?? Path.Combine(_directory!, Claim(NameFor(response, answered), owner));
        string folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".part");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
            {
                Copy(response, file, answered, cap, token);
            }

            if (File.Exists(target))
            {
                // A rerun replaces the file of the run before, in one step.
                File.Replace(temp, target, null, ignoreMetadataErrors: true);
            }
            else
            {
                File.Move(temp, target);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        return target;
    }

    private static void Copy(HttpResponseMessage response, Stream file, Uri uri, long cap, CancellationToken token)
    {
        if (response.Content is null)
        {
            return;
        }

        if (response.Content.Headers.ContentLength is { } declared && declared > cap)
        {
            throw WebRequestOperation.TooLarge(uri, cap, $"it declares {declared} bytes");
        }

        using Stream body = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
        byte[] chunk = new byte[81920];
        long written = 0;
        while (true)
        {
            int read = body.ReadAsync(chunk, 0, chunk.Length, token).GetAwaiter().GetResult();
            if (read == 0)
            {
                return;
            }

            written += read;
            if (written > cap)
            {
                throw WebRequestOperation.TooLarge(uri, cap, "more arrived");
            }

            file.Write(chunk, 0, read);
        }
    }

    private string Claim(string name, string owner)
    {
        string candidate = name;
        for (int n = 1; ; n++)
        {
            string holder = _claimed.GetOrAdd(candidate, owner);
            if (holder == owner)
            {
                return candidate;
            }

            string stem = Path.GetFileNameWithoutExtension(name);
            string extension = Path.GetExtension(name);
            candidate = stem + "-" + owner + (n > 1 ? "-" + n : string.Empty) + extension;
        }
    }

    /// <summary>The server's name for the body (Content-Disposition), else the URL's last path segment.</summary>
    internal static string NameFor(HttpResponseMessage response, Uri answered)
    {
        string? name = null;
        try
        {
            var disposition = response.Content?.Headers.ContentDisposition;
            name = disposition?.FileNameStar ?? disposition?.FileName;
        }
        catch (FormatException)
        {
            // A malformed header names nothing.
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            string path = answered.AbsolutePath.TrimEnd('/');
            name = Uri.UnescapeDataString(path.Substring(path.LastIndexOf('/') + 1));
        }

        return SafeName(name!.Trim().Trim('"'));
    }

    /// <summary>
    /// One file name that stays in the folder on every system: the last component only (no "..", no absolute or
    /// drive path), no character a file system refuses, no trailing dot or space, no leading dot (no hidden file),
    /// no Windows device name (CON, NUL, COM1, ...), at most 200 characters; "download" when nothing is left.
    /// </summary>
    internal static string SafeName(string name)
    {
        name = name.Replace('\\', '/');
        name = name.Substring(name.LastIndexOf('/') + 1);
        char[] invalid = Path.GetInvalidFileNameChars();
        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] < 0x20 || chars[i] == 0x7f || Array.IndexOf(AlwaysInvalid, chars[i]) >= 0 || Array.IndexOf(invalid, chars[i]) >= 0)
            {
                chars[i] = '_';
            }
        }

        name = new string(chars).Trim().TrimStart('.').TrimEnd('.', ' ');
        if (name.Length == 0)
        {
            return "download";
        }

        string stem = name.Split('.')[0].TrimEnd(' ');
        if (IsDeviceName(stem))
        {
            name = "_" + name;
        }

        if (name.Length > MaxNameLength)
        {
            string extension = Path.GetExtension(name);
            extension = extension.Length > 20 ? string.Empty : extension;
            name = name.Substring(0, MaxNameLength - extension.Length) + extension;
        }

        return name;
    }

    private static bool IsDeviceName(string stem)
    {
        string upper = stem.ToUpperInvariant();
        if (upper is "CON" or "PRN" or "AUX" or "NUL" or "CONIN$" or "CONOUT$")
        {
            return true;
        }

        // COM0-9 and LPT0-9, and the superscript digits Windows also reserves.
        return upper.Length == 4 && (upper.StartsWith("COM", StringComparison.Ordinal) || upper.StartsWith("LPT", StringComparison.Ordinal))
            && (char.IsDigit(upper[3]) || upper[3] is '\u00b9' or '\u00b2' or '\u00b3');
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is named as one and never taken for the target.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
