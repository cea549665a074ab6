using System.Management.Automation;

namespace ParallelJobs.Commands;

/// <summary>Writes a background job's results into the job's own streams, for Receive-Job.</summary>
internal sealed class JobTarget : IStreamTarget
{
    private readonly Job _job;

    public JobTarget(Job job)
    {
        _job = job;
    }

    public void WriteObject(object? value) => _job.Output.Add(value is null ? null : PSObject.AsPSObject(value));

    public void WriteError(ErrorRecord error) => _job.Error.Add(error);

    public void WriteWarning(string message) => _job.Warning.Add(new WarningRecord(message));

    public void WriteVerbose(string message) => _job.Verbose.Add(new VerboseRecord(message));

    public void WriteDebug(string message) => _job.Debug.Add(new DebugRecord(message));

    public void WriteInformation(InformationRecord record) => _job.Information.Add(record);

    public void WriteProgress(ProgressRecord record) => _job.Progress.Add(record);
}
