namespace ParallelJobs.Remote;

/// <summary>
/// The PowerShell that runs on the remote side. Item scripts arrive as text (a script block is bound to
/// the runspace that made it) and run with InvokeWithContext, as the local runner does, so <c>$_</c>,
/// <c>$using:</c> values and arguments behave the same. Everything we define starts with __pj.
/// </summary>
internal static class RemoteScripts
{
    /// <summary>
    /// What each run sets, in the global scope: its variables and functions, the caller's location, an empty task
    /// cache; and the item driver (<see cref="Driver"/>) when the session lacks it. A session this module owns gets
    /// the driver once, before its baseline (see <see cref="Baseline"/>), so a call pays only for what is its own.
    /// </summary>
    public const string Setup = @"
param([hashtable] $Variables, [hashtable] $Functions, [bool] $Save, [string] $Location, [string] $Driver)
# Only when it differs: Set-Location costs milliseconds, and a pooled worker is usually there already.
if ($Location -and $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath -ne $Location) { Set-Location -LiteralPath $Location }
if ($Save) {
    # A session the caller lent us gets its own variables and functions back when the run ends.
    $Variables['ParallelJob'] = $null
    $saved = @{ Variables = @{}; Functions = @{} }
    foreach ($name in $Variables.Keys) {
        $old = Get-Variable -Name $name -Scope Global -ErrorAction Ignore
        $saved.Variables[$name] = if ($old) { @{ Value = $old.Value } } else { $null }
    }
    foreach ($name in $Functions.Keys) {
        $old = Get-Item -LiteralPath ""function:$name"" -ErrorAction Ignore
        $saved.Functions[$name] = if ($old) { $old.ScriptBlock } else { $null }
    }
    $global:__pjSaved = $saved
}
# As Set-Variable -Scope Global, at a fifth of its cost.
foreach ($name in $Variables.Keys) { $ExecutionContext.SessionState.PSVariable.Set(""global:$name"", $Variables[$name]) }
foreach ($name in $Functions.Keys) { $null = Set-Item -LiteralPath ""function:global:$name"" -Value ([scriptblock]::Create($Functions[$name])) }
# Checked every run: an item of the last call may have removed it (Remove-Item function:*).
if ($Driver -and ($null -eq ${function:__pjRunBatch} -or $null -eq $global:ParallelJob)) { . ([scriptblock]::Create($Driver)) }
$global:__pjTasks = @{}
$global:__pjThrown = $null
# The next item takes the run's clean state (see __pjPrepareRemote).
$global:__pjRunState = $null
$global:__pjLastMayChange = $false
";

