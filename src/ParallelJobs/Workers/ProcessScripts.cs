namespace ParallelJobs.Workers;

/// <summary>The PowerShell a worker process runs besides the item driver of <c>Remote.RemoteScripts</c>.</summary>
internal static class ProcessScripts
{
    /// <summary>Loads this module's assembly into the worker and starts <see cref="ParentWatch"/>.</summary>
    public const string StartParentWatch = @"
param([string] $Path, [int] $ParentId)
$type = [System.Reflection.Assembly]::LoadFrom($Path).GetType('ParallelJobs.Workers.ParentWatch', $true)
$null = $type.GetMethod('Start', [System.Reflection.BindingFlags] 'NonPublic, Public, Static').Invoke($null, @($ParentId))
";
}
