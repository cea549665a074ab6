using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// -OutDirectory: stores each page's body under <see cref="PagePath"/>. A body is written to a temporary file
/// beside its target and renamed over it only once complete, so a reader never sees half a page, and a page
/// that fails midway leaves nothing behind. Thread-safe: two workers storing one path each rename their own
/// file, and the last one wins.
/// </summary>
internal sealed class PageStore
{
    // File.Move(source, destination, overwrite) is a single rename(2) or MoveFileEx; netstandard2.0 lacks it,
    // the PowerShell 7 runtime has it. Windows PowerShell falls back to File.Replace.
    private static readonly Action<string, string, bool>? MoveOverwrite =
        typeof(File).GetMethod(nameof(File.Move), new[] { typeof(string), typeof(string), typeof(bool) }) is { } move
            ? (Action<string, string, bool>)Delegate.CreateDelegate(typeof(Action<string, string, bool>), move)
            : null;

    private readonly string _root;
    private int _counter;

    public PageStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    /// <summary>Opens the temporary file for a page; its <see cref="Pending.Commit"/> puts it in place.</summary>
    public Pending Begin(Uri uri, bool html)
    {
        string target = Place(PagePath.For(uri, html)) ?? Place(PagePath.Flat(uri, html))
            ?? throw new IOException($"No place under '{_root}' can hold the page {uri}: a folder or file of the same name is in the way.");
        string temp = target + "." + Environment.CurrentManagedThreadId + "-" + Interlocked.Increment(ref _counter) + ".tmp";
        return new Pending(target, temp, new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920));
    }

    /// <summary>The full path for the segments with its folders made, or null when a file or folder is in the way.</summary>
    private string? Place(List<string> parts)
    {
        string folder = _root;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            folder = Path.Combine(folder, parts[i]);
            if (File.Exists(folder))
            {
                return null;
            }
        }

        string target = Path.Combine(folder, parts[parts.Count - 1]);
        if (!Inside(target) || Directory.Exists(target))
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException) when (File.Exists(folder) || !Directory.Exists(folder))
        {
            // Another worker stored a page where this one needs a folder.
            return null;
        }

        return target;
    }

    /// <summary>A last guard: the segments are plain names, so this holds unless something was missed.</summary>
    private bool Inside(string path)
    {
        string full = Path.GetFullPath(path);
        return full.StartsWith(_root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    internal sealed class Pending : IDisposable
    {
        private readonly string _target;
        private readonly string _temp;
        private bool _done;

        public Pending(string target, string temp, FileStream stream)
        {
            _target = target;
            _temp = temp;
            Stream = stream;
        }

        public FileStream Stream { get; }

        /// <summary>Closes the file and renames it over the target; returns the target's full path.</summary>
        public string Commit()
        {
            Stream.Dispose();
            if (MoveOverwrite is not null)
            {
                MoveOverwrite(_temp, _target, true);
            }
            else if (File.Exists(_target))
            {
                File.Replace(_temp, _target, null);
            }
            else
            {
                File.Move(_temp, _target);
            }

            _done = true;
            return _target;
        }

        /// <summary>Without a commit (a failure, a timeout): the temporary file goes.</summary>
        public void Dispose()
        {
            Stream.Dispose();
            if (!_done)
            {
                try
                {
                    File.Delete(_temp);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
