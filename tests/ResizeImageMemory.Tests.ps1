# Resize-Image's memory stays bounded whatever a small file says: PNG metadata that inflates hugely is refused
# before decoding (ImageMetadataTooLarge), and the images decoded at once stay within -MaxMemoryMB. The PNGs
# are written here, byte by byte, with DeflateStream.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'

    . (Join-Path $PSScriptRoot 'helpers/PngCraft.ps1')

    # Runs Resize-Image in a fresh process, so that its peak working set is this call's alone.
    function Invoke-Isolated([string] $Command) {
        $module = $env:PARALLELJOBS_MODULE
        $script = "`$ErrorActionPreference = 'Continue'; Import-Module '$module'; `$e = `$null; `$out = $Command -ErrorVariable e -ErrorAction SilentlyContinue; " +
            "[pscustomobject]@{ Done = @(`$out).Count; Errors = @(`$e | ForEach-Object FullyQualifiedErrorId); PeakMB = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB } | ConvertTo-Json -Compress"
        $hostPath = [Environment]::ProcessPath
        # Run as 'dotnet pwsh.dll' when this PowerShell is the dotnet tool.
        $hostArgs = @(if ((Split-Path -Leaf $hostPath) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
        $json = & $hostPath @hostArgs -NoProfile -NonInteractive -Command $script
        $json | Select-Object -Last 1 | ConvertFrom-Json
    }
}

Describe 'Resize-Image memory bounds' {
    BeforeAll {
        $script:folder = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $folder
        $null = New-Item -ItemType Directory -Path (Join-Path $folder 'out')
    }

    AfterAll {
        Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'refuses a PNG whose zTXt chunk inflates to hundreds of MB, before decoding it' {
        $bomb = Join-Path $folder 'bomb.png'
        # 256 MB of zeros compress to about 250 KB.
        $zlib = Get-Zlib 256 (1MB - 1)
        $ztxt = [byte[]]::new(9 + $zlib.Length)
        [array]::Copy([Text.Encoding]::ASCII.GetBytes('Comment'), $ztxt, 7)
        [array]::Copy($zlib, 0, $ztxt, 9, $zlib.Length)
        New-Png $bomb 16 16 -Extra @{ Type = 'zTXt'; Data = $ztxt }
        (Get-Item $bomb).Length | Should -BeLessThan 1MB
        $result = Invoke-Isolated "Resize-Image -LiteralPath '$bomb' -Width 8 -Destination '$folder/out'"
        $result.Done | Should -Be 0
        $result.Errors | Should -BeLike 'ImageMetadataTooLarge*'
        $result.PeakMB | Should -BeLessThan 400
    }

    It 'refuses an iCCP chunk over the size limit, and still resizes a PNG with small metadata' {
        $big = Join-Path $folder 'bigicc.png'
        $icc = [byte[]]::new(9MB)
        [array]::Copy([byte[]](0x69, 0x63, 0x63, 0, 0), $icc, 5)
        New-Png $big 16 16 -Extra @{ Type = 'iCCP'; Data = $icc }
        $small = Join-Path $folder 'small.png'
        New-Png $small 16 16 -Extra @{ Type = 'tEXt'; Data = [Text.Encoding]::ASCII.GetBytes("Comment`0hello") }
        $errors = $null
        $out = Resize-Image -LiteralPath $big, $small -Width 8 -Destination (Join-Path $folder 'out') -Force -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $out.Width | Should -Be 8
        $errors.FullyQualifiedErrorId | Should -BeLike 'ImageMetadataTooLarge*'
        $errors.Exception.Message | Should -Match 'bigicc.png'
    }

    It 'refuses one 16-bit image that alone exceeds -MaxMemoryMB, without decoding it' {
        $large = Join-Path $folder 'large16.png'
        New-Png $large 4000 4000 -BitDepth 16   # 128 MB decoded, a few hundred KB on disk
        (Get-Item $large).Length | Should -BeLessThan 2MB
        $errors = $null
        $out = Resize-Image -LiteralPath $large -Width 10 -Destination (Join-Path $folder 'out') -Force -MaxMemoryMB 100 -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
        $errors.Exception.Message | Should -Match '-MaxMemoryMB 100'
    }

    It 'makes large images wait for each other within -MaxMemoryMB, and does them all' {
        $files = 1..4 | ForEach-Object {
            $path = Join-Path $folder "wide$_.png"
            New-Png $path 2500 2500 -BitDepth 16   # about 50 MB each decoded
            $path
        }
        $list = ($files | ForEach-Object { "'$_'" }) -join ','
        $result = Invoke-Isolated "Resize-Image -LiteralPath $list -Width 20 -Destination '$folder/out' -Force -ThrottleLimit 4 -MaxMemoryMB 60"
        $result.Errors | Should -BeNullOrEmpty
        $result.Done | Should -Be 4
        # One image at a time (about 50 MB of pixels) on top of PowerShell itself; four at once would be 200 MB more.
        $result.PeakMB | Should -BeLessThan 600
    }
}
