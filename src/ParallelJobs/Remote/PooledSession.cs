using System;

namespace ParallelJobs.Remote;

/// <summary>
/// An SSH session this module opened, kept across calls (<see cref="SshPool"/>): the next call to the same
/// host with the same user, key, port, options and configuration starts on it at once.
/// </summary>
internal sealed class PooledSession
{
    public PooledSession(RemoteConnection connection, string poolKey, string hostName, string description)
    {
        Connection = connection;
        PoolKey = poolKey;
        HostName = hostName;
        Description = description;
        Created = DateTime.Now;
        LastUsed = Created;
    }

    public RemoteConnection Connection { get; }

    public string PoolKey { get; }

    public string HostName { get; }

    public string Description { get; }

    public DateTime Created { get; }

    public DateTime LastUsed { get; set; }

    /// <summary>How many calls have used it.</summary>
    public int Runs { get; set; }

    public bool IsUsable => Connection.IsOpen
        && Connection.Runspace.RunspaceAvailability == System.Management.Automation.Runspaces.RunspaceAvailability.Available;

    /// <summary>What a session is pooled under: where it goes and what it was prepared with.</summary>
    public static string KeyFor(RemoteTarget target, Scripting.ScriptConfig config)
    {
        var options = new System.Collections.Generic.List<string>();
        foreach (System.Collections.DictionaryEntry entry in target.Options)
        {
            options.Add(entry.Key + "=" + entry.Value);
        }

        options.Sort(StringComparer.OrdinalIgnoreCase);
        return string.Join("\n", "ssh", target.HostName, target.UserName, target.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            target.KeyFilePath, target.Subsystem, string.Join(";", options), config.PoolKey);
    }
}
