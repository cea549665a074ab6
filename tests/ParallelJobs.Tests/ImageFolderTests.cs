using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ParallelJobs.Operations.Images;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>Resize-Image -Recurse's listing of a folder: which files, in what order, and what it leaves out.</summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pj-imagefolder-" + Guid.NewGuid().ToString("N"));

    public ImageFolderTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void ListsImagesByExtension_AFoldersFilesFirst_ThenItsSubfoldersByName()
    {
        Touch("b/2.jpg", "b/1.PNG", "a/z/deep.webp", "a/x.gif", "top.jpeg", "notes.txt", "a/.x.jpg.0123.tmp", "Z.tif");

        string[] listed = List(exclude: null);

        Assert.Equal(new[] { "Z.tif", "top.jpeg", "a/x.gif", "a/z/deep.webp", "b/1.PNG", "b/2.jpg" }, listed);
    }

    [Fact]
    public void LeavesOutTheDestinationFolder()
    {
        Touch("p.jpg", "thumbs/p.jpg", "thumbs/sub/q.jpg", "thumbsx/r.jpg");

        Assert.Equal(new[] { "p.jpg", "thumbsx/r.jpg" }, List(exclude: Path.Combine(_dir, "thumbs")));
    }

    [Fact]
    public void DoesNotFollowALinkedFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Touch("real/p.jpg");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "loop"), _dir);

        Assert.Equal(new[] { "real/p.jpg" }, List(exclude: null));
    }

    private string[] List(string? exclude)
    {
        var errors = new List<string>();
        string[] files = ImageFolder.Enumerate(_dir, exclude, (folder, _) => errors.Add(folder))
            .Select(f => Path.GetRelativePath(_dir, f).Replace('\\', '/'))
            .ToArray();
        Assert.Empty(errors);
        return files;
    }

    private void Touch(params string[] names)
    {
        foreach (string name in names)
        {
            string path = Path.Combine(_dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Array.Empty<byte>());
        }
    }
}
