<#
.SYNOPSIS
    Remote scale-out benchmark: 64 items that each sleep 0.25 s, on one host x 4 slots and on two hosts x 4 slots.
.DESCRIPTION
    Starts two real SSH hosts on this machine (tests/helpers/SshTestLab.ps1: network namespaces, or sshd
    ports on 127.0.0.1 where namespaces are refused; needs Linux and root), then times each setup twice:
    with sessions opened beforehand (-Session: the run itself), and with -HostName (connecting included:
    every slot is its own SSH connection and remote PowerShell process). The best of -Repeat runs is shown.
    Ideal: 64 x 0.25 s / slots. Everything the lab started is removed at the end.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Remote.ps1 -ModulePath out/ParallelJobs/ParallelJobs.psd1
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ParallelJobs/ParallelJobs.psd1'),
    [int] $Items = 64,
    [double] $ItemSeconds = 0.25,
    [int] $Slots = 4,
    [int] $Repeat = 3
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
. (Join-Path $PSScriptRoot '../tests/helpers/SshTestLab.ps1')

function Measure-Best {
    param([scriptblock] $Run, [int] $Times)
    $best = [double]::MaxValue
    for ($i = 0; $i -lt $Times; $i++) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $output = & $Run
        $watch.Stop()
        if (@($output).Count -ne $Items) { throw "The run wrote $(@($output).Count) results instead of $Items." }
        $best = [math]::Min($best, $watch.Elapsed.TotalSeconds)
    }
    $best
}

$lab = Start-SshTestLab -HostCount 2
$opened = @()
try {
    $options = Get-SshTestLabOptions $lab
    $milliseconds = [int]($ItemSeconds * 1000)
    $work = [scriptblock]::Create("Start-Sleep -Milliseconds $milliseconds; `$_")
    $rows = foreach ($hostCount in 1, 2) {
        $hosts = @($lab.Hosts | Select-Object -First $hostCount)
        $sessions = foreach ($slot in 1..$Slots) {
            foreach ($labHost in $hosts) {
                New-PSSession -HostName $labHost.Address -Port $labHost.Port -UserName root -KeyFilePath $lab.KeyFile -Options $options
            }
        }
        $opened += $sessions

        # One untimed run warms both sides (the driver, the remote script cache).
        $null = 1..$Items | Invoke-ParallelJob -Session $sessions $work
        $withSessions = Measure-Best { 1..$Items | Invoke-ParallelJob -Session $sessions $work } $Repeat
        $byName = { 1..$Items | Invoke-ParallelJob -HostName $hosts.Name -UserName root -KeyFilePath $lab.KeyFile -Options $options -ThrottleLimit $Slots $work }
        # The first call opens its sessions; they stay warm in the pool for the next calls to the same hosts.
        Clear-ParallelJobPool
        $withConnect = Measure-Best $byName 1
        $warm = Measure-Best $byName $Repeat

        [pscustomobject]@{
            Setup               = "$hostCount host$(if ($hostCount -gt 1) { 's' }) x $Slots slots"
            Items               = "$Items x $ItemSeconds s"
            'Ideal (s)'         = [math]::Round($Items * $ItemSeconds / ($hostCount * $Slots), 2)
            '-Session (s)'      = [math]::Round($withSessions, 2)
            '-HostName, first call, connecting (s)' = [math]::Round($withConnect, 2)
            '-HostName, next call, warm (s)' = [math]::Round($warm, 2)
        }
    }

    Write-Host "Lab: $($lab.Mode), $([Environment]::ProcessorCount) cores, load $((Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' ')"
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
}
finally {
    if ($opened) { $opened | Remove-PSSession -ErrorAction Ignore }
    Stop-SshTestLab $lab
}
