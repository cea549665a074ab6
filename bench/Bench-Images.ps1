<#
.SYNOPSIS
    Times Resize-Image against the same work done sequentially and with ForEach-Object -Parallel.
.DESCRIPTION
    Makes 40 JPEGs of 2400x1600 (smoothed noise, so they compress like photos: about 1.2 MB each), then
    resizes them to 800 pixels wide, JPEG quality 75, bicubic, in each of these ways, in this one process:

      loop                  a PowerShell foreach calling ImageSharp directly, one image at a time
                            (ImageSharp's own row parallelism off, as in Resize-Image)
      loop, ImageSharp MT   the same loop with ImageSharp's defaults (it resizes rows on every core)
      Resize-Image -TL 1    Resize-Image -ThrottleLimit 1
      Resize-Image -TL 2    Resize-Image -ThrottleLimit 2
      ForEach -Parallel 2   ForEach-Object -Parallel -ThrottleLimit 2 calling ImageSharp

    Every variant runs -Repeat times, in turns, after one untimed warm-up round; the table gives the best
    and the median seconds, the speed-up over the sequential loop (best against best), and the process's
    CPU time in that best round with the number of cores it amounts to. The machine is shared, so run it
    when it is quiet and trust the best figures more than the medians.

    Then the incremental row: -RerunCount (10,000) tiny JPEGs in folders of 100, thumbnailed once (untimed,
    it takes a while), and re-run with -SkipUpToDate, which finds every thumbnail up to date; timed as the
    whole Get-ChildItem -Recurse | Resize-Image pipeline, as Resize-Image -Recurse on the folder, and as
    Resize-Image alone on FileInfo objects listed beforehand. Target: under 5 s.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Images.ps1 -ModulePath out/ParallelJobs/ParallelJobs.psd1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Bench-Images.ps1 -ModulePath out/ParallelJobs/ParallelJobs.psd1 -Part Rerun -Repeat 3
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 40,
    [int] $Repeat = 5,
    [int] $Width = 800,
    # Resize: the 40-photo table only; Rerun: the 10,000-photo -SkipUpToDate row only; All: both.
    [ValidateSet('All', 'Resize', 'Rerun')] [string] $Part = 'All',
    [int] $RerunCount = 10000
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
# The module keeps its ImageSharp in a load context of its own: the loops below use the same build, loaded here.
Add-Type -Path (Join-Path (Split-Path (Resolve-Path $ModulePath).Path) 'Images/netcoreapp3.1/SixLabors.ImageSharp.dll')

$work = Join-Path ([IO.Path]::GetTempPath()) "pj-bench-images-$PID"
$sources = Join-Path $work 'src'
$null = New-Item -ItemType Directory -Path $sources -Force

try {
    if ($Part -ne 'Rerun') {
        Write-Host "Making $Count JPEGs of 2400x1600 in $sources ..."
        $resizeTo = [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
            param($context)
            $null = [SixLabors.ImageSharp.Processing.ResizeExtensions]::Resize($context, 2400, 1600)
        }
        foreach ($i in 1..$Count) {
            # Noise at a quarter of the size, scaled up: smooth detail at several scales, like a photo.
            $pixels = [byte[]]::new(600 * 400 * 3)
            [Random]::new($i).NextBytes($pixels)
            $image = [SixLabors.ImageSharp.Image]::LoadPixelData[SixLabors.ImageSharp.PixelFormats.Rgb24]($pixels, 600, 400)
            try {
                [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, $resizeTo)
                [SixLabors.ImageSharp.ImageExtensions]::SaveAsJpeg($image, (Join-Path $sources ('photo{0:000}.jpg' -f $i)))
            }
            finally {
                $image.Dispose()
            }
        }
        $files = @(Get-ChildItem $sources -Filter *.jpg)
        $megabytes = ($files | Measure-Object Length -Sum).Sum / 1MB
        Write-Host ('{0} files, {1:0.0} MB; ImageSharp from {2}' -f $files.Count, $megabytes, [SixLabors.ImageSharp.Image].Assembly.Location)

        # The loops do what Resize-Image does: decode, resize to $Width wide keeping the aspect ratio, encode.
        $single = [SixLabors.ImageSharp.Configuration]::Default.Clone()
        $single.MaxDegreeOfParallelism = 1
        $loop = {
            param($files, $destination, $configuration)
            $encoder = [SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder]::new()
            foreach ($file in $files) {
                $image = [SixLabors.ImageSharp.Image]::Load($configuration, $file.FullName)
                try {
                    $height = [int][math]::Round($image.Height * $Width / $image.Width)
                    [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                            param($context)
                            $null = [SixLabors.ImageSharp.Processing.ResizeExtensions]::Resize($context, $Width, $height)
                        }.GetNewClosure())
                    [SixLabors.ImageSharp.ImageExtensions]::Save($image, (Join-Path $destination $file.Name), $encoder)
                }
                finally {
                    $image.Dispose()
                }
            }
        }

        $variants = [ordered]@{
            'loop (sequential)'     = { param($dest) & $loop $files $dest $single }
            'loop, ImageSharp MT'   = { param($dest) & $loop $files $dest ([SixLabors.ImageSharp.Configuration]::Default) }
            'Resize-Image -TL 1'    = { param($dest) $files | Resize-Image -Width $Width -Destination $dest -ThrottleLimit 1 | Out-Null }
            'Resize-Image -TL 2'    = { param($dest) $files | Resize-Image -Width $Width -Destination $dest -ThrottleLimit 2 | Out-Null }
            'ForEach -Parallel 2'   = {
                param($dest)
                $files | ForEach-Object -ThrottleLimit 2 -Parallel {
                    $configuration = $using:single
                    $image = [SixLabors.ImageSharp.Image]::Load($configuration, $_.FullName)
                    try {
                        $w = $using:Width
                        $height = [int][math]::Round($image.Height * $w / $image.Width)
                        [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                                param($context)
                                $null = [SixLabors.ImageSharp.Processing.ResizeExtensions]::Resize($context, $w, $height)
                            }.GetNewClosure())
                        [SixLabors.ImageSharp.ImageExtensions]::Save($image, (Join-Path $using:dest $_.Name), [SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder]::new())
                    }
                    finally {
                        $image.Dispose()
                    }
                }
            }
        }

        # What a one-off call in a new session sees: ImageSharp's decoder not yet compiled, and the rest
        # of its code still in the JIT's quick first tier.
        $coldDest = Join-Path $work 'cold'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $files | Resize-Image -Width $Width -Destination $coldDest -ThrottleLimit 2 | Out-Null
        $cold = $watch.Elapsed.TotalSeconds
        Remove-Item $coldDest -Recurse -Force

        $times = @{}
        $cpu = @{}
        $process = [Diagnostics.Process]::GetCurrentProcess()
        foreach ($name in $variants.Keys) {
            $times[$name] = [System.Collections.Generic.List[double]]::new()
            $cpu[$name] = [System.Collections.Generic.List[double]]::new()
        }
        foreach ($round in 0..$Repeat) {
            foreach ($name in $variants.Keys) {
                $dest = Join-Path $work "out-$round-$($name -replace '[^A-Za-z0-9]+', '-')"
                $null = New-Item -ItemType Directory -Path $dest -Force
                [GC]::Collect()
                $process.Refresh()
                $cpuBefore = $process.TotalProcessorTime
                $watch = [Diagnostics.Stopwatch]::StartNew()
                & $variants[$name] $dest
                $watch.Stop()
                $process.Refresh()
                $cpuUsed = ($process.TotalProcessorTime - $cpuBefore).TotalSeconds
                $written = @(Get-ChildItem $dest -Filter *.jpg).Count
                if ($written -ne $files.Count) { throw "$name wrote $written of $($files.Count) files." }
                Remove-Item $dest -Recurse -Force
                # Round 0 warms up the JIT and the buffer pools; it is not counted.
                if ($round -gt 0) {
                    $times[$name].Add($watch.Elapsed.TotalSeconds)
                    $cpu[$name].Add($cpuUsed)
                }
            }
            if ($round -gt 0) { Write-Host "round $round of $Repeat done" }
        }

        $baseline = ($times['loop (sequential)'] | Measure-Object -Minimum).Minimum
        $rows = foreach ($name in $variants.Keys) {
            $sorted = @($times[$name] | Sort-Object)
            $best = $sorted[0]
            $bestRound = $times[$name].IndexOf($best)
            [pscustomobject]@{
                Variant    = $name
                'Best s'   = [math]::Round($best, 2)
                'Median s' = [math]::Round($sorted[[int][math]::Floor(($sorted.Count - 1) / 2)], 2)
                'Images/s' = [math]::Round($files.Count / $best, 1)
                'vs loop'  = '{0:0.00}x' -f ($baseline / $best)
                # CPU time of the whole process during the best round: the same work costs about the same CPU
                # whichever way it runs, and CPU / wall time shows how many cores it really got.
                'CPU s'    = [math]::Round($cpu[$name][$bestRound], 2)
                'Cores'    = [math]::Round($cpu[$name][$bestRound] / $best, 2)
            }
        }
        $rows | Format-Table -AutoSize | Out-String | Write-Host
        $main = $rows | Where-Object Variant -eq 'Resize-Image -TL 2'
        Write-Host ('Target: Resize-Image -ThrottleLimit 2 <= 1.10 s and >= 1.8x the sequential loop: {0} s, {1}' -f $main.'Best s', $main.'vs loop')
        Write-Host ('First call in this session (cold JIT, before the warm-up round): Resize-Image -ThrottleLimit 2 took {0:0.00} s' -f $cold)
    }

    if ($Part -ne 'Resize') {
        # The incremental case: a folder of photos whose thumbnails were all made before, re-run with
        # -SkipUpToDate. Tiny JPEGs are enough, as nothing is decoded: what is timed is binding 10,000 files,
        # two file times each and one result each, in input order.
        $tree = Join-Path $work 'photos'
        $thumbs = Join-Path $work 'thumbs'
        $folders = [Math]::Max(1, [int][Math]::Ceiling($RerunCount / 100))
        Write-Host "Making $RerunCount JPEGs of 16x16 in $folders folders below $tree ..."
        $tiny = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgb24]]::new(16, 16)
        $stream = [IO.MemoryStream]::new()
        try { [SixLabors.ImageSharp.ImageExtensions]::SaveAsJpeg($tiny, $stream) } finally { $tiny.Dispose() }
        $jpeg = $stream.ToArray()
        for ($i = 0; $i -lt $RerunCount; $i++) {
            $folder = Join-Path $tree ('{0:000}' -f ($i % $folders))
            if ($i -lt $folders) { $null = [IO.Directory]::CreateDirectory($folder) }
            [IO.File]::WriteAllBytes((Join-Path $folder ('photo{0:00000}.jpg' -f $i)), $jpeg)
        }

        $watch = [Diagnostics.Stopwatch]::StartNew()
        $made = @(Get-ChildItem $tree -Recurse -File | Resize-Image -Width $Width -Destination $thumbs -Root $tree -StripMetadata -SkipUpToDate)
        $firstRun = $watch.Elapsed.TotalSeconds
        if ($made.Count -ne $RerunCount) { throw "The first run wrote $($made.Count) of $RerunCount thumbnails." }
        Write-Host ('First run, every thumbnail made: {0:0.0} s' -f $firstRun)

        $rerunVariants = [ordered]@{
            'Get-ChildItem -Recurse | Resize-Image -SkipUpToDate' = {
                Get-ChildItem $tree -Recurse -File | Resize-Image -Width $Width -Destination $thumbs -Root $tree -StripMetadata -SkipUpToDate
            }
            'Resize-Image photos -Recurse -SkipUpToDate' = {
                Resize-Image $tree -Recurse -Width $Width -Destination $thumbs -StripMetadata -SkipUpToDate
            }
            'Resize-Image -SkipUpToDate alone (files listed)' = {
                $listed | Resize-Image -Width $Width -Destination $thumbs -Root $tree -StripMetadata -SkipUpToDate
            }
        }
        $listed = @(Get-ChildItem $tree -Recurse -File)
        $rerunRows = foreach ($name in $rerunVariants.Keys) {
            $seconds = foreach ($round in 0..$Repeat) {
                [GC]::Collect()
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $results = @(& $rerunVariants[$name])
                $elapsed = $watch.Elapsed.TotalSeconds
                $done = @($results | Where-Object Action -ne 'SkippedUpToDate').Count
                if ($results.Count -ne $RerunCount -or $done) { throw "$name gave $($results.Count) results, $done of them not skipped." }
                # Round 0 warms up, as above.
                if ($round -gt 0) { $elapsed }
            }
            $sorted = @($seconds | Sort-Object)
            [pscustomobject]@{
                Variant    = $name
                'Best s'   = [math]::Round($sorted[0], 2)
                'Median s' = [math]::Round($sorted[[int][math]::Floor(($sorted.Count - 1) / 2)], 2)
                'Images/s' = [math]::Round($RerunCount / $sorted[0], 0)
            }
        }
        Write-Host ("{0:N0} photos re-run with nothing to do (-SkipUpToDate):" -f $RerunCount)
        $rerunRows | Format-Table -AutoSize | Out-String | Write-Host
        Write-Host ('Target: {0:N0} photos re-run with nothing to do (-SkipUpToDate) < 5 s: {1} s (whole pipeline, best of {2})' -f $RerunCount, $rerunRows[0].'Best s', $Repeat)
    }
    Write-Host "Cores: $([Environment]::ProcessorCount); PowerShell $($PSVersionTable.PSVersion); $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)"
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
