using System;
using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace ParallelJobs.Remote;

/// <summary>
/// Opens SSH sessions with PowerShell's own remoting: New-PSSession -HostName, run in a private local
/// runspace (the module's reference assemblies predate SSHConnectionInfo). No agent, no protocol of ours.
/// </summary>
internal static class SshConnector
{
    /// <summary>
    /// Opens one session to <paramref name="target"/>. Throws <see cref="RemoteConnectException"/> with
    /// ssh's reason when it cannot, or <see cref="OperationCanceledException"/> when the run stops.
    /// </summary>
    public static RemoteConnection Open(RemoteTarget target, CancellationToken token)
    {
        if (SshProbe.Check(target, token) is { } unreachable)
        {
            throw new RemoteConnectException(unreachable, null);
        }

        Runspace connector = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        connector.Name = "ParallelJobs connect " + target.Name;
        Runspace? previous = Runspace.DefaultRunspace;
        bool done = false;
        try
        {
            connector.Open();

            // The SSH transport looks for ssh through the thread's default runspace.
            Runspace.DefaultRunspace = connector;
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = connector;
            ps.AddCommand("New-PSSession").AddParameter("HostName", target.HostName);
            if (target.UserName is not null)
            {
                ps.AddParameter("UserName", target.UserName);
            }

            if (target.KeyFilePath is not null)
            {
                ps.AddParameter("KeyFilePath", target.KeyFilePath);
            }

            if (target.Port is { } port)
            {
                ps.AddParameter("Port", port);
            }

            if (target.Subsystem is not null)
            {
                ps.AddParameter("Subsystem", target.Subsystem);
            }

            ps.AddParameter("Options", SshOptions(target));
            ps.AddParameter("ConnectingTimeout", target.ConnectingTimeout);
            ps.AddParameter("ErrorAction", ActionPreference.Stop);

            Collection<PSObject> result;
            using (token.Register(() => StopQuietly(ps)))
            {
                try
                {
                    result = ps.Invoke();
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    throw new OperationCanceledException(token);
                }
                catch (Exception ex)
                {
                    throw new RemoteConnectException(Reason(ex), ex);
                }
            }

            token.ThrowIfCancellationRequested();
            if (result.Count == 0 || result[0]?.BaseObject is not PSSession session)
            {
                throw new RemoteConnectException("New-PSSession returned no session.", null);
            }

            done = true;
            return new RemoteConnection(session, connector);
        }
        finally
        {
            Runspace.DefaultRunspace = previous;
            if (!done)
            {
                connector.Dispose();
            }
        }
    }

    /// <summary>
    /// The ssh options: the caller's, untouched, plus defaults they did not set. BatchMode stops ssh from
    /// prompting on the terminal for a password or an unknown host key from many slots at once (it
    /// refuses instead: host-key checking stays on); keep-alives notice a cut network within about 30 s.
    /// The port goes in again as an option, so that it holds however New-PSSession builds the command.
    /// </summary>
    public static Hashtable SshOptions(RemoteTarget target)
    {
        var options = new Hashtable(target.Options, StringComparer.OrdinalIgnoreCase);
        AddDefault(options, "BatchMode", "yes");
        AddDefault(options, "ServerAliveInterval", "10");
        AddDefault(options, "ServerAliveCountMax", "3");
        if (target.Port is { } port)
        {
            AddDefault(options, "Port", port.ToString(CultureInfo.InvariantCulture));
        }

        return options;
    }

    /// <summary>The message of the underlying error, without PowerShell's wrapping.</summary>
    public static string Reason(Exception ex)
    {
        Exception inner = ex is RuntimeException { ErrorRecord.Exception: { } recordException } ? recordException : ex;
        while (inner is ActionPreferenceStopException or ParentContainsErrorRecordException && inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message.Trim();
    }

    private static void AddDefault(Hashtable options, string name, string value)
    {
        if (!options.ContainsKey(name))
        {
            options[name] = value;
        }
    }

    private static void StopQuietly(PowerShell ps)
    {
        try
        {
            ps.BeginStop(null, null);
        }
        catch (Exception)
        {
            // Already finished or disposed.
        }
    }
}
