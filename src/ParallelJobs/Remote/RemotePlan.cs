using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace ParallelJobs.Remote;

/// <summary>
/// The hosts of a remote run and their slots, built from -HostName, -SSHConnection or -Session.
/// Slots are listed interleaved (host 1 slot 1, host 2 slot 1, host 1 slot 2, ...), so a run with few
/// items still spreads over the hosts.
/// </summary>
internal sealed class RemotePlan
{
    private static readonly string[] ConnectionKeys =
    {
        "HostName", "ComputerName", "UserName", "KeyFilePath", "IdentityFilePath", "Port", "Subsystem", "ConnectingTimeout", "Options",
    };

    private RemotePlan(List<RemoteHost> hosts)
    {
        Hosts = hosts;
        var slots = new List<RemoteSlot>();
        for (int round = 0; ; round++)
        {
            int before = slots.Count;
            foreach (RemoteHost host in hosts)
            {
                if (round < host.Slots.Count)
                {
                    slots.Add(host.Slots[round]);
                }
            }

            if (slots.Count == before)
            {
                break;
            }
        }

        Slots = slots;
    }

    public IReadOnlyList<RemoteHost> Hosts { get; }

    public IReadOnlyList<RemoteSlot> Slots { get; }

    /// <summary>True when the sessions belong to the caller (-Session): they are never closed.</summary>
    public bool CallerSessions { get; private set; }

    /// <summary>
    /// What separate parameter sets would enforce (Invoke-ParallelJob has one set, for binding speed): one kind
    /// of remote target, host options only with -HostName, and no local-only switch with a remote target.
    /// Null when the combination is fine, else the message.
    /// </summary>
    public static string? ParameterConflict(bool hostName, bool sshConnection, bool session, bool hostOptions, bool localOnly)
    {
        int targets = (hostName ? 1 : 0) + (sshConnection ? 1 : 0) + (session ? 1 : 0);
        return targets > 1
            ? "-HostName, -SSHConnection and -Session each say where the items run; give only one of them."
            : !hostName && hostOptions
            ? "-UserName, -KeyFilePath, -Port and -Options go with -HostName. With -SSHConnection put them in each host's hashtable; a -Session was given them when it was opened."
            : targets == 1 && localOnly
            ? "-UseNewRunspace and -Sequential are about local runspaces; they cannot be combined with -HostName, -SSHConnection or -Session."
            : null;
    }

    /// <summary>
    /// Windows PowerShell 5.1 has no SSH remoting (it came with PowerShell 6), so -HostName and -SSHConnection
    /// cannot work there. Null when they are not given or the host is PowerShell 7, else the message.
    /// </summary>
    public static string? SshRemotingUnavailable(bool hostName, bool sshConnection, bool? windowsPowerShell = null)
    {
        // The .NET Framework's core library is mscorlib: only Windows PowerShell 5.1 runs on it.
        bool onFramework = windowsPowerShell ?? typeof(object).Assembly.GetName().Name == "mscorlib";
        return onFramework && (hostName || sshConnection)
            ? $"{(hostName ? "-HostName" : "-SSHConnection")} runs the items over SSH remoting, which needs PowerShell 7 or later: Windows PowerShell 5.1 has none. Run this command from pwsh, PowerShell 7."
            : null;
    }

    /// <summary>-HostName: every host gets <paramref name="slotsPerHost"/> connections with the same settings.</summary>
    public static RemotePlan ForHostNames(IEnumerable<string> names, string? userName, string? keyFilePath, int? port, Hashtable? options, int slotsPerHost)
    {
        var targets = new List<RemoteTarget>();
        foreach (string name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("-HostName has an empty name.");
            }

            RemoteTarget target = RemoteTarget.Parse(name, userName, port);
            target.KeyFilePath = keyFilePath;
            target.Options = CopyOptions(options, "-Options");
            targets.Add(target);
        }

