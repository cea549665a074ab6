using System.Management.Automation;

namespace ParallelJobs.Commands;

/// <summary>Where finished items are written: the cmdlet's pipeline, or a background job's streams.</summary>
internal interface IStreamTarget
{
    void WriteObject(object? value);

    void WriteError(ErrorRecord error);

    /// <summary>The terminating error that ended an item (thrown, timed out, refused): a -AsJob job fails on it.</summary>
    void WriteItemFailure(ErrorRecord error);

    /// <summary>-AsResult: an item ended with a terminating error that travels inside its result.</summary>
    void CountItemFailure();

    void WriteWarning(string message);

    void WriteVerbose(string message);

    void WriteDebug(string message);

    void WriteInformation(InformationRecord record);

    void WriteProgress(ProgressRecord record);
}
