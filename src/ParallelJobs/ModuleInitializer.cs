using System.Management.Automation;
using ParallelJobs.Operations.Images;
using ParallelJobs.Scripting;

namespace ParallelJobs;

/// <summary>
/// Runs on Import-Module: picks the ImageSharp build for this host before any image code runs, and
/// builds the shared session state in the background, so the first call is fast.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport()
    {
        ImageSharpLoader.Register();
        Prewarmer.Start();
    }
}
