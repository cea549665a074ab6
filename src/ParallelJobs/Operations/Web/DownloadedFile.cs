using System;
using System.Collections.Generic;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Where one body of -OutFile or -OutDirectory goes. Its name may change once after it is written (an earlier item
/// of the input wanted the same name), so whatever shows the path binds to it instead of copying it. Guarded by the
/// lock of its <see cref="WebDownload"/>.
/// </summary>
internal sealed class DownloadedFile
{
    private readonly List<Action<string>> _bound = new();

    public DownloadedFile(string owner, (long, int) position, string name, string folder)
    {
        Owner = owner;
        Position = position;
        Name = name;
        Folder = folder;
    }

    public string Owner { get; }

    public (long, int) Position { get; }

    public string Name { get; private set; }

    public string Folder { get; }

    public string Path => System.IO.Path.Combine(Folder, Name);

    public bool Written { get; set; }

    /// <summary>Under the download's lock: calls <paramref name="show"/> with the path now and after any rename.</summary>
    public void AddBinding(Action<string> show)
    {
        _bound.Add(show);
        show(Path);
    }

    public void Rename(string name)
    {
        Name = name;
        foreach (Action<string> show in _bound)
        {
            show(Path);
        }
    }
}
