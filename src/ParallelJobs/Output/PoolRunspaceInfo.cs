using System;

namespace ParallelJobs;

/// <summary>One idle worker (a runspace, a worker process or an SSH session) kept warm for the next call, as Get-ParallelJobPool shows it.</summary>
public sealed class PoolRunspaceInfo
{
    internal PoolRunspaceInfo(int id, string name, string configuration, DateTime created, DateTime lastUsed, int runs, TimeSpan expiresIn,
        string kind = "Runspace", int? processId = null)
    {
        Kind = kind;
        ProcessId = processId;
        Id = id;
        Name = name;
        Configuration = configuration;
        Created = created;
        LastUsed = lastUsed;
        Runs = runs;
        IdleTime = DateTime.Now - lastUsed;
        ExpiresIn = expiresIn < TimeSpan.Zero ? TimeSpan.Zero : expiresIn;
    }

    /// <summary>Runspace (a thread of this process), Process (-UseProcess) or SSH (-HostName, -SSHConnection).</summary>
    public string Kind { get; }

    /// <summary>The worker process's id (Kind Process), else null.</summary>
    public int? ProcessId { get; }

    /// <summary>The runspace's id, as Get-Runspace shows it.</summary>
    public int Id { get; }

    public string Name { get; }

    /// <summary>What the runspace was prepared with: modules and initialization script.</summary>
    public string Configuration { get; }

    public DateTime Created { get; }

    public DateTime LastUsed { get; }

    /// <summary>How many calls have used it.</summary>
    public int Runs { get; }

    public TimeSpan IdleTime { get; }

    /// <summary>Time left before the idle timeout closes it.</summary>
    public TimeSpan ExpiresIn { get; }
}
