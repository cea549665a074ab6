<#
.SYNOPSIS
    Peak working set of Resize-Image against hostile or large images, each in a fresh process: a PNG whose
    zTXt chunk inflates to 256 MB (refused before decoding), one 16-bit 10000x10000 PNG of under 2 MB (800 MB
    of pixels, decoded within the default -MaxMemoryMB 1024), and four 16-bit 5000x5000 PNGs at once, with a
    budget that lets one decode at a time and with one that lets all four.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
. (Join-Path $PSScriptRoot '../tests/helpers/PngCraft.ps1')

$folder = Join-Path ([IO.Path]::GetTempPath()) "pj-bench-memory-$PID"
$out = Join-Path $folder 'out'
$null = New-Item -ItemType Directory -Path $out -Force

# Runs one command in a fresh process; its peak working set is then that call's alone.
function Measure-Peak([string] $Command) {
    $script = "`$ErrorActionPreference = 'Continue'; Import-Module '$ModulePath'; `$e = `$null; `$w = [Diagnostics.Stopwatch]::StartNew(); " +
        "`$o = $Command -ErrorVariable e -ErrorAction SilentlyContinue; " +
        "[pscustomobject]@{ Done = @(`$o).Count; Errors = @(`$e | ForEach-Object { `$_.FullyQualifiedErrorId.Split(',')[0] } | Sort-Object -Unique) -join ' '; " +
        "PeakMB = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB; Seconds = `$w.Elapsed.TotalSeconds } | ConvertTo-Json -Compress"
    $hostPath = [Environment]::ProcessPath
    $hostArgs = @(if ((Split-Path -Leaf $hostPath) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
    (& $hostPath @hostArgs -NoProfile -NonInteractive -Command $script | Select-Object -Last 1) | ConvertFrom-Json
}

try {
    Write-Host 'making the files...'
    $bomb = Join-Path $folder 'bomb.png'
    $zlib = Get-Zlib 256 (1MB - 1)
    $ztxt = [byte[]]::new(9 + $zlib.Length)
    [array]::Copy([Text.Encoding]::ASCII.GetBytes('Comment'), $ztxt, 7)
    [array]::Copy($zlib, 0, $ztxt, 9, $zlib.Length)
    New-Png $bomb 16 16 -Extra @{ Type = 'zTXt'; Data = $ztxt }
    $huge = Join-Path $folder 'huge16.png'
    New-Png $huge 10000 10000 -BitDepth 16
    $four = 1..4 | ForEach-Object { $p = Join-Path $folder "big$_.png"; New-Png $p 5000 5000 -BitDepth 16; "'$p'" }
    $list = $four -join ','

    Write-Host 'measuring...'
    $idle = Measure-Peak "Get-ParallelJobPool"
    $rows = @(
        @{ Case = "zTXt bomb: $([math]::Round((Get-Item $bomb).Length / 1KB)) KB file, inflates to 256 MB"; Budget = 'metadata limit 16 MB'
           Command = "Resize-Image -LiteralPath '$bomb' -Width 8 -Destination '$out' -Force" }
        @{ Case = "one 16-bit 10000x10000 PNG, $([math]::Round((Get-Item $huge).Length / 1MB, 1)) MB file (800 MB of pixels)"; Budget = '-MaxMemoryMB 1024 (default)'
           Command = "Resize-Image -LiteralPath '$huge' -Width 100 -Destination '$out' -Force" }
        @{ Case = 'four 16-bit 5000x5000 PNGs at once, -ThrottleLimit 4'; Budget = '-MaxMemoryMB 300 (one at a time)'
           Command = "Resize-Image -LiteralPath $list -Width 100 -Destination '$out' -Force -ThrottleLimit 4 -MaxMemoryMB 300" }
        @{ Case = 'the same four'; Budget = '-MaxMemoryMB 2048 (all four together)'
           Command = "Resize-Image -LiteralPath $list -Width 100 -Destination '$out' -Force -ThrottleLimit 4 -MaxMemoryMB 2048" }
    )
    $table = foreach ($row in $rows) {
        $m = Measure-Peak $row.Command
        [pscustomobject]@{
            Case                 = $row.Case
            Budget               = $row.Budget
            'Peak above idle MB' = [math]::Round($m.PeakMB - $idle.PeakMB)
            Done                 = $m.Done
            Errors               = $m.Errors
            Seconds              = [math]::Round($m.Seconds, 2)
        }
    }

    "Measured $(Get-Date -Format yyyy-MM-dd) on $([Environment]::ProcessorCount) cores; idle process peak $([math]::Round($idle.PeakMB)) MB"
    $table | Format-Table -AutoSize | Out-String -Width 200
}
finally {
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
}
