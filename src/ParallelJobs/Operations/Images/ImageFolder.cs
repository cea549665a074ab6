using System;
using System.Collections.Generic;
using System.IO;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// -Recurse: the image files below a folder, by extension, in a stable order (a folder's files by name, then
/// its subfolders by name), so that input order, and with it the output order and the job-log indexes, is the
/// same on every run. Linked folders are not followed (a link back up would never end), and the destination
/// folder is left out, so that a run never takes its own earlier output for sources.
/// </summary>
internal static class ImageFolder
{
    private static readonly HashSet<string> _extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".tga", ".pbm", ".pgm", ".ppm",
    };

    public static bool IsImageName(string path) => _extensions.Contains(Path.GetExtension(path));

    /// <summary>The image files below <paramref name="folder"/>; a folder that cannot be listed is reported and skipped.</summary>
    public static IEnumerable<string> Enumerate(string folder, string? exclude, Action<string, Exception> unreadable)
    {
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(folder));
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            string[] files;
            string[] folders;
            try
            {
                files = Directory.GetFiles(current);
                folders = Directory.GetDirectories(current);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                unreadable(current, ex);
                continue;
            }

            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                if (IsImageName(file))
                {
                    yield return file;
                }
            }

            // Pushed in reverse, so that they come off the stack in name order.
            Array.Sort(folders, StringComparer.Ordinal);
            for (int i = folders.Length - 1; i >= 0; i--)
            {
                string sub = folders[i];
                if ((exclude is not null && ImageResizeSettings.SamePath(sub, exclude)) || IsLink(sub))
                {
                    continue;
                }

                pending.Push(sub);
            }
        }
    }

    private static bool IsLink(string folder)
    {
        try
        {
            return (File.GetAttributes(folder) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
