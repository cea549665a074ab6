using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Remote;
using ParallelJobs.Scripting;

namespace ParallelJobs.Workers;

/// <summary>
/// One worker process made ready for a pool key: its modules imported, its initialization script run and
/// its parent watched, once; each call then sets its own variables, functions and location, and a reset
/// removes them before the process goes back to the pool.
/// </summary>
internal sealed class ProcessWorker : IDisposable
{
    public const string Where = "in a worker process";

    private static readonly PSInvocationSettings Settings = new() { Host = SilentHost.Instance };

    private readonly FileStream _batchFile;
    private ServePipe? _pipe;

    private ProcessWorker(ProcessConnection connection, string poolKey, string description)
    {
        Connection = connection;
        BatchPath = Path.Combine(Path.GetTempPath(), $"ParallelJobs-{Process.GetCurrentProcess().Id}-{connection.ProcessId}-{Guid.NewGuid():N}.batch");

        // Held open for the worker's life and gone with it; the process opens it by name for each collected batch.
        _batchFile = new FileStream(BatchPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.DeleteOnClose);
        Session = new RemoteSession(connection);
        PoolKey = poolKey;
        Description = description;
        Created = DateTime.Now;
        LastUsed = Created;
    }

    public ProcessConnection Connection { get; }

    /// <summary>Where the process writes a collected batch (<see cref="BatchCollector"/>).</summary>
    public string BatchPath { get; }

    public RemoteSession Session { get; }

    public string PoolKey { get; }

    public string Description { get; }

    public DateTime Created { get; }

    public DateTime LastUsed { get; set; }

    /// <summary>How many calls have used it.</summary>
    public int Runs { get; private set; }

    /// <summary>How many items it has run since it started, for -MaxItemsPerWorker.</summary>
    public int ItemsRun { get; set; }

    /// <summary>Open, and either its serve pipeline is running or nothing runs in it.</summary>
    public bool IsUsable => Connection.IsOpen
        && (_pipe is { IsRunning: true } || Connection.Runspace.RunspaceAvailability == System.Management.Automation.Runspaces.RunspaceAvailability.Available);

    /// <summary>
    /// The process's serve pipeline for the runner that holds it now: the one still open from an earlier call (its
    /// output now goes to <paramref name="onOutput"/>), else a new one. Only that runner calls it.
    /// </summary>
    /// <param name="withDriver">Sends the driver's text along, for a process whose item removed it.</param>
    public ServePipe Pipe(Action<PSObject?> onOutput, bool withDriver)
    {
        if (_pipe is not { IsRunning: true } pipe)
        {
            _pipe?.Dispose();
            _pipe = null;
            pipe = ServePipe.Open(this, withDriver);
            _pipe = pipe;
        }

        pipe.Handler = onOutput;
        return pipe;
    }

    /// <summary>
    /// Starts a process and prepares it for <paramref name="config"/>. Throws <see cref="WorkerSetupException"/>
    /// when it cannot start or be prepared, <see cref="OperationCanceledException"/> when the run stops.
    /// </summary>
    public static ProcessWorker Start(ScriptConfig config, CancellationToken token)
    {
        ProcessConnection connection;
        try
        {
            connection = ProcessConnection.Start(config.Location, token);
        }
        catch (RemoteConnectException ex)
        {
            throw new WorkerSetupException(Engine.ErrorIds.WorkerProcessStartFailed, $"A worker process could not be started: {ex.Message}", ex);
        }

        var worker = new ProcessWorker(connection, config.PoolKey, config.Describe());
        try
        {
            worker.Step(ProcessScripts.StartParentWatch, token, ("Path", typeof(ProcessWorker).Assembly.Location), ("ParentId", Process.GetCurrentProcess().Id),
                ("Unset", connection.RuntimeTuned ? ProcessConnection.RuntimeSetting : null));
            worker.Step(ProcessScripts.ServeDriver, token, useLocalScope: false);
            worker.Session.Initialize(config, Where, local: true, token);
            worker.Session.SaveBaseline(token);
            return worker;
        }
        catch (RemoteSetupException ex)
        {
            worker.Dispose();
            throw new WorkerSetupException(ex.ErrorId, ex.Message, ex);
        }
        catch (RemoteConnectException ex)
        {
            worker.Dispose();
            throw new WorkerSetupException(Engine.ErrorIds.WorkerProcessStartFailed, $"A worker process ended while it was prepared: {ex.Message}", ex);
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>A call took this process (shown as Runs by Get-ParallelJobPool).</summary>
    public void CountRun() => Runs++;

    /// <summary>Removes what the call left behind (a call of its own, for a worker whose runner opened no pipeline). False when the process cannot be reused.</summary>
    public bool Reset()
    {
        if (!IsUsable)
        {
            return false;
        }

        try
        {
            using PowerShell reset = PowerShell.Create();
            reset.Runspace = Connection.Runspace;
            reset.AddCommand("__pjReset").Invoke(null, Settings);
            return !reset.HadErrors && AfterReset();
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>After a reset: ready for the shelf. False when the process cannot be reused.</summary>
    public bool AfterReset()
    {
        if (!IsUsable)
        {
            return false;
        }

        Session.ClearStreams();
        LastUsed = DateTime.Now;
        return true;
    }

    /// <summary>Kills the process and closes it on a thread of its own (closing waits for remoting).</summary>
    public void DisposeInBackground()
    {
        _pipe?.Dispose();
        _batchFile.Dispose();
        Connection.DisposeInBackground();
    }

    public void Dispose()
    {
        _pipe?.Dispose();
        Session.Dispose();
        Connection.Dispose();
        _batchFile.Dispose();
    }

    /// <summary>The entries of the last collected batch, one per item that ended, in order. Only the runner that holds this worker calls it.</summary>
    public object[] ReadBatch() => BatchFile.Read(_batchFile);

    /// <summary>Empties the batch file before a collected batch.</summary>
    public void ClearBatch() => _batchFile.SetLength(0);

    private void Step(string script, CancellationToken token, params (string Name, object? Value)[] parameters) => Step(script, token, true, parameters);

    private void Step(string script, CancellationToken token, bool useLocalScope, params (string Name, object? Value)[] parameters)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = Connection.Runspace;
        ps.AddScript(script, useLocalScope);
        foreach ((string name, object? value) in parameters)
        {
            ps.AddParameter(name, value);
        }

        using CancellationTokenRegistration stop = token.Register(() => ps.BeginStop(null, null));
        try
        {
            ps.Invoke(null, Settings);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            throw new OperationCanceledException(token);
        }
        catch (RemoteException ex) when (Connection.IsOpen)
        {
            throw new RemoteSetupException(Engine.ErrorIds.WorkerFailed, $"A worker process could not be prepared: {SshConnector.Reason(ex)}", ex);
        }
        catch (Exception ex) when (ex is not RemoteSetupException)
        {
            throw new RemoteConnectException(SshConnector.Reason(ex), ex);
        }
    }
}
