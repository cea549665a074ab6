using System;
using System.Collections.Generic;
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
    private readonly bool _ordered;

    // Guards _names and every DownloadedFile's name: who holds which name in the folder, so that the item earliest
    // in the input keeps a name that several items want, whatever order they finish in.
    private readonly object _gate = new();
    private readonly Dictionary<string, DownloadedFile> _names = new(StringComparer.OrdinalIgnoreCase);

    private WebDownload(string? file, string? directory, bool ordered)
    {
        _file = file;
        _directory = directory;
        _ordered = ordered;
    }

    /// <summary>-OutFile: one body to one file (a full path).</summary>
    public static WebDownload ToFile(string fullPath) => new(fullPath, null, ordered: true);

    /// <summary>
    /// -OutDirectory: each body to its own file in this folder (a full path). <paramref name="ordered"/>: results are
    /// written in input order, so a later item's file may still be renamed before anyone sees its result.
    /// </summary>
    public static WebDownload ToDirectory(string fullPath, bool ordered) => new(null, Path.GetFullPath(fullPath), ordered);

    /// <summary>What the verbose request line names as the output.</summary>
    public string Describe() => _file ?? _directory!;

    /// <summary>
    /// Writes the body to its file. <paramref name="owner"/> names the item ("3", or "3-Orders" for a request of
    /// -Request) and <paramref name="position"/> orders them (input position, then the request's place). When items
    /// want the same name, the earliest keeps it and each later one gets its owner appended ("report-3.pdf"); in input
    /// order a later item that took the name first is renamed when the earlier one arrives (its result is not written
    /// yet); with -Unordered the first to arrive keeps it.
    /// </summary>
    public DownloadedFile Save(HttpResponseMessage response, Uri answered, string owner, (long, int) position, long cap, CancellationToken token)
    {
        DownloadedFile file;
        if (_file is not null)
        {
            file = new DownloadedFile(owner, position, Path.GetFileName(_file), Path.GetDirectoryName(_file)!);
        }
        else
        {
            string wanted = NameFor(response, answered);
            lock (_gate)
            {
                file = Reserve(wanted, owner, position);
            }
        }

        Directory.CreateDirectory(file.Folder);
        string temp = Path.Combine(file.Folder, "." + file.Name + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".part");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
            {
                Copy(response, stream, answered, cap, token);
            }

            lock (_gate)
            {
                // The name may have changed while the body arrived (an earlier item wanted it): read it here.
                MoveInto(temp, file.Path);
                file.Written = true;
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        return file;
    }

    /// <summary>Shows the file's path through <paramref name="show"/>, now and after any later rename.</summary>
    public void Bind(DownloadedFile file, Action<string> show)
    {
        lock (_gate)
        {
            file.AddBinding(show);
        }
    }

    /// <summary>Under _gate: the name this owner writes to.</summary>
    private DownloadedFile Reserve(string wanted, string owner, (long, int) position)
    {
        if (!_names.TryGetValue(wanted, out DownloadedFile? holder) || holder.Owner == owner)
        {
            // Free, or this owner's own (a retry).
            return holder ?? Hold(new DownloadedFile(owner, position, wanted, _directory!));
        }

        if (_ordered && position.CompareTo(holder.Position) < 0)
        {
            // The earlier input takes the name; the later holder moves aside, its file too if it is written.
            string aside = Aside(wanted, holder.Owner);
            if (holder.Written)
            {
                MoveInto(holder.Path, Path.Combine(_directory!, aside));
            }

            holder.Rename(aside);
            Hold(holder);
            return Hold(new DownloadedFile(owner, position, wanted, _directory!));
        }

        string mine = Aside(wanted, owner);
        return _names.TryGetValue(mine, out DownloadedFile? own) && own.Owner == owner ? own : Hold(new DownloadedFile(owner, position, mine, _directory!));
    }

    private DownloadedFile Hold(DownloadedFile file)
    {
        _names[file.Name] = file;
        return file;
    }

    /// <summary>"report.pdf" for owner 3: "report-3.pdf", or "report-3-2.pdf" when another item holds that too.</summary>
    private string Aside(string wanted, string owner)
    {
        string stem = Path.GetFileNameWithoutExtension(wanted);
        string extension = Path.GetExtension(wanted);
        string candidate = stem + "-" + owner + extension;
        for (int n = 2; _names.TryGetValue(candidate, out DownloadedFile? other) && other.Owner != owner; n++)
        {
            candidate = stem + "-" + owner + "-" + n + extension;
        }

        return candidate;
    }

    /// <summary>Puts a whole file at its target in one step; a file left there by an earlier run is replaced.</summary>
    private static void MoveInto(string from, string to)
    {
        if (File.Exists(to))
        {
            File.Replace(from, to, null, ignoreMetadataErrors: true);
        }
        else
        {
            File.Move(from, to);
        }
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

    /// <summary>A name Windows keeps for a device, whatever its extension; the crawl's page paths use it too.</summary>
    internal static bool IsDeviceName(string stem)
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
