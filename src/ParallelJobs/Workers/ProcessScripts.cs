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

    /// <summary>After the modules and the initialization script: what a reset keeps.</summary>
    public const string Baseline = @"
$global:__pjBaseline = @{
    Variables = [System.Collections.Generic.HashSet[string]]::new([string[]] @(Get-Variable -Scope Global | ForEach-Object Name), [System.StringComparer]::OrdinalIgnoreCase)
    Functions = [System.Collections.Generic.HashSet[string]]::new([string[]] @(Get-ChildItem -LiteralPath function: | ForEach-Object Name), [System.StringComparer]::OrdinalIgnoreCase)
}
";

    /// <summary>Between calls: removes the globals and functions a call defined, as a pooled runspace is reset.</summary>
    public const string Reset = @"
$keep = $global:__pjBaseline
if ($null -eq $keep) { throw 'The worker process lost its baseline.' }
foreach ($variable in @(Get-Variable -Scope Global)) {
    if (-not $keep.Variables.Contains($variable.Name) -and $variable.Name -ne '__pjBaseline') {
        Remove-Variable -Name $variable.Name -Scope Global -Force -ErrorAction Ignore
    }
}
foreach ($function in @(Get-ChildItem -LiteralPath function:)) {
    if (-not $keep.Functions.Contains($function.Name)) { Remove-Item -LiteralPath ""function:$($function.Name)"" -Force -ErrorAction Ignore }
}
$global:Error.Clear()
";
}
