using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs;

/// <summary>Runs on Import-Module: builds the shared session state in the background, so the first call is fast.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => WorkerRunspace.Prewarm();
}