    /// <summary>The item driver: functions and globals that are the same for every run.</summary>
    public const string Driver = @"
# Refill needs the caller's run; say so instead of failing on a null value.
$global:ParallelJob = [pscustomobject]@{}
$global:ParallelJob | Add-Member -MemberType ScriptMethod -Name Add -Value {
    throw [System.NotSupportedException]::new('$ParallelJob.Add (refill) works in local runs only, not on remote hosts.')
}
$global:__pjTasks = @{}
$global:__pjThrown = $null
$global:__pjFail = { param($e) $global:__pjThrown = $e }
# A task as sent (text and values) made ready to run, and kept under its id for the items that follow.
function global:__pjTaskFrom {
    param($__pjId, $__pjTask)
    $__pjReady = @{
        Block  = [scriptblock]::Create($__pjTask.Text)
        Shared = if ($__pjTask.Shared) { [scriptblock]::Create($__pjTask.Shared) } else { $null }
        Resets = [string[]] @($__pjTask.Resets)
        Names  = [string[]] @($__pjTask.Names)
        Values = [object[]] @($__pjTask.Values)
        Args   = [object[]] @($__pjTask.Args)
        Alone  = [bool] $__pjTask.Alone
        # In a worker process (its serve driver defines __pjCollectBatch) each item starts from the call's clean state.
        Local  = $null -ne ${function:__pjCollectBatch}
    }
    if ($null -ne $__pjId) {
        if ($null -eq $global:__pjTasks) { $global:__pjTasks = @{} }
        $global:__pjTasks[$__pjId] = $__pjReady
    }
    $__pjReady
}
function global:__pjRunItem {
    param($__pjId, $__pjTask, $__pjItem)
    if ($null -ne $__pjTask) {
        $__pjTask = __pjTaskFrom $__pjId $__pjTask
    }
    else {
        $__pjTask = if ($global:__pjTasks) { $global:__pjTasks[$__pjId] }
        if ($null -eq $__pjTask) {
            # An earlier item removed the cache (Remove-Variable *): ask for the definition again.
            throw [System.Collections.Generic.KeyNotFoundException]::new('__pjTaskMissing')
        }
    }

    $__pjVars = [System.Collections.Generic.List[psvariable]]::new()
    $__pjVars.Add([psvariable]::new('_', $__pjItem))
    for ($__pjI = 0; $__pjI -lt $__pjTask.Names.Count; $__pjI++) {
        $__pjVars.Add([psvariable]::new($__pjTask.Names[$__pjI], $__pjTask.Values[$__pjI]))
    }

    if ($__pjTask.Local) { [ParallelJobs.Workers.WorkerItemReset]::Prepare($ExecutionContext.SessionState, $__pjTask.Alone) }
    else { __pjPrepareRemote $__pjTask.Alone }
    $global:__pjThrown = $null
    # break or continue outside a loop ends this item only, as in a foreach body.
    foreach ($__pjOnce in 1) { $__pjTask.Block.InvokeWithContext($null, $__pjVars, $__pjTask.Args) }
    if ($null -ne $global:__pjThrown) {
        $__pjError = $global:__pjThrown
        $global:__pjThrown = $null
        throw $__pjError
    }
}
# A remote host has none of this module's code, so its items get their clean start from PowerShell's own commands:
# the location, the global variables (object and value), functions, aliases, drives and modules the run's first
# item started with. Our own names (__pj*) are left alone; values PowerShell sets for each invocation are not compared.
function global:__pjSnapshot {
    $vars = @{}
    foreach ($v in Get-Variable -Scope Global) { if (-not $v.Name.StartsWith('__pj')) { $vars[$v.Name] = [object[]] @($v, $v.Value) } }
    $fns = @{}
    foreach ($f in Get-ChildItem -LiteralPath function:) { if (-not $f.Name.StartsWith('__pj')) { $fns[$f.Name] = $f.ScriptBlock } }
    $aliases = @{}
    foreach ($a in Get-ChildItem -LiteralPath alias:) { $aliases[$a.Name] = $a.Definition }
    @{ Location = (Get-Location).Path; Vars = $vars; Fns = $fns; Aliases = $aliases; Drives = [string[]] @(Get-PSDrive | ForEach-Object Name); Modules = @(Get-Module) }
}
function global:__pjRestore {
    param($__pjS, [bool] $__pjWithLocation)
    # Never against a lost state: every drive and variable would look new.
    if ($null -eq $__pjS -or $null -eq $__pjS.Vars -or $null -eq $__pjS.Drives) { throw 'The session lost the state its items start from.' }
    $__pjNew = @(Get-Module | Where-Object { $__pjS.Modules -notcontains $_ })
    if ($__pjNew.Count) { $__pjNew | Remove-Module -Force -ErrorAction Ignore }
    $__pjSeen = @{}
    foreach ($__pjV in @(Get-Variable -Scope Global)) {
        $__pjN = $__pjV.Name
        if ($__pjN.StartsWith('__pj')) { continue }
        $__pjSeen[$__pjN] = 1
        $__pjOld = $__pjS.Vars[$__pjN]
        if ($null -eq $__pjOld) { Remove-Variable -Name $__pjN -Scope Global -Force -ErrorAction Ignore; continue }
        if ($__pjN -in '_', 'PSItem', 'this', 'args', 'input', 'MyInvocation', 'PSBoundParameters', 'PSScriptRoot', 'PSCommandPath', 'PWD' -or $__pjV.GetType() -ne [psvariable] -or ($__pjV.Options -band [System.Management.Automation.ScopedItemOptions]'ReadOnly, Constant')) { continue }
        $__pjNow = $__pjV.Value; $__pjWas = $__pjOld[1]
        $__pjSame = [object]::ReferenceEquals($__pjNow, $__pjWas) -or ($null -ne $__pjNow -and ($__pjNow -is [ValueType] -or $__pjNow -is [string]) -and $__pjNow.Equals($__pjWas))
        if (-not $__pjSame -or -not [object]::ReferenceEquals($__pjV, $__pjOld[0])) { try { Set-Variable -Name $__pjN -Value $__pjWas -Scope Global -Force } catch { } }
    }
    foreach ($__pjN in $__pjS.Vars.Keys) {
        if (-not $__pjSeen.ContainsKey($__pjN)) { try { Set-Variable -Name $__pjN -Value $__pjS.Vars[$__pjN][1] -Scope Global -Force } catch { } }
    }
    $__pjSeen = @{}
    foreach ($__pjF in @(Get-ChildItem -LiteralPath function:)) {
        $__pjN = $__pjF.Name
        if ($__pjN.StartsWith('__pj')) { continue }
        $__pjSeen[$__pjN] = 1
        $__pjWas = $__pjS.Fns[$__pjN]
        if ($null -eq $__pjWas) { Remove-Item -LiteralPath ""function:$__pjN"" -Force -ErrorAction Ignore }
        elseif (-not [object]::ReferenceEquals($__pjF.ScriptBlock, $__pjWas)) { $null = Set-Item -LiteralPath ""function:global:$__pjN"" -Value $__pjWas -Force }
    }
    foreach ($__pjN in $__pjS.Fns.Keys) { if (-not $__pjSeen.ContainsKey($__pjN)) { $null = Set-Item -LiteralPath ""function:global:$__pjN"" -Value $__pjS.Fns[$__pjN] -Force } }
    $__pjSeen = @{}
    foreach ($__pjA in @(Get-ChildItem -LiteralPath alias:)) {
        $__pjSeen[$__pjA.Name] = 1
        $__pjWas = $__pjS.Aliases[$__pjA.Name]
        if ($null -eq $__pjWas) { Remove-Item -LiteralPath ""alias:$($__pjA.Name)"" -Force -ErrorAction Ignore }
        elseif ($__pjA.Definition -cne $__pjWas) { Set-Alias -Name $__pjA.Name -Value $__pjWas -Scope Global -Force -ErrorAction Ignore }
    }
    foreach ($__pjN in $__pjS.Aliases.Keys) { if (-not $__pjSeen.ContainsKey($__pjN)) { Set-Alias -Name $__pjN -Value $__pjS.Aliases[$__pjN] -Scope Global -Force -ErrorAction Ignore } }
    foreach ($__pjD in @(Get-PSDrive)) { if ($__pjS.Drives -notcontains $__pjD.Name) { Remove-PSDrive -LiteralName $__pjD.Name -Scope Global -Force -ErrorAction Ignore } }
    if ($__pjWithLocation -and $__pjS.Location -and (Get-Location).Path -ne $__pjS.Location) { Set-Location -LiteralPath $__pjS.Location }
    $global:Error.Clear()
}
# Before each item on a remote host: the first of a run takes the state, the others get it back when the script
# before them could change it (the analyzer's verdict, Alone); after one that cannot, only $Error is emptied.
function global:__pjPrepareRemote {
    param([bool] $__pjAlone)
    $__pjMay = $global:__pjLastMayChange
    $global:__pjLastMayChange = -not $__pjAlone
    if ($null -eq $global:__pjRunState) { $global:__pjRunState = __pjSnapshot; $global:Error.Clear() }
    elseif ($__pjMay) { __pjRestore $global:__pjRunState $true }
    elseif ($global:Error.Count) { $global:Error.Clear() }
}
# A batch in one round trip: after each item an end marker (with the error that ended it, if any), so the
# caller charges what arrives before it to that item. A task cache emptied meanwhile is asked for again.
function global:__pjRunBatch {
    param([object[]] $__pjBatch)
    for ($__pjN = 0; $__pjN -lt $__pjBatch.Count; $__pjN++) {
        $__pjEntry = $__pjBatch[$__pjN]
        if ($null -eq $__pjEntry.Task -and -not ($global:__pjTasks -is [hashtable] -and $global:__pjTasks.ContainsKey($__pjEntry.Id))) {
            [pscustomobject]@{ __pjMissing = $__pjN }
            return
        }
        $__pjEnded = $null
        try { __pjRunItem $__pjEntry.Id $__pjEntry.Task $__pjEntry.Item } catch { $__pjEnded = $_ }
        # A plain string when the item did not throw: the cheapest object to send and read back.
        if ($null -eq $__pjEnded) { ""`u{1}__pjItemEnd"" } else { [pscustomobject]@{ __pjItemEnd = $__pjN; __pjError = $__pjEnded } }
    }
}
";

    /// <summary>Gives a caller's session back as it was: its variables and functions, none of ours.</summary>
    public const string Restore = @"
$saved = $global:__pjSaved
if ($saved) {
    foreach ($name in $saved.Variables.Keys) {
        $old = $saved.Variables[$name]
        if ($null -eq $old) { Remove-Variable -Name $name -Scope Global -Force -ErrorAction Ignore }
        else { Set-Variable -Name $name -Scope Global -Value $old.Value }
    }
    foreach ($name in $saved.Functions.Keys) {
        $old = $saved.Functions[$name]
        if ($null -eq $old) { Remove-Item -LiteralPath ""function:$name"" -ErrorAction Ignore }
        else { $null = Set-Item -LiteralPath ""function:global:$name"" -Value $old }
    }
}
Remove-Item -LiteralPath function:__pjTaskFrom, function:__pjRunItem, function:__pjRunBatch, function:__pjSnapshot, function:__pjRestore, function:__pjPrepareRemote -ErrorAction Ignore
Remove-Variable -Name __pjSaved, __pjTasks, __pjThrown, __pjFail, __pjRunState, __pjLastMayChange -Scope Global -ErrorAction Ignore
";

    /// <summary>After the modules and the initialization script: what a reset keeps.</summary>
    public const string Baseline = @"
$global:__pjBaseline = @{
    Variables = [System.Collections.Generic.HashSet[string]]::new([string[]] @(Get-Variable -Scope Global | ForEach-Object Name), [System.StringComparer]::OrdinalIgnoreCase)
    Functions = [System.Collections.Generic.HashSet[string]]::new([string[]] @(Get-ChildItem -LiteralPath function: | ForEach-Object Name), [System.StringComparer]::OrdinalIgnoreCase)
    # A remote host keeps its full state here; a worker process in C# (WorkerItemReset), taken below.
    State     = if (-not ${function:__pjSaveBaseline}) { __pjSnapshot }
}
if (${function:__pjSaveBaseline}) { __pjSaveBaseline }
";

    /// <summary>Between calls: removes the globals and functions a call defined, as a pooled runspace is reset (worker processes, pooled SSH sessions).</summary>
    public const string Reset = @"
$keep = $global:__pjBaseline
if ($null -eq $keep) { throw 'The worker process lost its baseline.' }
# Everything the call left: globals it added or changed, functions, aliases, drives, modules and the location.
if ($keep.State -and ${function:__pjRestore}) { __pjRestore $keep.State $true; return }
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
