#Requires -Version 7.3
# The module as a good citizen of a session that other modules share: it ships no HTML parser, it loads
# nothing of ImageSharp at import, and its own ImageSharp lives in a load context of its own, so that another
# module's HtmlAgilityPack or ImageSharp, loaded before or after it, breaks neither crawling nor resizing.
# Each case runs in a new PowerShell process, since an assembly once loaded stays for the process's life.

BeforeAll {
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    $script:module = $env:PARALLELJOBS_MODULE
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "pj-deps-tests-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $work

    # Other modules' copies: two real HtmlAgilityPacks from NuGet and two stand-ins for ImageSharp
    # (tests/tools/FakeImageSharp: the right name and version, none of the types).
    $tools = Join-Path $PSScriptRoot 'tools'
    $null = & dotnet restore (Join-Path $tools 'HtmlAgilityPack.Restore.csproj') --nologo -v q
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { ((dotnet nuget locals global-packages --list | Select-Object -First 1) -replace '^global-packages:\s*', '').Trim() }
    $script:hapOld = Join-Path $packages 'htmlagilitypack/1.11.46/lib/netstandard2.0/HtmlAgilityPack.dll'
    $script:hapNew = Join-Path $packages 'htmlagilitypack/1.13.0/lib/netstandard2.0/HtmlAgilityPack.dll'
    $script:fakeImageSharp = @{}
    foreach ($version in '2.0.0.0', '3.0.0.0') {
        $outDir = Join-Path $work "fake-$version"
        $output = & dotnet build (Join-Path $tools 'FakeImageSharp/FakeImageSharp.csproj') -c Release -o $outDir "-p:FakeVersion=$version" --nologo -v q 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Building the stand-in ImageSharp failed:`n$($output -join "`n")" }
        $fakeImageSharp[$version] = Join-Path $outDir 'SixLabors.ImageSharp.dll'
    }

    # A 24-bit BMP made byte by byte, so that no test process needs an ImageSharp of its own to make it.
    function New-Bmp([string] $Path, [int] $Width, [int] $Height) {
        $row = [int][math]::Ceiling($Width * 3 / 4) * 4
        $stream = [IO.MemoryStream]::new()
        $w = [IO.BinaryWriter]::new($stream)
        $w.Write([byte[]][char[]]'BM'); $w.Write([int](54 + $row * $Height)); $w.Write([int]0); $w.Write([int]54)
        $w.Write([int]40); $w.Write([int]$Width); $w.Write([int]$Height); $w.Write([int16]1); $w.Write([int16]24)
        $w.Write([int]0); $w.Write([int]($row * $Height)); $w.Write([int]2835); $w.Write([int]2835); $w.Write([int]0); $w.Write([int]0)
        for ($y = 0; $y -lt $Height; $y++) {
            $bytes = [byte[]]::new($row)
            for ($x = 0; $x -lt $Width; $x++) { $bytes[$x * 3] = [byte](($x * 7) % 256); $bytes[$x * 3 + 1] = [byte](($y * 5) % 256); $bytes[$x * 3 + 2] = 128 }
            $w.Write($bytes)
        }
        $w.Flush()
        [IO.File]::WriteAllBytes($Path, $stream.ToArray())
        Get-Item -LiteralPath $Path
    }

    # Runs a script in a new PowerShell process and returns what it wrote as JSON.
    function Invoke-Child([string] $Script) {
        $hostPath = [Environment]::ProcessPath
        # Run as 'dotnet pwsh.dll' when this PowerShell is the dotnet tool.
        $hostArgs = @(if ((Split-Path -Leaf $hostPath) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
        $file = Join-Path $work "child-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value "`$ErrorActionPreference = 'Stop'`n$Script"
        $json = & $hostPath @hostArgs -NoProfile -NonInteractive -File $file 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($json -join "`n")
        ($json | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
    }

    # What a child prints at its end: its crawl, its resize and where every ImageSharp and HtmlAgilityPack came from.
    $script:report = @'
$contexts = foreach ($context in [System.Runtime.Loader.AssemblyLoadContext]::All) {
    foreach ($a in $context.Assemblies) {
        if ($a.GetName().Name -in 'SixLabors.ImageSharp', 'HtmlAgilityPack') { "$($context.Name)|$($a.GetName().Name)|$($a.GetName().Version)|$($a.Location)" }
    }
}
[pscustomobject]@{ Pages = $pages; Errors = @($crawlErrors | ForEach-Object { "$_" }); Resized = $resized; Loaded = @($contexts) } | ConvertTo-Json -Depth 4 -Compress
'@
    $script:crawl = @"
`$pages = @(Invoke-ParallelCrawl '$base/site/b.html' -Depth 1 -ThrottleLimit 4 -ErrorAction SilentlyContinue -ErrorVariable crawlErrors | ForEach-Object { [pscustomobject]@{ Uri = `$_.Uri.AbsoluteUri; Title = `$_.Title; Links = `$_.Links.Count } })
"@
    $script:photo = New-Bmp (Join-Path $work 'photo.bmp') -Width 40 -Height 30
    $script:resize = @"
`$resized = @(Resize-Image -LiteralPath '$($photo.FullName)' -Width 20 -Format png -Destination "$work/out-`$PID" | ForEach-Object { [pscustomobject]@{ Width = `$_.Width; Height = `$_.Height } })
"@
    $script:expectedPages = 'b.html', 'a.html', 'c.html', 'deep/d.html' | ForEach-Object { "$base/site/$_" }
}

