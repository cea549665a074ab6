using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Scripting;

namespace ParallelJobs.Remote;

/// <summary>
/// Runs a script run's items on remote hosts over PowerShell remoting (SSH). Each worker of the run owns
/// one slot, that is one session on one host; workers pull the next item when they are free, so a slow
/// host simply takes fewer items. When a host drops, its running items go back in the queue and its
/// workers move to free slots elsewhere or retire; when no host is left the run halts and says so.
/// </summary>
internal sealed class RemoteCoordinator : IRunnerFactory, IDisposable
{
    private static readonly TimeSpan[] ConnectRetryDelays = { TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1) };

    private readonly object _lock = new();
    private readonly RemotePlan _plan;
    private readonly HashSet<ISessionConnection> _open = new();

    // The pool entries of the sessions this run opened or took from the pool, by connection.
    private readonly Dictionary<ISessionConnection, PooledSession> _pooled = new();
    private bool _allLost;
    private bool _disposed;

    public RemoteCoordinator(RemotePlan plan, ScriptConfig config)
    {
        _plan = plan;
        Config = config;
    }

    public ScriptConfig Config { get; }

    /// <summary>How many workers the run needs: every slot of every host.</summary>
    public int SlotCount => _plan.Slots.Count;

    public IItemRunner Create(RunContext context)
    {
        var runner = new RemoteRunner(this, context);
        try
        {
            runner.Attach(context.Token);
        }
        catch
        {
            runner.Dispose();
            throw;
        }

        return runner;
    }

    public void Dispose()
    {
        List<ISessionConnection> left;
        lock (_lock)
        {
            _disposed = true;
            left = _open.ToList();
            _open.Clear();
        }

        foreach (ISessionConnection connection in left)
        {
            connection.DisposeInBackground();
        }
    }

    /// <summary>
    /// Hands a worker the first free slot on a host that is still up, hosts taken in turn. Returns null
    /// when there is none; when no host is left at all, halts the run (queued items are then skipped).
    /// </summary>
    internal RemoteSlot? Bind(RunContext context)
    {
        bool halt = false;
        lock (_lock)
        {
            foreach (RemoteSlot slot in _plan.Slots)
            {
                if (slot.State == SlotState.Free && !slot.Host.IsDown)
                {
                    slot.State = SlotState.Bound;
                    return slot;
                }
            }

            if (!_allLost && !_plan.Slots.Any(s => s.State != SlotState.Dead && !s.Host.IsDown))
            {
                _allLost = true;
                halt = true;
            }
        }

        if (halt)
        {
            string summary;
            lock (_lock)
            {
                summary = string.Join("; ", _plan.Hosts.Select(h => $"{h.Name}: {Describe(h.Loss)}"));
            }

            context.AllWorkersLost(summary);
        }

        return null;
    }

    /// <summary>A worker stopped before using its slot (the run is stopping): the slot is free again.</summary>
    internal void Unbind(RemoteSlot slot)
    {
        lock (_lock)
        {
            if (slot.State == SlotState.Bound)
            {
                slot.State = SlotState.Free;
            }
        }
    }

    /// <summary>
    /// Opens and prepares a session for <paramref name="slot"/>. With <paramref name="retry"/>, a failed
    /// connection to a host that serves other slots is tried twice more (sshd drops connections beyond
    /// its MaxStartups); a host with no session yet is not hammered. Runs on the worker's thread.
    /// </summary>
    internal RemoteSession Open(RemoteSlot slot, CancellationToken token, bool retry = true)
    {
        RemoteHost host = slot.Host;
        if (slot.GivenSession is { } given)
        {
            if (given.Runspace is null || given.Runspace.RunspaceStateInfo.State != System.Management.Automation.Runspaces.RunspaceState.Opened)
            {
                throw new RemoteConnectException($"the session '{given.Name}' is {given.Runspace?.RunspaceStateInfo.State.ToString() ?? "not open"}", null);
            }

            return Prepare(new RemoteConnection(given, null), host, token);
        }

        if (TakePooled(slot, token) is { } warm)
        {
            return warm;
        }

        for (int attempt = 0; ; attempt++)
        {
            RemoteConnection connection;
            host.ConnectGate.Wait(token);
            try
            {
                if (IsDown(host))
                {
                    throw new RemoteConnectException("the host is already lost", null);
                }

                connection = SshConnector.Open(host.Target!, token);
            }
            catch (RemoteConnectException) when (retry && attempt < ConnectRetryDelays.Length && IsKnownUp(host))
            {
                host.ConnectGate.Release();
                if (token.WaitHandle.WaitOne(ConnectRetryDelays[attempt]))
                {
                    throw new OperationCanceledException(token);
                }

                continue;
            }
            catch
            {
                host.ConnectGate.Release();
                throw;
            }

            host.ConnectGate.Release();
            lock (_lock)
            {
                if (_disposed)
                {
                    connection.DisposeInBackground();
                    throw new OperationCanceledException();
                }

                _open.Add(connection);
                _pooled[connection] = new PooledSession(connection, PooledSession.KeyFor(host.Target!, Config), host.Name, Config.Describe()) { Runs = 1 };
            }

            return Prepare(connection, host, token);
        }
    }

    /// <summary>A slot's session is ready and in use.</summary>
    internal void Connected(RemoteSlot slot)
    {
        lock (_lock)
        {
            slot.Host.Connected++;
        }
    }

    /// <summary>A slot's session broke, or is given back at the end of the run.</summary>
    internal void Disconnected(RemoteSlot slot, RemoteSession session, bool healthy)
    {
        lock (_lock)
        {
            slot.Host.Connected--;
            _open.Remove(session.Connection);
        }

        PooledSession? pooled;
        lock (_lock)
        {
            _pooled.TryGetValue(session.Connection, out pooled);
            _pooled.Remove(session.Connection);
        }

        if (healthy && pooled is not null && session.ResetToBaseline())
        {
            // Kept for the next call to this host (Get-ParallelJobPool shows it).
            session.Dispose();
            pooled.LastUsed = DateTime.Now;
            SshPool.Return(pooled);
            return;
        }

        session.Dispose();
        if (healthy)
        {
            session.Restore();
            session.Connection.Dispose();
        }
        else
        {
            session.Connection.DisposeInBackground();
        }
    }

    /// <summary>
    /// A slot could not connect, or broke and could not reconnect: the slot is dead. The host is down
    /// when none of its sessions is left, or at once when it cannot be prepared (that repeats on every
    /// slot). Each host's loss is reported once: an error for a failed setup, else a warning.
    /// </summary>
    internal void SlotFailed(RemoteSlot slot, Exception reason, RunContext context, bool duringRun)
    {
        RemoteHost host = slot.Host;
        StreamKind kind;
        object record;
        lock (_lock)
        {
            slot.State = SlotState.Dead;
            if (host.IsDown)
            {
                return;
            }

            string why = SshConnector.Reason(reason);
            if (reason is RemoteSetupException setup)
            {
                host.Loss = HostLoss.SetupFailed;
                kind = StreamKind.Error;
                record = new ErrorRecord(setup, setup.ErrorId, ErrorCategory.ResourceUnavailable, host.Name);
            }
            else if (host.Connected > 0)
            {
                // The host still serves other slots: only this one is gone.
                kind = StreamKind.Verbose;
                record = new VerboseRecord($"{slot} is gone ({why}); the host's other slots go on.");
            }
            else if (duringRun)
            {
                host.Loss = HostLoss.Lost;
                kind = StreamKind.Warning;
                record = new WarningRecord($"Host '{host.Name}' was lost during the run ({why}). Its running items went back in the queue and run on the other hosts.");
            }
            else
            {
                host.Loss = HostLoss.Unreachable;
                kind = StreamKind.Warning;
                record = new WarningRecord($"Host '{host.Name}' could not be reached ({why}). Its items run on the other hosts.");
            }
        }

        context.Post(kind, record);
    }

    private bool IsKnownUp(RemoteHost host)
    {
        lock (_lock)
        {
            return !host.IsDown && host.Connected > 0;
        }
    }

    internal bool IsDown(RemoteHost host)
    {
        lock (_lock)
        {
            return host.IsDown;
        }
    }

    private static string Describe(HostLoss loss) => loss switch
    {
        HostLoss.Unreachable => "could not be reached",
        HostLoss.Lost => "lost during the run",
        HostLoss.SetupFailed => "could not be prepared",
        _ => "no slot left",
    };

    /// <summary>
    /// A session an earlier call left in the pool for this host, set up for this run; null when there is none.
    /// One that died meanwhile is closed and not reported: the caller opens a new one.
    /// </summary>
    private RemoteSession? TakePooled(RemoteSlot slot, CancellationToken token)
    {
        if (slot.Host.Target is not { } target)
        {
            return null;
        }

        string key = PooledSession.KeyFor(target, Config);
        while (SshPool.TryTake(key) is { } pooled)
        {
            var session = new RemoteSession(pooled.Connection);
            try
            {
                session.ApplyRun(Config, $"on host '{slot.Host.Name}'", token);
            }
            catch (Exception) when (!token.IsCancellationRequested)
            {
                session.Dispose();
                pooled.Connection.DisposeInBackground();
                continue;
            }
            catch
            {
                session.Dispose();
                pooled.Connection.DisposeInBackground();
                throw;
            }

            pooled.Runs++;
            lock (_lock)
            {
                if (_disposed)
                {
                    session.Dispose();
                    pooled.Connection.DisposeInBackground();
                    throw new OperationCanceledException();
                }

                _open.Add(pooled.Connection);
                _pooled[pooled.Connection] = pooled;
            }

            return session;
        }

        return null;
    }

    private RemoteSession Prepare(RemoteConnection connection, RemoteHost host, CancellationToken token)
    {
        var session = new RemoteSession(connection);
        try
        {
            session.Prepare(Config, host.Name, token);
            return session;
        }
        catch
        {
            // A borrowed session whose setup failed or was stopped (the run ended first) is given back as it was.
            session.Restore();
            session.Dispose();
            lock (_lock)
            {
                _open.Remove(connection);
                _pooled.Remove(connection);
            }

            connection.DisposeInBackground();
            throw;
        }
    }
}
