using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Xml;
using ParallelJobs.Json;

namespace ParallelJobs.Engine;

/// <summary>
/// The -LogPath job log, like GNU parallel's --joblog: JSON Lines, a header that names the job, then one
/// line per finished item, flushed as the item ends. -Resume reads it back and skips completed items.
/// </summary>
internal sealed class JobLog : IResultLog, IDisposable
{
    private const int Version = 1;

    /// <summary>The status of a completed item whose output could not be logged: it is not completed for -Resume.</summary>
    private const string NotLoggable = "NotLoggable";

    private readonly object _lock = new();
    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private readonly Dictionary<string, LogEntry> _completed;

    private readonly ConcurrentDictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    private readonly string _path;

    private readonly FileStream _runLock;

    /// <summary>The HMAC key of the input fingerprints; null for a log written before they were keyed.</summary>
    private byte[]? _inputKey;

    private JobLog(FileStream stream, Dictionary<string, LogEntry> completed, string path, FileStream runLock)
    {
        _path = path;
        _runLock = runLock;
        _stream = stream;
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
        _completed = completed;
    }

    public string Path => _stream.Name;

    public int CompletedCount => _completed.Count;

    /// <summary>Serialization depth of each item's output.</summary>
    public int OutputDepth { get; set; } = 2;

