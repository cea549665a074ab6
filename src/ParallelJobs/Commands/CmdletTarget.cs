using System.Management.Automation;

namespace ParallelJobs.Commands;

/// <summary>Writes through the cmdlet, so common parameters (-ErrorAction, -OutVariable, ...) apply.</summary>
internal sealed class CmdletTarget : IStreamTarget
{
    private readonly Cmdlet _cmdlet;

    public CmdletTarget(Cmdlet cmdlet)
    {
        _cmdlet = cmdlet;
    }

    public void WriteObject(object? value) => _cmdlet.WriteObject(value);

    public void WriteError(ErrorRecord error) => _cmdlet.WriteError(error);

    public void WriteItemFailure(ErrorRecord error) => _cmdlet.WriteError(error);

    public void CountItemFailure()
    {
        // Only a job's state depends on it.
    }

    public void WriteWarning(string message) => _cmdlet.WriteWarning(message);

    public void WriteVerbose(string message) => _cmdlet.WriteVerbose(message);

    public void WriteDebug(string message) => _cmdlet.WriteDebug(message);

    public void WriteInformation(InformationRecord record) => _cmdlet.WriteInformation(record);

    public void WriteProgress(ProgressRecord record) => _cmdlet.WriteProgress(record);
}
