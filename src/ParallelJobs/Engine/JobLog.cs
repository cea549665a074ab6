using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using ParallelJobs.Json;

namespace ParallelJobs.Engine;

/// <summary>
/// The -LogPath job log, like GNU parallel's --joblog: JSON Lines, a header that names the job, then one
/// line per finished item, flushed as the item ends. -Resume reads it back and skips completed items.
/// </summary>
internal sealed class JobLog : IResultLog, IDisposable
{
    private const int Version = 1;

    private readonly object _lock = new();
    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private readonly Dictionary<string, LogEntry> _completed;

    private JobLog(FileStream stream, Dictionary<string, LogEntry> completed)
    {
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

        long keep = 0;
        if (exists && resume)
        {
            keep = Read(path, signature, force, completed, warn);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobLogException(ErrorIds.LogNotWritable, $"The job log '{path}' cannot be written: {ex.Message}", ex);
        }

        // Cut a half-written last line away, so the log stays readable after this run appends to it.
        stream.SetLength(exists && resume ? keep : 0);
        stream.Seek(0, SeekOrigin.End);
        var log = new JobLog(stream, completed);

        // A new log, or one whose header itself was cut off by a crash, starts with a header.
        if (!(exists && resume) || keep == 0)
        {
            log.WriteLine(new Dictionary<string, object?>
            {
                ["type"] = "header",
                ["version"] = Version,
                ["command"] = command,
                ["signature"] = signature,
                ["created"] = DateTime.Now.ToString("o", CultureInfo.InvariantCulture),
            });
        }

        return log;
    }

    public bool TryGetCompleted(string key, out LogEntry entry) => _completed.TryGetValue(key, out entry!);

    /// <summary>Worker threads: records one finished item and flushes it to disk.</summary>
    public void Append(ItemResult result)
    {
        if (result.Status == ItemStatus.Skipped || result.FromLog)
        {
            return;
        }

        string? output = result.Output is { Count: > 0 } ? PSSerializer.Serialize(result.Output.Cast<object?>().ToArray(), OutputDepth) : null;
        string? error = result.Failure?.Exception.Message
            ?? result.Records?.Where(r => r.Kind == StreamKind.Error).Select(r => ((ErrorRecord)r.Record).Exception.Message).FirstOrDefault();
        WriteLine(new Dictionary<string, object?>
        {
            ["type"] = "item",
            ["index"] = result.Index,
            ["key"] = result.Item.Key ?? result.Index.ToString(CultureInfo.InvariantCulture),
            ["status"] = result.Status.ToString(),
            ["attempts"] = result.Attempts,
            ["start"] = result.StartTime.ToString("o", CultureInfo.InvariantCulture),
            ["duration"] = Math.Round(result.Duration.TotalSeconds, 6),
            ["error"] = error,
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

        object value = PSSerializer.Deserialize(entry.OutputXml);
        object? unwrapped = value is PSObject pso ? pso.BaseObject : value;
        return unwrapped is System.Collections.IEnumerable many and not string
            ? many.Cast<object?>().ToArray()
            : new[] { value };
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }

    private void WriteLine(Dictionary<string, object?> fields)
    {
        string line = JsonLine.Write(fields);
        lock (_lock)
        {
            _writer.WriteLine(line);
            _writer.Flush();
            _stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Reads an existing log; returns the byte length of its whole lines.</summary>
    private static long Read(string path, string signature, bool force, Dictionary<string, LogEntry> completed, Action<string> warn)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long keep = 0;
        int lineNumber = 0;
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

            Dictionary<string, object?> fields;
            try
            {
                fields = JsonLine.Read(line);
            }
            catch (FormatException ex)
            {
                throw new JobLogException(ErrorIds.LogCorrupt, $"The job log '{path}' is not valid at line {lineNumber}: {ex.Message} Fix or remove the log, or start over with -Force and without -Resume.", ex);
            }

            if (lineNumber == 1)
            {
                CheckHeader(path, fields, signature, force);
            }
            else if (Text(fields, "type") == "item" && Text(fields, "status") == nameof(ItemStatus.Completed) && Text(fields, "key") is { } key)
            {
                completed[key] = new LogEntry(
                    key,
                    ItemStatus.Completed,
                    (int)(fields.TryGetValue("attempts", out object? attempts) && attempts is double a ? a : 1),
                    DateTime.TryParse(Text(fields, "start"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime when) ? when : DateTime.MinValue,
                    fields.TryGetValue("duration", out object? duration) && duration is double d ? d : 0,
                    Text(fields, "output"));
            }

            keep = end + 1;
            start = end + 1;
        }

        return keep;
    }

    private static void CheckHeader(string path, Dictionary<string, object?> fields, string signature, bool force)
    {
        if (Text(fields, "type") != "header")
        {
            throw new JobLogException(ErrorIds.LogCorrupt, $"The file '{path}' is not a ParallelJobs job log: its first line is not a log header.");
        }

        if (Text(fields, "signature") != signature && !force)
        {
            throw new JobLogException(ErrorIds.LogMismatch,
                $"The job log '{path}' was written by a different job ({Text(fields, "command")} with another script block or settings), so its results cannot stand in for this one's. Use another -LogPath, or -Force to resume from it anyway.");
        }
    }

    private static string? Text(Dictionary<string, object?> fields, string name) =>
        fields.TryGetValue(name, out object? value) ? value as string : null;
}
