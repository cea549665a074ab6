using System;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Remote;

namespace ParallelJobs.Workers;

/// <summary>
/// A worker process's long-lived pipeline for one call (<see cref="ProcessScripts.Serve"/>): each batch is a message
/// on its input, so a batch costs no round trip of its own (a new pipeline each time cost a few milliseconds of
/// both processes' time, ten processes at once on two cores much more). Used by the one runner that holds the worker.
/// </summary>
internal sealed class ServePipe : IDisposable
{
    private static readonly System.Collections.Hashtable ResetMessage = new() { ["Kind"] = "reset" };

    private readonly RemoteSession _session;
    private readonly PSDataCollection<object> _input;
    private readonly IAsyncResult _running;

    private ServePipe(RemoteSession session, PSDataCollection<object> input, PSDataCollection<PSObject> output, IAsyncResult running)
    {
        _session = session;
        _input = input;
        Output = output;
        _running = running;
    }

    /// <summary>What the pipeline writes; the runner empties it after each batch (all of a batch arrives before its end).</summary>
    public PSDataCollection<PSObject> Output { get; }

    public bool IsRunning => !_running.IsCompleted;

    /// <param name="withDriver">Sends the driver's text along, for a process whose item removed it.</param>
    public static ServePipe Open(ProcessWorker worker, Action<PSObject?> onOutput, bool withDriver)
    {
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (s, e) => onOutput(output[e.Index]);
        var input = new PSDataCollection<object>();
        IAsyncResult running = worker.Session.BeginServe(ProcessScripts.Serve, withDriver ? ProcessScripts.ServeDriver : null, worker.BatchPath, input, output);
        worker.CountRun();
        return new ServePipe(worker.Session, input, output, running);
    }

    public void Send(object message) => _input.Add(message);

    /// <summary>
    /// Waits until <paramref name="done"/> is set (the batch's end arrived), the pipeline ends or <paramref name="exited"/>
    /// (the process is gone, which remoting notices only much later). Returns why the batch broke, or null when it did not fail.
    /// </summary>
    public Exception? Wait(WaitHandle done, WaitHandle exited)
    {
        int which = WaitHandle.WaitAny(new[] { done, _running.AsyncWaitHandle, exited });
        if (which == 0)
        {
            return null;
        }

        if (which == 2 && !_running.IsCompleted && !done.WaitOne(0))
        {
            return new RemoteConnectException("the other side of the session is gone", null);
        }

        if (done.WaitOne(0))
        {
            return null;
        }

        try
        {
            // Ended without the batch's end and without an error: an item ended the driver itself (exit); the runner
            // finishes that item and opens a new pipeline for the next batch.
            _session.EndServe(_running);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// Sends the reset (what the call defined goes), ends the input and waits up to <paramref name="wait"/> for the
    /// pipeline to end: one round trip for both. False when it did not end cleanly; the process is then not reused.
    /// </summary>
    public bool ResetAndClose(TimeSpan wait)
    {
        try
        {
            _input.Add(ResetMessage);
            _input.Complete();
            if (!_running.AsyncWaitHandle.WaitOne(wait))
            {
                return false;
            }

            _session.EndServe(_running);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            _input.Complete();
        }
        catch (Exception)
        {
            // Already complete.
        }
    }
}
