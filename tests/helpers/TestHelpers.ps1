# Shared helpers for the Invoke-ParallelJob feature tests (Timeouts, Retries, MaxFailures, AsResult, AsJob,
# Sequential, JobLog, BadParameters). Dot-source it in a file's BeforeAll, after Import-Module:
#     . (Join-Path $PSScriptRoot 'helpers/TestHelpers.ps1')
# Counters are marker files under TestDrive: one file per run of an item, so parallel items never write the
# same file.

# Invoke-ParallelJob honours $ErrorActionPreference (Stop stops at the first failed item), and the
# test runner sets it to Stop: these tests are about items that fail, so they run with the default.
$ErrorActionPreference = 'Continue'

# A fresh folder under TestDrive for one test's marker files.
function New-TestFolder {
    $path = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $path
    $path
}

# How many times the item named $Name left a marker in $Folder (markers are "<name>.<guid>").
function Get-RunCount {
    param([string] $Folder, [string] $Name)
    @(Get-ChildItem -LiteralPath $Folder -File -Filter "$Name.*").Count
}

# The names of every item that left at least one marker in $Folder.
function Get-RanName {
    param([string] $Folder)
    @(Get-ChildItem -LiteralPath $Folder -File | ForEach-Object { $_.Name.Split('.')[0] } | Sort-Object -Unique)
}

# Every line of a job log, parsed.
function Read-JobLog {
    param([string] $Path)
    @(Get-Content -LiteralPath $Path | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
}

# Runs $Script in a new pipeline and returns what it wrote, and the terminating error if it threw.
function Invoke-Capture {
    param([scriptblock] $Script)
    $written = [System.Collections.Generic.List[object]]::new()
    $thrown = $null
    try {
        & $Script | ForEach-Object { $written.Add($_) }
    }
    catch {
        $thrown = $_
    }

    [pscustomobject]@{ Output = $written.ToArray(); Error = $thrown }
}

# Waits (bounded) until $Condition is true; returns whether it became true. For what ends on its own after a
# stop (a worker given up on after its grace closes its runspace when its call returns).
function Wait-Until([scriptblock] $Condition, [double] $TimeoutSeconds = 30) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    while ($watch.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
        if (& $Condition) { return $true }
        Start-Sleep -Milliseconds 50
    }
    return [bool](& $Condition)
}
