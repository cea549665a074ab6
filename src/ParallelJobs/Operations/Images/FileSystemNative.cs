using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// What netstandard2.0 cannot ask the file system: the kind of file a path names (a FIFO looks like a file
/// to FileInfo, and opening one blocks until a writer comes), and the real path behind symbolic links, so a
/// destination reached through a linked folder is recognised as a source. Unix asks the runtime's
/// System.Native (stat) and libc (realpath); Windows asks for the handle's final path. Where neither is
/// available the answers fall back to what managed code can see.
/// </summary>
internal static class FileSystemNative
{
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private static readonly bool _isWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
    private static bool _nativeMissing;

    /// <summary>What the path names, following symbolic links.</summary>
    public static FileKind Kind(string path)
    {
        if (!_isWindows && !_nativeMissing)
        {
            try
            {
                byte[] status = new byte[512];
                if (Stat(Utf8(path), status) < 0)
                {
                    return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
                }

                // FileStatus starts with Flags then Mode (int32 each) in every runtime version.
                int type = BitConverter.ToInt32(status, 4) & TypeMask;
                return type switch
                {
                    TypeRegular => FileKind.Regular,
                    TypeDirectory => FileKind.Directory,
                    _ => FileKind.Special,
                };
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                _nativeMissing = true;
            }
        }

        return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>The full path with every symbolic link resolved, or null when the path does not exist.</summary>
    public static string? RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (!_isWindows && !_nativeMissing)
        {
            // realpath fails for a missing path itself: no stat calls first, as this runs several times per image.
            try
            {
                return UnixRealPath(full);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                _nativeMissing = true;
            }
        }

        if (!File.Exists(full) && !Directory.Exists(full) && Kind(full) == FileKind.Missing)
        {
            return null;
        }

        try
        {
            return _isWindows ? WindowsFinalPath(full) : UnixRealPath(full);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException)
        {
            return full;
        }
    }

    /// <summary>
    /// Where a path's directory entry really is: its folder's real path and its own name, without following
    /// the last component (renaming over a link replaces the link, not its target). Missing folders are
    /// resolved from their nearest existing ancestor.
    /// </summary>
    public static string EntryPath(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string? folder = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(folder))
        {
            return full;
        }

        string name = Path.GetFileName(full);
        return Path.Combine(RealPath(folder) ?? EntryPath(folder), name);
    }

    private static string? UnixRealPath(string path)
    {
        IntPtr resolved = RealPathNative(Utf8(path), IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            int length = 0;
            while (Marshal.ReadByte(resolved, length) != 0)
            {
                length++;
            }

            byte[] bytes = new byte[length];
            Marshal.Copy(resolved, bytes, 0, length);
            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            Free(resolved);
        }
    }

    private static string WindowsFinalPath(string path)
    {
        // Backup semantics opens folders too; no access rights are needed to ask for the name.
        using SafeFileHandle handle = CreateFile(path, 0, 7, IntPtr.Zero, 3, 0x02000000, IntPtr.Zero);
        if (handle.IsInvalid)
        {
            return path;
        }

        var buffer = new StringBuilder(1024);
        int length = GetFinalPathNameByHandle(handle, buffer, buffer.Capacity, 0);
        if (length <= 0 || length >= buffer.Capacity)
        {
            return path;
        }

        string final = buffer.ToString();
        return final.StartsWith(@"\\?\UNC\", StringComparison.Ordinal) ? @"\\" + final.Substring(8)
            : final.StartsWith(@"\\?\", StringComparison.Ordinal) ? final.Substring(4)
            : final;
    }

    private static byte[] Utf8(string path) => Encoding.UTF8.GetBytes(path + "\0");

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat(byte[] path, byte[] status);

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPathNative(byte[] path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    [DllImport("kernel32.dll", EntryPoint = "CreateFileW", CharSet = CharSet.Unicode, SetLastError = true)]
    private static extern SafeFileHandle CreateFile(string name, uint access, uint share, IntPtr security, uint creation, uint flags, IntPtr template);

    [DllImport("kernel32.dll", EntryPoint = "GetFinalPathNameByHandleW", CharSet = CharSet.Unicode, SetLastError = true)]
    private static extern int GetFinalPathNameByHandle(SafeFileHandle handle, StringBuilder path, int length, int flags);
}
