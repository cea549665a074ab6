using System;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Remote;

namespace ParallelJobs.Workers;

/// <summary>
/// A worker process's long-lived pipeline (<see cref="ProcessScripts.Serve"/>): a call's setup, each batch and the
/// reset after the call are messages on its input, so a batch costs no round trip of its own, and it stays open while
/// the process waits in the pool, so a call does not start one either (starting and ending a pipeline cost both
/// processes a few milliseconds each time; ten processes at once on two cores, most of a warm call's overhead).
/// One runner at a time holds it (<see cref="Handler"/>); between calls only the reset's answer is awaited.
/// </summary>
internal sealed class ServePipe : IDisposable
{
    private static readonly System.Collections.Hashtable ResetMessage = new() { ["Kind"] = "reset" };

    private readonly RemoteSession _session;
    private readonly PSDataCollection<object> _input;
    private readonly IAsyncResult _running;

    // Set by the runner that holds the pipe, or by Release; read on remoting's threads.
    private volatile Action<PSObject?>? _handler;

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

    /// <summary>Where what the pipeline writes goes: the runner that holds it now. Remoting's threads call it.</summary>
    public Action<PSObject?>? Handler
    {
        set => _handler = value;
    }

    /// <param name="withDriver">Sends the driver's text along, for a process whose item removed it.</param>
    public static ServePipe Open(ProcessWorker worker, bool withDriver)
    {
        var output = new PSDataCollection<PSObject>();
        var input = new PSDataCollection<object>();
        ServePipe? pipe = null;
        output.DataAdded += (s, e) => pipe?._handler?.Invoke(output[e.Index]);
        IAsyncResult running = worker.Session.BeginServe(ProcessScripts.Serve, withDriver ? ProcessScripts.ServeDriver : null, worker.BatchPath, input, output);
        pipe = new ServePipe(worker.Session, input, output, running);
        return pipe;
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
    /// After a call: sends the reset (what the call defined goes) and returns at once. <paramref name="done"/> is called
    /// once, on another thread: true when the process answered that it is as it came, false when the pipeline ended or
    /// broke, or gave no answer within <paramref name="wait"/> (the process is then not reused).
    /// </summary>
    public void Release(TimeSpan wait, Action<bool> done)
    {
        int settled = 0;
        RegisteredWaitHandle? watch = null;
        void Settle(bool ok)
        {
            if (Interlocked.Exchange(ref settled, 1) == 0)
            {
                _handler = null;
                watch?.Unregister(null);
                done(ok);
            }
        }

        _handler = value =>
        {
            if (value is not null && BatchMarker.IsResetDone(value))
            {
                Settle(true);
            }
        };

        // A wait thread watches for the pipeline's end and the deadline; no thread is held meanwhile.
        watch = ThreadPool.RegisterWaitForSingleObject(_running.AsyncWaitHandle, (state, timedOut) => Settle(false), null, wait, executeOnlyOnce: true);
        try
        {
            _input.Add(ResetMessage);
        }
        catch (Exception)
        {
            Settle(false);
        }
    }

    public void Dispose()
    {
        _handler = null;
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
