using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace ParallelJobs.Workers;

/// <summary>
/// Runs inside a worker process (loaded there by <see cref="ProcessWorker"/>): ends the process as soon as
/// the process that started it is gone, so a caller killed with kill -9 leaves no worker behind. A closed
/// stdin does not end a PowerShell server process that is busy, so the worker watches for itself.
/// </summary>
internal static class ParentWatch
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private static Thread? _thread;

    /// <summary>Starts the watch once per process. <paramref name="parentId"/> is the caller's process id.</summary>
    public static void Start(int parentId)
    {
        if (_thread is not null)
        {
            return;
        }

        _thread = new Thread(() => Watch(parentId)) { IsBackground = true, Name = "ParallelJobs parent watch" };
        _thread.Start();
    }

    private static void Watch(int parentId)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            WatchWindows(parentId);
            return;
        }

        // On Unix an orphan is given to another parent at once: its parent id changes (a dead parent that is
        // not reaped yet would still look alive to a lookup by id).
        while (getppid() == parentId)
        {
            Thread.Sleep(Poll);
        }

        EndSelf();
    }

    private static void WatchWindows(int parentId)
    {
        try
        {
            using System.Diagnostics.Process parent = System.Diagnostics.Process.GetProcessById(parentId);
            parent.WaitForExit();
        }
        catch (Exception)
        {
            // Gone already.
        }

        EndSelf();
    }

    private static void EndSelf()
    {
        // No exit handlers: they could wait on the pipeline the dead caller was running.
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int getppid();
}