        return FromTargets(targets, slotsPerHost);
    }

    /// <summary>-SSHConnection: one hashtable per host, with the keys New-PSSession -SSHConnection takes.</summary>
    public static RemotePlan ForConnections(IEnumerable<Hashtable> tables, Func<string, string> resolvePath, int slotsPerHost)
    {
        var targets = new List<RemoteTarget>();
        foreach (Hashtable table in tables)
        {
            targets.Add(FromTable(table, resolvePath));
        }

        return FromTargets(targets, slotsPerHost);
    }

    /// <summary>
    /// -Session: each open session is one slot on the host it is connected to; with
    /// <paramref name="slotsPerHost"/>, at most that many of a host's sessions are used.
    /// </summary>
    public static RemotePlan ForSessions(IEnumerable<PSSession> sessions, int? slotsPerHost)
    {
        var hosts = new List<RemoteHost>();
        var byName = new Dictionary<string, RemoteHost>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<Guid>();
        foreach (PSSession session in sessions)
        {
            if (session is null || !seen.Add(session.InstanceId))
            {
                continue;
            }

            string name = SessionHostName(session);
            if (!byName.TryGetValue(name, out RemoteHost? host))
            {
                host = new RemoteHost(name, null);
                byName[name] = host;
                hosts.Add(host);
            }

            if (slotsPerHost is null || host.Slots.Count < slotsPerHost)
            {
                host.Slots.Add(new RemoteSlot(host, host.Slots.Count + 1, session));
            }
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException("-Session holds no session.");
        }

        return new RemotePlan(hosts) { CallerSessions = true };
    }

    /// <summary>The name a session's host goes by: its computer name, with the port when it is not 22.</summary>
    private static string SessionHostName(PSSession session)
    {
        object? info = session.Runspace?.ConnectionInfo;
        object? port = info is null ? null : PSObject.AsPSObject(info).Properties["Port"]?.Value;
        return port is int number && number != 22 && number != 0 && info?.GetType().Name == "SSHConnectionInfo"
            ? RemoteTarget.FormatWithPort(session.ComputerName, number)
            : session.ComputerName;
    }

    private static RemotePlan FromTargets(List<RemoteTarget> targets, int slotsPerHost)
    {
        var hosts = new List<RemoteHost>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (RemoteTarget target in targets)
        {
            // The same host named twice would only double its slots behind the caller's back.
            if (!names.Add(target.Name))
            {
                throw new ArgumentException($"The host '{target.Name}' is named more than once; raise -ThrottleLimit to run more items on it at once.");
            }

            var host = new RemoteHost(target.Name, target);
            for (int i = 1; i <= slotsPerHost; i++)
            {
                host.Slots.Add(new RemoteSlot(host, i));
            }

            hosts.Add(host);
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException("No host was given.");
        }

        return new RemotePlan(hosts);
    }

    private static RemoteTarget FromTable(Hashtable table, Func<string, string> resolvePath)
    {
        var keys = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in table)
        {
            string key = entry.Key?.ToString() ?? string.Empty;
            if (Array.FindIndex(ConnectionKeys, k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) < 0)
            {
                throw new ArgumentException($"-SSHConnection has an unknown key '{key}'. Known keys: {string.Join(", ", ConnectionKeys)}.");
            }

            keys[key] = entry.Value is PSObject pso ? pso.BaseObject : entry.Value;
        }

        string? host = Text(keys, "HostName") ?? Text(keys, "ComputerName");
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("Each -SSHConnection hashtable needs a HostName.");
        }

        int? port = null;
        if (keys.TryGetValue("Port", out object? portValue) && portValue is not null)
        {
            port = ToInt(portValue, "Port", 1, 65535);
        }

        RemoteTarget target = RemoteTarget.Parse(host!, Text(keys, "UserName"), port);
        string? keyFile = Text(keys, "KeyFilePath") ?? Text(keys, "IdentityFilePath");
        target.KeyFilePath = keyFile is null ? null : resolvePath(keyFile);
        target.Subsystem = Text(keys, "Subsystem");
        if (keys.TryGetValue("ConnectingTimeout", out object? timeout) && timeout is not null)
        {
            target.ConnectingTimeout = ToInt(timeout, "ConnectingTimeout", 1, int.MaxValue);
        }

        if (keys.TryGetValue("Options", out object? options) && options is not null)
        {
            if (options is not Hashtable optionTable)
            {
                throw new ArgumentException("The Options key of -SSHConnection must be a hashtable of ssh options, such as @{ UserKnownHostsFile = '~/.ssh/lab_hosts' }.");
            }

            target.Options = CopyOptions(optionTable, "-SSHConnection Options");
        }

        return target;
    }

    private static Hashtable CopyOptions(Hashtable? options, string what)
    {
        var copy = new Hashtable(StringComparer.OrdinalIgnoreCase);
        if (options is null)
        {
            return copy;
        }

        foreach (DictionaryEntry entry in options)
        {
            string name = entry.Key?.ToString() ?? string.Empty;
            object? value = entry.Value is PSObject pso ? pso.BaseObject : entry.Value;
            if (name.Length == 0 || name.IndexOfAny(new[] { ' ', '=', '\t' }) >= 0 || value is null)
            {
                throw new ArgumentException($"{what}: '{name}' is not an ssh option name with a value.");
            }

            copy[name] = Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        return copy;
    }

    private static string? Text(Dictionary<string, object?> keys, string name) =>
        keys.TryGetValue(name, out object? value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static int ToInt(object value, string name, int min, int max)
    {
        if (!LanguagePrimitives.TryConvertTo(value, CultureInfo.InvariantCulture, out int number) || number < min || number > max)
        {
            throw new ArgumentException($"-SSHConnection: {name} must be a whole number from {min} to {max}, not '{value}'.");
        }

        return number;
    }
}
