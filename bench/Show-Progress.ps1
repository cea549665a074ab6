<#
.SYNOPSIS
    A manual check of the progress bar in a real terminal: runs slow items in a detached tmux session and prints
    what the terminal shows at a few moments (before any item completes, between completions, at the end).
.DESCRIPTION
    Not part of the test suite (it needs tmux and a real terminal's rendering). Usage, after ./build.ps1 Build:
        dotnet pwsh bench/Show-Progress.ps1 -ModulePath ./out/ParallelJobs/ParallelJobs.psd1
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Command = '1..10 | Invoke-ParallelJob { Start-Sleep 2; $_ } | Out-Null',
    [double[]] $At = @(0.5, 1.5, 2.7, 3.5)
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Command tmux -ErrorAction Ignore)) { throw 'tmux is not installed.' }
$ModulePath = (Resolve-Path $ModulePath).Path
$session = "pj-progress-$PID"
$pwsh = (Get-Process -Id $PID).Path
$script = Join-Path ([IO.Path]::GetTempPath()) "$session.ps1"
Set-Content -LiteralPath $script -Value "Import-Module '$ModulePath'; Start-Sleep -Seconds 2; 'start'; $Command; 'done'; Start-Sleep -Seconds 30"
$pwshArgs = if ((Split-Path $pwsh -Leaf) -like 'dotnet*') { "pwsh -NoProfile -File $script" } else { "-NoProfile -File $script" }
tmux new-session -d -s $session -x 120 -y 20 "$pwsh $pwshArgs"
try {
    # Wait for the import and the 'start' line, then take pictures relative to it.
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not ((tmux capture-pane -p -t $session) -match '^start')) {
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The command did not start within 60 s.' }
        Start-Sleep -Milliseconds 20
    }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($moment in $At) {
        $wait = $moment - $clock.Elapsed.TotalSeconds
        if ($wait -gt 0) { Start-Sleep -Milliseconds ([int]($wait * 1000)) }
        "--- at {0:0.0} s" -f $clock.Elapsed.TotalSeconds
        tmux capture-pane -p -t $session | Where-Object { $_.Trim() }
    }
}
finally {
    tmux kill-session -t $session 2>$null
    Remove-Item -LiteralPath $script -ErrorAction Ignore
}
