<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the ParallelJobs module.
.DESCRIPTION
    Tasks:
      Build    compile the module and lay it out, with its help, in out/ParallelJobs
      Test     Build, then compile the sources for .NET Framework 4.7.2 (the 5.1 check), run the xunit engine tests
               and the Pester tests; the last line is "N passed, N failed"
      Demo     Build, then run the seed example: 20 items that each sleep 0.5 s, 10 at a time
      Package  Build, then write out/packages/ParallelJobs.<version>.nupkg for Install-PSResource
      Bench    Build, then run the benchmark table in bench/
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Bench')]
    [string[]] $Task = 'Build',

    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'ParallelJobs'
$manifest = Join-Path $moduleDir 'ParallelJobs.psd1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    $bin = Join-Path $out 'bin'
    # A fresh folder, so that no assembly a former build left there is shipped.
    if (Test-Path $bin) { Remove-Item $bin -Recurse -Force }
    # ParallelJobs.Images builds ParallelJobs.dll too: it is its project reference.
    Invoke-Native dotnet @('build', (Join-Path $root 'src/ParallelJobs.Images/ParallelJobs.Images.csproj'), '-c', $Configuration, '-o', $bin, '--nologo', '-v', 'quiet')
    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $moduleDir
    Copy-Item (Join-Path $bin 'ParallelJobs.dll') $moduleDir
    # Resize-Image's ImageSharp code, ImageSharp and its dependencies load from a folder of their own when the
    # first image is resized, into a load context of the module's own on PowerShell 7 (see ImageSharpLoader).
    $images = New-Item -ItemType Directory -Path (Join-Path $moduleDir 'Images')
    Get-ChildItem $bin -Filter *.dll | Where-Object { $_.Name -ne 'ParallelJobs.dll' -and $_.Name -notlike 'System.Management.Automation*' } |
        Copy-Item -Destination $images
    # ImageSharp's SIMD build for PowerShell 7 (the portable one above serves Windows PowerShell 5.1).
    Copy-Item (Join-Path $bin 'netcoreapp3.1') $images -Recurse
    Copy-Item (Join-Path $root 'ParallelJobs.psd1') $moduleDir
    Copy-Item (Join-Path $root 'LICENSE'), (Join-Path $root 'CHANGELOG.md') $moduleDir
    Copy-Item (Join-Path $root 'module/*.ps1xml') $moduleDir
    $helpDir = New-Item -ItemType Directory -Path (Join-Path $moduleDir 'en-US')
    Copy-Item (Join-Path $root 'module/about_*.help.txt') $helpDir -ErrorAction Ignore
    # The help is made from the built cmdlets' own parameter metadata plus the texts in module/help,
    # in a child process so that this one never loads the module it is building.
    Invoke-Native dotnet @('pwsh', '-NoProfile', '-File', (Join-Path $root 'src/Help/New-MamlHelp.ps1'),
        '-ModulePath', $manifest, '-SourcePath', (Join-Path $root 'module/help'), '-OutputPath', (Join-Path $helpDir 'ParallelJobs.dll-Help.xml'))
    Write-Host "Built $manifest"
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Test {
    $results = Join-Path $out 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $results

    # Windows PowerShell 5.1 runs the same netstandard2.0 build on the .NET Framework: compiling the sources
    # against its reference assemblies makes an API the .NET Framework lacks fail the run (counted as one test).
    Write-Host '== net472: the sources against the .NET Framework 4.7.2 reference assemblies'
    & dotnet build (Join-Path $root 'tests/tools/Net472Check/Net472Check.csproj') -c $Configuration --nologo -v quiet
    $net472Passed = [int]($LASTEXITCODE -eq 0)
    $net472Failed = 1 - $net472Passed
    if ($net472Failed) { Write-Warning 'The sources do not compile for .NET Framework 4.7.2 (Windows PowerShell 5.1).' }

    Write-Host '== xunit: engine tests'
    $trx = Join-Path $results 'xunit.trx'
    & dotnet test (Join-Path $root 'tests/ParallelJobs.Tests/ParallelJobs.Tests.csproj') -c $Configuration --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal'
    $xunitPassed = 0; $xunitFailed = 0
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $xunitPassed = [int]$counters.passed
        $xunitFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
    }
    else {
        $xunitFailed = 1
        Write-Warning 'xunit wrote no results: counting the whole run as one failure.'
    }

    Write-Host '== Pester: cmdlet behaviour'
    Invoke-Native dotnet @('restore', (Join-Path $root 'tests/tools/Pester.Restore.csproj'), '--nologo', '-v', 'quiet')
    $pester = Join-Path (Get-NuGetPackagesFolder) 'pester/6.2.0/tools/Pester.psd1'
    $pesterJson = Join-Path $results 'pester.json'
    & dotnet pwsh -NoProfile -File (Join-Path $root 'tests/Invoke-PesterRun.ps1') -PesterPath $pester -ModulePath $manifest -ResultPath $pesterJson
    $pesterPassed = 0; $pesterFailed = 1
    if (Test-Path $pesterJson) {
        $counts = Get-Content $pesterJson -Raw | ConvertFrom-Json
        $pesterPassed = [int]$counts.Passed
        $pesterFailed = [int]$counts.Failed
    }
    else {
        Write-Warning 'Pester wrote no results: counting the whole run as one failure.'
    }

    Write-Host ("net472: {0} passed, {1} failed; xunit: {2} passed, {3} failed; Pester: {4} passed, {5} failed" -f $net472Passed, $net472Failed, $xunitPassed, $xunitFailed, $pesterPassed, $pesterFailed)
    $failed = $net472Failed + $xunitFailed + $pesterFailed
    Write-Host ("{0} passed, {1} failed" -f ($net472Passed + $xunitPassed + $pesterPassed), $failed)
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    & dotnet pwsh -NoProfile -File (Join-Path $root 'bench/Demo.ps1') -ModulePath $manifest
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

