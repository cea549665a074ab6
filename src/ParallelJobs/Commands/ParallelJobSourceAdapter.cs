using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ParallelJobs.Commands;

/// <summary>
/// Where PowerShell's JobManager finds -AsJob jobs, as Start-ThreadJob's adapter does: Get-Job lists a Job2
/// through its adapter, and Remove-Job and Receive-Job -AutoRemoveJob remove it only through one.
/// Public only because Import-Module registers the adapters among an assembly's exported types; JobManager
/// makes the one instance itself.
/// </summary>
public sealed class ParallelJobSourceAdapter : JobSourceAdapter
{
    private readonly ConcurrentDictionary<Guid, Job2> _jobs = new();

    public ParallelJobSourceAdapter()
    {
        Name = nameof(ParallelJobSourceAdapter);
    }

    /// <summary>Registers the job the cmdlet made (passed as the only parameter, "Job").</summary>
    public override Job2 NewJob(JobInvocationInfo specification)
    {
        var job = (Job2)specification.Parameters[0][0].Value;
        _jobs.TryAdd(job.InstanceId, job);
        return job;
    }

    public override IList<Job2> GetJobs() => _jobs.Values.ToList();

    /// <summary>Get-Job -Name: wildcards, as for the jobs in PowerShell's own repository.</summary>
    public override IList<Job2> GetJobsByName(string name, bool recurse) => Matching(name, j => j.Name);

    public override IList<Job2> GetJobsByCommand(string command, bool recurse) => Matching(command, j => j.Command);

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) =>
        _jobs.TryGetValue(instanceId, out Job2? job) ? job : null;

    public override Job2? GetJobBySessionId(int id, bool recurse) => _jobs.Values.FirstOrDefault(j => j.Id == id);

    public override IList<Job2> GetJobsByState(JobState state, bool recurse) =>
        _jobs.Values.Where(j => j.JobStateInfo.State == state).ToList();

    /// <summary>Filters are for persisted jobs (workflows, scheduled jobs); these have none to match.</summary>
    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => new List<Job2>();

    /// <summary>Remove-Job: a job still running is stopped first, as Start-ThreadJob's are.</summary>
    public override void RemoveJob(Job2 job)
    {
        if (_jobs.TryRemove(job.InstanceId, out Job2? removed) && !IsFinished(removed.JobStateInfo.State))
        {
            removed.StopJob();
        }
    }

    private List<Job2> Matching(string pattern, Func<Job2, string> text)
    {
        var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
        return _jobs.Values.Where(j => wildcard.IsMatch(text(j))).ToList();
    }

    private static bool IsFinished(JobState state) =>
        state is JobState.Completed or JobState.Failed or JobState.Stopped;
}
