using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Scripting;

namespace ParallelJobs.Remote;

/// <summary>
/// One worker's slot on a remote host: runs its items one invocation each in the slot's session.
/// Records the remote side writes arrive on remoting's threads and are charged to the running item,
/// marked with its index and host. When the session breaks, the running item and the rest of the batch
/// go back in the queue; the runner reconnects, moves to a free slot on another host, or retires.
/// </summary>
internal sealed class RemoteRunner : IItemRunner
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);

    private readonly RemoteCoordinator _factory;
    private readonly RunContext _context;
    private readonly Action<ItemAttempt> _stopForTimeout;

    // Guards _current: remoting's threads charge records to it, the watchdog stops it.
    private readonly object _recordLock = new();
    private ItemAttempt? _current;
    private RemoteSlot? _slot;
    private volatile RemoteSession? _session;

    public RemoteRunner(RemoteCoordinator factory, RunContext context)
    {
        _factory = factory;
        _context = context;
        _stopForTimeout = StopForTimeout;
    }

    /// <summary>Takes a free slot and opens its session; retires the worker when no slot is left.</summary>
    public void Attach(CancellationToken token)
    {
        while (true)
        {
            RemoteSlot slot = _factory.Bind(_context) ?? throw new RunnerRetiredException("No remote slot is left for this worker.");
            try
            {
                Use(slot, _factory.Open(slot, token));
                return;
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                _factory.Unbind(slot);
                throw new OperationCanceledException(token);
            }
            catch (Exception ex)
            {
                _factory.SlotFailed(slot, ex, _context, duringRun: false);
            }
        }
    }

    public void Run(IReadOnlyList<WorkItem> batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            if (_context.ShouldStop)
            {
                _context.PutBackFrom(batch, i);
                return;
            }

            Exception? lost = RunItem(batch[i]);
            if (lost is null)
            {
                continue;
            }

            _context.PutBackFrom(batch, i + 1);
            Recover(lost, _context.Token);
            return;
        }
    }

    public void Stop() => _session?.Stop();

    public void Dispose()
    {
        if (_slot is not null && _session is not null)
        {
            _factory.Disconnected(_slot, _session, healthy: _session.Connection.IsOpen);
        }

        _session = null;
        _slot = null;
    }

    /// <summary>Runs one item. Returns the failure when the session broke under it (the engine then runs it again or fails it).</summary>
    private Exception? RunItem(WorkItem item)
    {
        RemoteSession session = _session!;
        string host = _slot!.Host.Name;
        ItemAttempt attempt = _context.Begin(item, _stopForTimeout);
        attempt.HostName = host;
        ScriptTask task = item.Task as ScriptTask ?? _factory.Config.DefaultTask!;
        var output = new PSDataCollection<PSObject>();
        lock (_recordLock)
        {
            _current = attempt;
        }

        ErrorRecord? failure = null;
        Exception? lost = null;
        try
        {
            session.Invoke(task, item.Task is null, item.Input, output);
        }
        catch (Exception) when (_context.Token.IsCancellationRequested)
        {
            // Stopped: the run is over and nobody waits for this item.
            return null;
        }
        catch (Exception) when (attempt.TimedOut)
        {
            // Ended below: the attempt reports the timeout.
        }
        catch (RemoteException ex) when (session.Connection.IsOpen)
        {
            // Whatever the remote side throws arrives as a RemoteException: the item failed, not the session.
            failure = ex.ErrorRecord;
        }
        catch (Exception ex)
        {
            // Anything else failed on this side (a broken transport, a session in a bad state): the item
            // goes round again, on a fresh session, rather than let a bad slot fail item after item.
            lost = ex;
        }
        finally
        {
            lock (_recordLock)
            {
                _current = null;
            }

            session.ClearStreams();
        }

        if (lost is not null)
        {
            attempt.WorkerLost(losses => new ErrorRecord(
                new RemoteConnectException($"The session broke under this item {losses} times, the last time on host '{host}' ({SshConnector.Reason(lost)}); it is not run again.", lost),
                ErrorIds.RemoteSessionLost,
                ErrorCategory.ConnectionError,
                item.Input));
            return lost;
        }

        if (output.Count > 0)
        {
            attempt.SetOutput(new List<PSObject>(output));
        }

        if (failure is null)
        {
            attempt.Finish();
        }
        else
        {
            attempt.Fail(failure);
        }

        return null;
    }

    /// <summary>
    /// The session broke: reconnect to the same host if it answers, else report the slot (and maybe the
    /// host) gone and move to another free slot, or retire. This runs inside Run, so the run cannot end
    /// meanwhile: once no work is left for this worker, it stops trying and retires.
    /// </summary>
    private void Recover(Exception lost, CancellationToken token)
    {
        RemoteSlot slot = _slot!;
        _factory.Disconnected(slot, _session!, healthy: false);
        _session = null;
        _slot = null;

        using var idle = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, idle.Token);
        using var watch = new Timer(_ => CancelWhenIdle(idle), null, IdlePoll, IdlePoll);
        Exception reason = lost;
        bool reported = false;
        try
        {
            if (slot.GivenSession is null && !_factory.IsDown(slot.Host))
            {
                try
                {
                    Use(slot, _factory.Open(slot, linked.Token, retry: false));
                    _context.Post(StreamKind.Verbose, new VerboseRecord($"{slot}: the session broke ({SshConnector.Reason(lost)}) and was opened again."));
                    return;
                }
                catch (Exception ex) when (!linked.IsCancellationRequested)
                {
                    reason = ex is RemoteSetupException ? ex : lost;
                }
            }

            _factory.SlotFailed(slot, reason, _context, duringRun: true);
            reported = true;
            Attach(linked.Token);
        }
        catch (Exception) when (idle.IsCancellationRequested && !token.IsCancellationRequested)
        {
            if (!reported)
            {
                _factory.SlotFailed(slot, reason, _context, duringRun: true);
            }

            throw new RunnerRetiredException("No work is left for this worker.");
        }
    }

    private void CancelWhenIdle(CancellationTokenSource idle)
    {
        try
        {
            if (!_context.HasPendingWork)
            {
                idle.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
            // Recovery already ended.
        }
    }

    private void Use(RemoteSlot slot, RemoteSession session)
    {
        PSDataStreams streams = session.Streams;
        streams.Error.DataAdded += (s, e) => OnRecord(StreamKind.Error, streams.Error, e.Index);
        streams.Warning.DataAdded += (s, e) => OnRecord(StreamKind.Warning, streams.Warning, e.Index);
        streams.Verbose.DataAdded += (s, e) => OnRecord(StreamKind.Verbose, streams.Verbose, e.Index);
        streams.Debug.DataAdded += (s, e) => OnRecord(StreamKind.Debug, streams.Debug, e.Index);
        streams.Information.DataAdded += (s, e) => OnRecord(StreamKind.Information, streams.Information, e.Index);
        streams.Progress.DataAdded += (s, e) => OnRecord(StreamKind.Progress, streams.Progress, e.Index);
        _slot = slot;
        _session = session;
        _factory.Connected(slot);
    }

    /// <summary>Remoting's thread: charges a record to the running item. Must never throw: that would break the session.</summary>
    private void OnRecord<T>(StreamKind kind, PSDataCollection<T> collection, int index)
    {
        try
        {
            object? record = collection[index];
            if (record is null)
            {
                return;
            }

            lock (_recordLock)
            {
                ItemAttempt? current = _current;
                if (current is null)
                {
                    _context.Post(kind, record);
                    return;
                }

                string tag = $"[{current.Index}@{current.HostName}] ";
                switch (record)
                {
                    case WarningRecord warning when kind == StreamKind.Warning:
                        record = new WarningRecord(tag + warning.Message);
                        break;
                    case VerboseRecord verbose:
                        record = new VerboseRecord(tag + verbose.Message);
                        break;
                    case DebugRecord debug:
                        record = new DebugRecord(tag + debug.Message);
                        break;
                    case InformationRecord information:
                        information.Tags.Add("ParallelJobs.Index=" + current.Index);
                        information.Tags.Add("ParallelJobs.Host=" + current.HostName);
                        break;
                    case ProgressRecord progress:
                        progress.Activity = tag + progress.Activity;
                        _context.PostLive(current.Index, StreamKind.Progress, progress);
                        return;
                }

                current.AddRecord(kind, record);
            }
        }
        catch (Exception)
        {
            // A record we cannot read is dropped rather than let it break the session.
        }
    }

    /// <summary>Watchdog thread: <paramref name="attempt"/> outlived -ItemTimeoutSeconds.</summary>
    private void StopForTimeout(ItemAttempt attempt)
    {
        lock (_recordLock)
        {
            if (_current != attempt)
            {
                return;
            }
        }

        _session?.Stop();
    }
}