# NuGet's <license type="file"> points at the LICENSE inside the package; Compress-PSResource writes only the
# manifest's LicenseUri, as <licenseUrl>.
function Set-PackageLicenseFile {
    param([string] $Path)
    Add-Type -AssemblyName System.IO.Compression
    $zip = [System.IO.Compression.ZipFile]::Open($Path, [System.IO.Compression.ZipArchiveMode]::Update)
    try {
        if (-not $zip.GetEntry('LICENSE')) { throw "$Path has no LICENSE file." }
        $entry = $zip.Entries | Where-Object { $_.FullName -like '*.nuspec' } | Select-Object -First 1
        $reader = [System.IO.StreamReader]::new($entry.Open())
        try { [xml] $nuspec = $reader.ReadToEnd() } finally { $reader.Dispose() }
        $metadata = $nuspec.package.metadata
        if (-not ($metadata.ChildNodes | Where-Object LocalName -eq 'license')) {
            $license = $nuspec.CreateElement('license', $nuspec.DocumentElement.NamespaceURI)
            $license.SetAttribute('type', 'file')
            $license.InnerText = 'LICENSE'
            $null = $metadata.AppendChild($license)
        }

        $name = $entry.FullName
        $entry.Delete()
        $writer = [System.IO.StreamWriter]::new($zip.CreateEntry($name).Open(), [System.Text.UTF8Encoding]::new($false))
        try { $nuspec.Save($writer) } finally { $writer.Dispose() }
    }
    finally {
        $zip.Dispose()
    }
}

function Invoke-Package {
    $packages = Join-Path $out 'packages'
    $null = New-Item -ItemType Directory -Path $packages -Force
    Get-ChildItem $packages -Filter 'ParallelJobs.*.nupkg' | Remove-Item -Force
    Compress-PSResource -Path $moduleDir -DestinationPath $packages
    Get-ChildItem $packages -Filter 'ParallelJobs.*.nupkg' | ForEach-Object { Set-PackageLicenseFile $_.FullName }
    Get-ChildItem $packages -Filter 'ParallelJobs.*.nupkg' | ForEach-Object { Write-Host "Packaged $($_.FullName)" }
}

function Invoke-Bench {
    # Each script prints its own table; every row is measured beside its alternatives in the same run.
    foreach ($script in 'Invoke-Benchmark.ps1', 'Bench-Images.ps1', 'Bench-Web.ps1', 'Bench-Memory.ps1', 'Bench-Remote.ps1', 'Bench-Process.ps1') {
        $path = Join-Path $root "bench/$script"
        if (Test-Path $path) {
            Write-Host "== bench/$script"
            & dotnet pwsh -NoProfile -File $path -ModulePath $manifest
        }
    }
}

Push-Location $root
try {
    foreach ($name in $Task) {
        Invoke-Build
        switch ($name) {
            'Test' { Invoke-Test }
            'Demo' { Invoke-Demo }
            'Package' { Invoke-Package }
            'Bench' { Invoke-Bench }
        }
    }
}
finally {
    Pop-Location
}
