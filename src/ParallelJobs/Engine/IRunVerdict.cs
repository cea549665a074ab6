using System.Management.Automation;

namespace ParallelJobs.Engine;

/// <summary>
/// A runner factory that can lose every worker (remote hosts) says, once the run is over, whether the
/// run ended early and why.
/// </summary>
internal interface IRunVerdict
{
    /// <summary>The error that ends the run, or null. <paramref name="notDone"/> items never finished.</summary>
    ErrorRecord? FinalError(long notDone);
}
