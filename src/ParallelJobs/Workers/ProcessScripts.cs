namespace ParallelJobs.Workers;

/// <summary>The PowerShell a worker process runs besides the item driver of <c>Remote.RemoteScripts</c>.</summary>
internal static class ProcessScripts
{
    /// <summary>
    /// Loads this module's assembly into the worker and starts <see cref="ParentWatch"/>; removes the runtime setting
    /// the worker was started with (<see cref="ProcessConnection.RuntimeSetting"/>), which the runtime has read.
    /// </summary>
    public const string StartParentWatch = @"
param([string] $Path, [int] $ParentId, [string] $Unset)
if ($Unset) { [Environment]::SetEnvironmentVariable($Unset, $null) }
$type = [System.Reflection.Assembly]::LoadFrom($Path).GetType('ParallelJobs.Workers.ParentWatch', $true)
$null = $type.GetMethod('Start', [System.Reflection.BindingFlags] 'NonPublic, Public, Static').Invoke($null, @($ParentId))
";

    /// <summary>
    /// The driver of a collected batch (<see cref="BatchCollector"/>), defined once per process with the module's
    /// assembly loaded. Writes the number of items that ran, or the missing-task marker when the default task is
    /// not cached and was not sent.
    /// </summary>
    public const string CollectDriver = @"
function global:__pjCollectBatch {
    param([object[]] $__pjInputs, $__pjTask, [bool] $__pjStopAtFailure, [string] $__pjPath)
    $__pjT = if ($null -ne $__pjTask) { __pjTaskFrom 'default' $__pjTask } elseif ($global:__pjTasks) { $global:__pjTasks['default'] }
    if ($null -eq $__pjT) { return [pscustomobject]@{ __pjMissing = 0 } }
    $null = [ParallelJobs.Workers.BatchCollector]::Run($ExecutionContext.SessionState, $__pjInputs, $__pjT.Block, $__pjT.Shared, $__pjT.Resets, $__pjT.Names, $__pjT.Values, $__pjT.Args, $__pjT.Alone, $__pjStopAtFailure, $__pjPath)
}
";

    /// <summary>
    /// The functions of a worker's serve pipeline, with the item driver (<c>Remote.RemoteScripts.Driver</c>): defined
    /// once when the process starts, before its baseline, so a reset keeps them. A message is a batch of items (their
    /// end markers), a collected batch (the batch's end; the items are on file) or the reset after a call (its
    /// answer); a call's first batch carries the run's setup (no answer unless it fails, and then no item runs).
    /// </summary>
    public static readonly string ServeDriver = Remote.RemoteScripts.Driver + CollectDriver + @"
function global:__pjApplyRun {
" + Remote.RemoteScripts.Setup + @"
}
function global:__pjSaveBaseline { [ParallelJobs.Workers.WorkerItemReset]::SaveBaseline($ExecutionContext.SessionState) }
function global:__pjReset {
    if ([ParallelJobs.Workers.WorkerItemReset]::ResetCall($ExecutionContext.SessionState)) { return }
    $keep = $global:__pjBaseline
    if ($null -eq $keep) { throw 'The worker process lost its baseline.' }
    $extra = [ParallelJobs.Workers.WorkerSession]::Extras($ExecutionContext.SessionState, $keep.Variables, $keep.Functions)
    if ($null -eq $extra) {
        $extra = @(
            , [string[]] @(Get-Variable -Scope Global | Where-Object { -not $keep.Variables.Contains($_.Name) -and $_.Name -ne '__pjBaseline' } | ForEach-Object Name)
            , [string[]] @(Get-ChildItem -LiteralPath function: | Where-Object { -not $keep.Functions.Contains($_.Name) } | ForEach-Object Name))
    }
    foreach ($name in $extra[0]) { Remove-Variable -Name $name -Scope Global -Force -ErrorAction Ignore }
    foreach ($name in $extra[1]) { Remove-Item -LiteralPath ""function:$name"" -Force -ErrorAction Ignore }
    $global:Error.Clear()
}
function global:__pjServeOne {
    param($__pjMsg, [string] $__pjPath)
    if ($__pjMsg.Kind -eq 'reset') {
        # The last message of a call: the process goes back to the pool as it came, this pipeline still open.
        __pjReset
        ""`u{1}__pjResetDone""
        return
    }
    if ($null -ne ($__pjSetup = $__pjMsg.Setup)) {
        # The run's setup rides with its first batch: one message less for each worker of each call.
        try { __pjApplyRun -Variables $__pjSetup.Variables -Functions $__pjSetup.Functions -Save $false -Location $__pjSetup.Location }
        catch { [pscustomobject]@{ __pjSetupFailed = $_ }; throw }
        [ParallelJobs.Workers.WorkerItemReset]::BeginRun()
    }
    if ($__pjMsg.Kind -eq 'collect') {
        __pjCollectBatch $__pjMsg.Inputs $__pjMsg.Task $__pjMsg.StopAtFailure $__pjPath
        ""`u{1}__pjBatchEnd""
    }
    # Items one by one: the caller knows the batch has ended from its last item's end (or the missing-task marker).
    else { __pjRunBatch $__pjMsg.Batch }
}
";

    /// <summary>
    /// The pipeline a worker keeps open across calls, taking its messages from its input as the caller sends them,
    /// so a batch costs a message, not a round trip. An item that removed the driver makes the next pipeline fail with
    /// <see cref="DriverMissing"/> before it reads a message; the caller opens it again with the driver's text.
    /// </summary>
    public const string Serve = @"
param([string] $__pjPath, [string] $__pjDriver)
begin {
    if ($null -eq ${function:__pjServeOne} -or $null -eq ${function:__pjTaskFrom} -or $null -eq ${function:__pjCollectBatch}) {
        if (-not $__pjDriver) { throw [System.Collections.Generic.KeyNotFoundException]::new('" + DriverMissing + @"') }
        . ([scriptblock]::Create($__pjDriver))
    }
    # Kept in this script's scope, where an item's Remove-Item function:* or Remove-Variable * does not reach.
    $__pjKeep = @{
        __pjTaskFrom = ${function:__pjTaskFrom}; __pjRunItem = ${function:__pjRunItem}; __pjRunBatch = ${function:__pjRunBatch}
        __pjCollectBatch = ${function:__pjCollectBatch}; __pjApplyRun = ${function:__pjApplyRun}; __pjReset = ${function:__pjReset}
        __pjServeOne = ${function:__pjServeOne}
    }
    $__pjKeepFail = $global:__pjFail
}
process {
    if ($null -eq ${function:__pjServeOne} -or $null -eq ${function:__pjRunBatch} -or $null -eq $global:__pjFail) {
        # An item of this call removed the driver: put back before the next message.
        foreach ($__pjName in $__pjKeep.Keys) { $null = Set-Item -LiteralPath ""function:global:$__pjName"" -Value $__pjKeep[$__pjName] }
        $global:__pjFail = $__pjKeepFail
    }
    __pjServeOne $_ $__pjPath
}
";

    public const string DriverMissing = "__pjDriverMissing";
}
