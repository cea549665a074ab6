using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>
/// A runner factory that can lose every worker (remote hosts) says, once the run is over, whether the run
/// ended early and why. <paramref name="notDone"/> is how many items were never finished.
/// </summary>
internal interface IRunVerdict
{
    ErrorRecord? FinalError(long notDone);
}
