using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs;

/// <summary>
/// Runs on Import-Module: builds the shared session state in the background, so the first call is fast.
/// Nothing else is loaded here: Resize-Image's ImageSharp loads on its first image (see ImageSharpLoader).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport()
    {
        Prewarmer.Start();
    }
}