    /// <summary>
    /// Opens the log. Without <paramref name="resume"/> an existing non-empty log is refused unless
    /// <paramref name="force"/> is given, because starting over would throw its lines away.
    /// </summary>
    public static JobLog Open(string path, string command, string signature, bool resume, bool force, Action<string> warn)
    {
        var completed = new Dictionary<string, LogEntry>(StringComparer.Ordinal);
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        if (exists && !resume && !force)
        {
            throw new JobLogException(ErrorIds.LogExists,
                $"The job log '{path}' already exists. Use -Resume to skip the items it records as completed, or -Force to start a new log in its place.");
        }

        // The lock is taken before the log is read, and held until the run ends: a second run on the same
        // log (even in this process) would interleave lines and run every remaining item twice. It is a
        // file of its own, so that the log itself stays readable (Get-Content -Wait) while a run writes it.
        FileStream runLock = TakeLock(path);
        JobLog? log = null;
        try
        {
            JobLogIdentity? identity = null;
            long keep = exists && resume ? Read(path, signature, force, completed, warn, out identity) : 0;
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new JobLogException("LogNotWritable", $"The job log '{path}' cannot be written: {ex.Message}", ex);
            }

            log = new JobLog(stream, completed, path, runLock);
            if (keep == 0)
            {
                identity = JobLogIdentity.Create(signature);
            }

            log._inputKey = identity?.InputKey;
            try
            {
                // Cut a half-written last line away, so the log stays readable after this run appends to it.
                if (stream.Length != keep)
                {
                    stream.SetLength(keep);
                }

                stream.Seek(0, SeekOrigin.End);
            }
            catch (IOException ex)
            {
                throw new JobLogException(ErrorIds.LogWriteFailed, $"Cannot write to the job log '{path}' (is the disk full?): {ex.Message}", ex);
            }

            if (keep == 0)
            {
                log.WriteHeader(command, identity!);
            }

            return log;
        }
        catch
        {
            if (log is null)
            {
                runLock.Dispose();
            }
            else
            {
                log.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// A new log, or one whose header itself was cut off by a crash, starts with a header. It names the job
    /// by a salted hash of its signature only: a signature holds request bodies and script arguments.
    /// </summary>
    private void WriteHeader(string command, JobLogIdentity identity) =>
        WriteLine(new Dictionary<string, object?>
        {
            ["type"] = "header",
            ["version"] = Version,
            ["command"] = command,
            ["salt"] = identity.Salt,
            ["signature"] = identity.Hash,
            ["created"] = DateTime.Now.ToString("o", CultureInfo.InvariantCulture),
        });

    /// <summary>Takes the run's lock: '&lt;log&gt;.lock', held with no sharing and deleted when the run ends.</summary>
    private static FileStream TakeLock(string path)
    {
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException ex) when (IsSharingViolation(ex))
        {
            throw new JobLogException(ErrorIds.LogInUse,
                $"The job log '{path}' is in use by another run (in this or another process). Two runs cannot share a log: wait for the other run to end, or give another -LogPath.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobLogException(ErrorIds.LogNotWritable, $"The job log '{path}' cannot be written: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A lock held elsewhere: ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION on Windows; on Unix the
    /// runtime's flock fails with EWOULDBLOCK and reports the same "being used by another process" error.
    /// </summary>
    private static bool IsSharingViolation(IOException ex)
    {
        int code = ex.HResult & 0xFFFF;
        return code is 32 or 33 or 11 || ex.HResult == 11 || ex.Message.IndexOf("another process", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    public bool TryGetCompleted(string key, out LogEntry entry) => _completed.TryGetValue(key, out entry!);

    /// <summary>
    /// Pipeline thread: notes the item's input fingerprint for its log line, and finds its completed entry.
    /// An entry recorded for another input is refused (LogInputMismatch); with <paramref name="force"/> it is
    /// not used and the item runs again.
    /// </summary>
    public bool TryGetCompleted(string key, object? input, bool force, out LogEntry? entry)
    {
        string fingerprint = InputFingerprint.Of(input, _inputKey);
        _fingerprints[key] = fingerprint;
        if (!_completed.TryGetValue(key, out entry))
        {
            return false;
        }

        if (entry.Fingerprint is null || entry.Fingerprint == fingerprint)
        {
            return true;
        }

        entry = null;
        if (force)
        {
            return false;
        }

        throw new JobLogException(ErrorIds.LogInputMismatch,
            $"The job log '{_path}' records the item with key '{key}' for another input than this run gives it (line {_completed[key].LineNumber}), so its logged result cannot stand in for this one. Give the same input in the same order, key items by their input with -Key, or use -Force to run such items again.");
    }

    /// <summary>Worker threads: records one finished item and flushes it to disk.</summary>
    public void Append(ItemResult result)
    {
        if (result.Status == ItemStatus.Skipped || result.FromLog)
        {
            return;
        }

        // CliXml keeps a SecureString or PSCredential recoverable (unencrypted on Linux and macOS): such output
        // is not logged, and its item is recorded as NotLoggable, so -Resume runs it again.
        bool secret = result.Output is { Count: > 0 } && SecretOutput.Holds(result.Output);
        string? output = result.Output is { Count: > 0 } && !secret ? PSSerializer.Serialize(result.Output.Cast<object?>().ToArray(), OutputDepth) : null;
        string? error = result.Failure?.Exception.Message
            ?? result.Records?.Where(r => r.Kind == StreamKind.Error).Select(r => ((ErrorRecord)r.Record).Exception.Message).FirstOrDefault()
            ?? (secret ? "The output holds a SecureString or PSCredential, so it was not logged; -Resume runs this item again." : null);
        WriteLine(new Dictionary<string, object?>
        {
            ["type"] = "item",
            ["index"] = result.Index,
            ["key"] = result.Item.Key ?? result.Index.ToString(CultureInfo.InvariantCulture),
            ["status"] = secret && result.Status == ItemStatus.Completed ? NotLoggable : result.Status.ToString(),
            ["attempts"] = result.Attempts,
            ["start"] = result.StartTime.ToString("o", CultureInfo.InvariantCulture),
            ["duration"] = Math.Round(result.Duration.TotalSeconds, 6),
            ["error"] = error,
            ["input"] = result.Item.Key is { } itemKey && _fingerprints.TryRemove(itemKey, out string? fingerprint) ? fingerprint : null,
            ["output"] = output,
        });
    }

    /// <summary>Turns logged output back into objects, as the item wrote them (deserialized).</summary>
    public static object?[] ReadOutput(LogEntry entry)
    {
        if (entry.OutputXml is null)
        {
            return Array.Empty<object?>();
        }

        object value;
        try
        {
            value = PSSerializer.Deserialize(entry.OutputXml);
        }
        catch (Exception ex) when (ex is XmlException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new JobLogException("LogCorrupt", $"The job log's entry for '{entry.Key}' (line {entry.LineNumber}) holds output that is not valid CliXml: {ex.Message} Fix or remove the line, or start over with -Force and without -Resume.", ex);
        }

        object? unwrapped = value is PSObject pso ? pso.BaseObject : value;
        return unwrapped is System.Collections.IEnumerable many and not string
            ? many.Cast<object?>().ToArray()
            : new[] { value };
    }

    public void Dispose()
    {
        lock (_lock)
        {
            try
            {
                _writer.Dispose();
            }
            catch (IOException)
            {
                // The last flush failed (a full disk): that line's write already reported it.
            }
            finally
            {
                _runLock.Dispose();
            }
        }
    }

    private void WriteLine(Dictionary<string, object?> fields)
    {
        string line = JsonLine.Write(fields);
        lock (_lock)
        {
            try
            {
                _writer.WriteLine(line);
                _writer.Flush();
                _stream.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                throw new JobLogException(ErrorIds.LogWriteFailed,
                    $"Cannot write to the job log '{_path}' (is the disk full?): {ex.Message} The items already logged are safe; the run was stopped so that no result goes unrecorded.", ex);
            }
        }
    }

    /// <summary>Reads an existing log; returns the byte length of its whole lines.</summary>
    private static long Read(string path, string signature, bool force, Dictionary<string, LogEntry> completed, Action<string> warn, out JobLogIdentity? identity)
    {
        identity = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobLogException(ErrorIds.LogNotReadable, $"The job log '{path}' cannot be read: {ex.Message}", ex);
        }

        long keep = 0;
        int lineNumber = 0;
        bool headerSeen = false;
        bool otherJob = false;
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            bool cut = end < 0;
            int stop = cut ? bytes.Length : end;
            string line = Encoding.UTF8.GetString(bytes, start, stop - start).TrimEnd('\r');
            lineNumber++;
            if (cut)
            {
                // A crash mid-write leaves a last line without its line end: drop it, its item runs again.
                warn($"The last line of the job log '{path}' is incomplete (the run that wrote it probably stopped mid-write); it was ignored and its item will run again.");
                return keep;
            }

            // A blank line (one left by an editor at the end) holds nothing, so it is not corruption.
            if (line.Trim().Length == 0)
            {
                keep = end + 1;
                start = end + 1;
                continue;
            }

            Dictionary<string, object?> fields;
            try
            {
                fields = JsonLine.Read(line);
            }
            catch (FormatException ex)
            {
                throw new JobLogException(ErrorIds.LogCorrupt, $"The job log '{path}' is not valid at line {lineNumber}: {ex.Message} Fix or remove the log, or start over with -Force and without -Resume.", ex);
            }

            if (!headerSeen)
            {
                headerSeen = true;
                identity = CheckHeader(path, fields, signature, force, out otherJob);
            }
            else if (Text(fields, "type") == "item" && Text(fields, "status") == nameof(ItemStatus.Completed) && Text(fields, "key") is { } key)
            {
                completed[key] = new LogEntry(
                    key,
                    ItemStatus.Completed,
                    (int)(fields.TryGetValue("attempts", out object? attempts) && attempts is double a ? a : 1),
                    DateTime.TryParse(Text(fields, "start"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime when) ? when : DateTime.MinValue,
                    fields.TryGetValue("duration", out object? duration) && duration is double d ? d : 0,
                    CheckXml(path, Text(fields, "output"), lineNumber),
                    // A log of another job resumed with -Force: its fingerprints were keyed by that job, so they cannot be checked.
                    otherJob ? null : Text(fields, "input"),
                    lineNumber);
            }

            keep = end + 1;
            start = end + 1;
        }

        return keep;
    }

    /// <summary>Logged output must be well-formed XML; a damaged line is reported by its number before anything runs.</summary>
    private static string? CheckXml(string path, string? xml, int lineNumber)
    {
        if (xml is null)
        {
            return null;
        }

        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
            }
        }
        catch (XmlException ex)
        {
            throw new JobLogException("LogCorrupt", $"The job log '{path}' is not valid at line {lineNumber}: its output is not valid CliXml ({ex.Message}). Fix or remove the line, or start over with -Force and without -Resume.", ex);
        }

        return xml;
    }

    /// <summary>Checks the header against this run's signature; returns the log's identity (null for an old log, whose header holds the signature itself).</summary>
    private static JobLogIdentity? CheckHeader(string path, Dictionary<string, object?> fields, string signature, bool force, out bool otherJob)
    {
        if (Text(fields, "type") != "header")
        {
            throw new JobLogException(ErrorIds.LogCorrupt, $"The file '{path}' is not a ParallelJobs job log: its first line is not a log header.");
        }

        JobLogIdentity? identity = Text(fields, "salt") is { Length: > 0 } salt ? JobLogIdentity.Derive(signature, salt) : null;
        string expected = identity?.Hash ?? signature;
        otherJob = Text(fields, "signature") != expected;
        if (otherJob && !force)
        {
            throw new JobLogException(ErrorIds.LogMismatch,
                $"The job log '{path}' was written by a different job ({Text(fields, "command")} with another script block or settings), so its results cannot stand in for this one's. Use another -LogPath, or -Force to resume from it anyway.");
        }

        return identity;
    }

    private static string? Text(Dictionary<string, object?> fields, string name) =>
        fields.TryGetValue(name, out object? value) ? value as string : null;
}