AfterAll {
    Stop-WebTestServer $server
    if ($work -and (Test-Path $work)) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Dependencies in a shared session' {
    Context 'Import-Module' {
        It 'loads no ImageSharp and no HTML parser until an image is resized' {
            $child = Invoke-Child @"
Import-Module '$module'
`$atImport = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'SixLabors.*' -or `$_.GetName().Name -eq 'HtmlAgilityPack' }).Count
$crawl
`$afterCrawl = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'SixLabors.*' }).Count
`$null = Resize-Image -LiteralPath '$($photo.FullName)' -Width 20 -Suffix _whatif -WhatIf
`$afterWhatIf = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'SixLabors.*' }).Count
$resize
`$afterResize = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'SixLabors.*' }).Count
[pscustomobject]@{ AtImport = `$atImport; AfterCrawl = `$afterCrawl; AfterWhatIf = `$afterWhatIf; AfterResize = `$afterResize; Resized = `$resized } | ConvertTo-Json -Compress
"@
            $child.AtImport | Should -Be 0
            $child.AfterCrawl | Should -Be 0
            $child.AfterWhatIf | Should -Be 0
            $child.AfterResize | Should -Be 1
            $child.Resized.Width | Should -Be 20
        }

        It 'ships no HtmlAgilityPack, and keeps ImageSharp out of the module folder itself' {
            $dir = Split-Path $module
            Get-ChildItem -LiteralPath $dir -Recurse -Filter 'HtmlAgilityPack*' | Should -BeNullOrEmpty
            Join-Path $dir 'SixLabors.ImageSharp.dll' | Should -Not -Exist
            Join-Path $dir 'Images/ParallelJobs.Images.dll' | Should -Exist
            Join-Path $dir 'Images/SixLabors.ImageSharp.dll' | Should -Exist
            Join-Path $dir 'Images/netcoreapp3.1/SixLabors.ImageSharp.dll' | Should -Exist
        }
    }

    Context 'HtmlAgilityPack of another module' {
        It 'crawls every page with an older HtmlAgilityPack loaded before the module' {
            $child = Invoke-Child @"
Add-Type -Path '$hapOld'
Import-Module '$module'
$crawl
$report
"@
            $child.Errors | Should -BeNullOrEmpty
            $child.Pages.Uri | Sort-Object | Should -Be ($expectedPages | Sort-Object)
            ($child.Pages | Where-Object Uri -eq "$base/site/b.html").Title | Should -Be 'Page B'
            $child.Pages.Title | Should -Not -Contain $null
            $child.Loaded | Should -Be @("Default|HtmlAgilityPack|1.11.46.0|$hapOld")
        }

        It 'crawls every page with a newer HtmlAgilityPack loaded after the module and after a first crawl' {
            $child = Invoke-Child @"
Import-Module '$module'
$crawl
`$first = `$pages
Add-Type -Path '$hapNew'
$crawl
`$pages = @(`$first) + @(`$pages)
$report
"@
            $child.Errors | Should -BeNullOrEmpty
            $child.Pages.Count | Should -Be 8
            $child.Pages.Uri | Sort-Object -Unique | Should -Be ($expectedPages | Sort-Object)
            $child.Loaded | Should -Be @("Default|HtmlAgilityPack|1.13.0.0|$hapNew")
        }
    }

    Context 'ImageSharp of another module' {
        It 'resizes with an ImageSharp <Version> of another module loaded before the module' -ForEach @(
            @{ Version = '2.0.0.0' }, @{ Version = '3.0.0.0' }
        ) {
            $fake = $fakeImageSharp[$Version]
            $child = Invoke-Child @"
Add-Type -Path '$fake'
Import-Module '$module'
$resize
`$other = [SixLabors.ImageSharp.Image]::Marker
$report
"@
            $child.Resized.Width | Should -Be 20
            $child.Resized.Height | Should -Be 15
            $images = Split-Path $module | Join-Path -ChildPath 'Images'
            $child.Loaded | Sort-Object | Should -Be @(
                "Default|SixLabors.ImageSharp|$Version|$fake"
                "ParallelJobs.Images|SixLabors.ImageSharp|2.0.0.0|$(Join-Path $images 'netcoreapp3.1/SixLabors.ImageSharp.dll')"
            )
        }

        It 'resizes with another ImageSharp loaded after the module, before and after the first image' {
            $fake = $fakeImageSharp['3.0.0.0']
            $child = Invoke-Child @"
Import-Module '$module'
Add-Type -Path '$fake'
$resize
`$first = `$resized
Remove-Item -LiteralPath "$work/out-`$PID" -Recurse
$resize
`$resized = @(`$first) + @(`$resized)
`$other = [SixLabors.ImageSharp.Image]::Marker
$report
"@
            $child.Resized.Width | Should -Be 20, 20
            @($child.Loaded | Where-Object { $_ -like 'Default|*' }) | Should -Be @("Default|SixLabors.ImageSharp|3.0.0.0|$fake")
            @($child.Loaded | Where-Object { $_ -like 'ParallelJobs.Images|*' }).Count | Should -Be 1
        }

        It "leaves the other module's ImageSharp working after an image is resized" {
            # The module's own portable build stands for another module's real ImageSharp 2.1, loaded last.
            $portable = Split-Path $module | Join-Path -ChildPath 'Images/SixLabors.ImageSharp.dll'
            $child = Invoke-Child @"
Import-Module '$module'
$resize
Add-Type -Path '$portable'
`$made = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgba32]]::new(12, 8)
`$resized = @(`$resized) + @([pscustomobject]@{ Width = `$made.Width; Height = `$made.Height })
$report
"@
            $child.Resized.Width | Should -Be 20, 12
        }
    }
}
