#Requires -Version 7.3
# Resize-Image with hostile input: links, sources that arrive late, colliding names, FIFOs and truncated
# TGA and TIFF files. Every file is made by the test; nothing leaves the test's own temporary folder.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    if (-not ('SixLabors.ImageSharp.Image' -as [type])) {
        # The module's own copy loads into a context of its own; this one is the tests' (see Dependencies.Tests.ps1).
        Add-Type -Path (Join-Path (Split-Path $env:PARALLELJOBS_MODULE) 'Images/SixLabors.ImageSharp.dll')
    }

    $script:root = Join-Path ([IO.Path]::GetTempPath()) "pj-resize-safety-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $root

    # A small picture of random pixels, in the format its extension names.
    function New-TestImage([string] $Path, [int] $Width = 120, [int] $Height = 80, [int] $Seed = 1) {
        $bytes = [byte[]]::new($Width * $Height * 4)
        [Random]::new($Seed).NextBytes($bytes)
        for ($i = 3; $i -lt $bytes.Length; $i += 4) { $bytes[$i] = 255 }
        $image = [SixLabors.ImageSharp.Image]::LoadPixelData[SixLabors.ImageSharp.PixelFormats.Rgba32]($bytes, $Width, $Height)
        try {
            $null = New-Item -ItemType Directory -Path (Split-Path $Path) -Force
            [SixLabors.ImageSharp.ImageExtensions]::Save($image, $Path)
        }
        finally { $image.Dispose() }
        Get-Item -LiteralPath $Path
    }

    function Get-Hash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
    function Get-Width([string] $Path) { [SixLabors.ImageSharp.Image]::Identify($Path).Width }
}

AfterAll {
    Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Resize-Image never overwrites a source' {
    It 'refuses a destination folder that is a symbolic link to the source folder' {
        $dir = Join-Path $root 'link'
        $photo = New-TestImage (Join-Path $dir 'src/p.jpg')
        $before = Get-Hash $photo
        $link = Join-Path $dir 'link'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target (Join-Path $dir 'src')

        $result = Resize-Image -LiteralPath $photo -Width 50 -Destination $link -Force -ErrorVariable failed -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failed.FullyQualifiedErrorId | Should -Match '^DestinationIsSource'
        Get-Hash $photo | Should -Be $before
    }

    It 'refuses a destination that is the target of a source given through a symbolic link' {
        $dir = Join-Path $root 'filelink'
        $real = New-TestImage (Join-Path $dir 'real.jpg')
        $before = Get-Hash $real
        $null = New-Item -ItemType Directory -Path (Join-Path $dir 'in')
        $alias = Join-Path $dir 'in/real.jpg'
        $null = New-Item -ItemType SymbolicLink -Path $alias -Target $real

        # The source is the link; its thumbnail would land on the real file through -Destination.
        Resize-Image -LiteralPath $alias -Width 50 -Destination $dir -Force -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed.FullyQualifiedErrorId | Should -Match '^DestinationIsSource'
        Get-Hash $real | Should -Be $before
    }

    It 'does not write over a source that arrives after the item that would overwrite it (a.jpg -> a.png)' {
        $dir = Join-Path $root 'slow'
        $jpg = New-TestImage (Join-Path $dir 'a.jpg') -Seed 1
        $png = New-TestImage (Join-Path $dir 'a.png') -Seed 2
        $before = Get-Hash $png

        $results = Get-ChildItem -LiteralPath $dir | Sort-Object Name |
            ForEach-Object { Start-Sleep -Milliseconds 700; $_ } |
            Resize-Image -Format png -Width 50 -Force -ErrorVariable failed -ErrorAction SilentlyContinue

        Get-Hash $png | Should -Be $before
        Get-Width $png | Should -Be 120
        $results | Should -BeNullOrEmpty
        $failed.FullyQualifiedErrorId | Should -Match '^(DestinationProtected|DestinationIsSource)' -Because 'each item says why it was not written'
        $failed.Count | Should -Be 2
    }

    It '-Force still replaces a file Resize-Image wrote itself, in every output format' -ForEach @(
        @{ Format = 'jpg' }, @{ Format = 'png' }, @{ Format = 'webp' }, @{ Format = 'gif' }, @{ Format = 'bmp' }
    ) {
        $dir = Join-Path $root "again-$Format"
        $photo = New-TestImage (Join-Path $dir 'photo.tga')
        $first = Resize-Image -LiteralPath $photo -Width 60 -Format $Format -Suffix _t
        $second = Resize-Image -LiteralPath $photo -Width 40 -Format $Format -Suffix _t -Force

        $second.Destination | Should -Be $first.Destination
        Get-Width $second.Destination | Should -Be 40
    }

    It '-Force does not replace another image, but does replace a file that is not an image' {
        $dir = Join-Path $root 'foreign'
        $photo = New-TestImage (Join-Path $dir 'in/photo.png')
        $foreign = New-TestImage (Join-Path $dir 'out/photo.png') -Seed 9
        $before = Get-Hash $foreign
        Resize-Image -LiteralPath $photo -Width 30 -Destination (Join-Path $dir 'out') -Force -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.FullyQualifiedErrorId | Should -Match '^DestinationProtected'
        Get-Hash $foreign | Should -Be $before

        Set-Content -LiteralPath $foreign -Value 'not an image'
        $result = Resize-Image -LiteralPath $photo -Width 30 -Destination (Join-Path $dir 'out') -Force
        Get-Width $result.Destination | Should -Be 30
    }
}

Describe 'Resize-Image never writes two sources to one file' {
    It 'gives the second of two same-named sources from different folders a DestinationCollision' {
        $dir = Join-Path $root 'collide'
        $one = New-TestImage (Join-Path $dir 'photos/p1.jpg') -Seed 1
        $two = New-TestImage (Join-Path $dir 'archive/p1.jpg') -Seed 2
        $out = Join-Path $dir 'out'

        $results = Get-Item -LiteralPath $one, $two | Resize-Image -Width 60 -Destination $out -Force -ErrorVariable failed -ErrorAction SilentlyContinue

        @($results).Count | Should -Be 1
        $results.Source | Should -Be $one.FullName
        $failed.FullyQualifiedErrorId | Should -Match '^DestinationCollision'
        $failed[0].Exception.Message | Should -BeLike "*$($one.FullName)*"
    }

    It 'keeps the folder structure below -Root (recursive input is not flattened)' {
        $dir = Join-Path $root 'tree'
        $null = New-TestImage (Join-Path $dir 'src/a/p.jpg') -Seed 1
        $null = New-TestImage (Join-Path $dir 'src/b/p.jpg') -Seed 2
        $null = New-TestImage (Join-Path $dir 'src/top.jpg') -Seed 3
        $out = Join-Path $dir 'out'

        $results = Get-ChildItem -LiteralPath (Join-Path $dir 'src') -Recurse -File | Resize-Image -Width 40 -Destination $out -Root (Join-Path $dir 'src')

        @($results).Count | Should -Be 3
        Test-Path (Join-Path $out 'a/p.jpg') | Should -BeTrue
        Test-Path (Join-Path $out 'b/p.jpg') | Should -BeTrue
        Test-Path (Join-Path $out 'top.jpg') | Should -BeTrue
    }

    It 'keeps the structure below the common folder of -Path inputs without -Root' {
        $dir = Join-Path $root 'common'
        $one = New-TestImage (Join-Path $dir 'photos/p1.jpg') -Seed 1
        $two = New-TestImage (Join-Path $dir 'archive/p1.jpg') -Seed 2
        $out = Join-Path $dir 'out'

        $results = Resize-Image -LiteralPath $one, $two -Width 40 -Destination $out

        $results.Destination | Should -Be @((Join-Path $out 'photos/p1.jpg'), (Join-Path $out 'archive/p1.jpg'))
    }

    It 'writes one folder''s files straight into -Destination, as before' {
        $dir = Join-Path $root 'flat'
        $null = New-TestImage (Join-Path $dir 'in/x.png') -Seed 1
        $null = New-TestImage (Join-Path $dir 'in/y.png') -Seed 2
        $results = Get-ChildItem -LiteralPath (Join-Path $dir 'in') | Resize-Image -Width 30 -Destination (Join-Path $dir 'out')
        $results.Destination | Should -Be @((Join-Path $dir 'out/x.png'), (Join-Path $dir 'out/y.png'))
    }
}

Describe 'Resize-Image opens only regular files' -Skip:$IsWindows {
    BeforeAll {
        $dir = Join-Path $root 'fifo'
        $null = New-TestImage (Join-Path $dir 'a.jpg')
        & mkfifo (Join-Path $dir 'fifo.jpg')
    }

    It 'gives a FIFO a per-item error and goes on, without hanging' {
        $job = Start-ThreadJob {
            param($module, $dir)
            Import-Module $module
            Resize-Image -LiteralPath (Join-Path $dir 'fifo.jpg'), (Join-Path $dir 'a.jpg') -Width 20 -Destination (Join-Path $dir 'out1') -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed | ForEach-Object FullyQualifiedErrorId
        } -ArgumentList $env:PARALLELJOBS_MODULE, $dir
        $done = $job | Wait-Job -Timeout 20
        $done | Should -Not -BeNullOrEmpty -Because 'a FIFO must not be opened'
        $out = Receive-Job $job
        Remove-Job $job -Force
        $out[0].Destination | Should -Be (Join-Path $dir 'out1/a.jpg')
        $out[1] | Should -Match '^SourceNotRegularFile'
    }

    It 'does the same for Get-ChildItem | Resize-Image in a folder holding a FIFO' {
        $job = Start-ThreadJob {
            param($module, $dir)
            Import-Module $module
            Get-ChildItem -LiteralPath $dir -File | Resize-Image -Width 20 -Destination (Join-Path $dir 'out2') -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed | ForEach-Object FullyQualifiedErrorId
        } -ArgumentList $env:PARALLELJOBS_MODULE, $dir
        $done = $job | Wait-Job -Timeout 20
        $done | Should -Not -BeNullOrEmpty
        $out = Receive-Job $job
        Remove-Job $job -Force
        @($out | Where-Object { $_ -is [string] }) | Should -Match '^SourceNotRegularFile'
        Test-Path (Join-Path $dir 'out2/a.jpg') | Should -BeTrue
    }
}

Describe 'Resize-Image catches truncated TGA and TIFF files' {
    It 'refuses <Extension> cut at 36 points along its length as ImageInvalid' -ForEach @(
        @{ Extension = 'tga' }, @{ Extension = 'tiff' }
    ) {
        $dir = Join-Path $root "cut-$Extension"
        $whole = New-TestImage (Join-Path $dir "whole.$Extension") -Width 64 -Height 64
        $bytes = [IO.File]::ReadAllBytes($whole)
        $cuts = foreach ($point in 1..36) {
            $path = Join-Path $dir "cut$point.$Extension"
            [IO.File]::WriteAllBytes($path, $bytes[0..([int]($bytes.Length * $point / 37) - 1)])
            $path
        }

        $results = Resize-Image -LiteralPath $cuts -Width 16 -Format png -Destination (Join-Path $dir 'out') -ErrorVariable failed -ErrorAction SilentlyContinue

        $results | Should -BeNullOrEmpty
        $failed.Count | Should -Be 36
        $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -Match '^ImageInvalid' }
        $failed | ForEach-Object { $_.Exception.Message | Should -Not -Match 'Object reference' }
        Resize-Image -LiteralPath $whole -Width 16 -Format png -Destination (Join-Path $dir 'out') | Should -Not -BeNullOrEmpty
    }

    It 'refuses a TIFF whose directory comes first and whose pixel data is cut short' {
        # As libtiff-style writers lay it out: header, directory, then one strip of 64 x 64 grey pixels.
        $dir = Join-Path $root 'cut-tiff-first'
        $null = New-Item -ItemType Directory -Path $dir -Force
        $entries = @(@(256, 3, 64), @(257, 3, 64), @(258, 3, 8), @(259, 3, 1), @(262, 3, 1), @(273, 4, 0), @(277, 3, 1), @(278, 3, 64), @(279, 4, 4096))
        $dataOffset = 8 + 2 + $entries.Count * 12 + 4
        $tiff = [IO.MemoryStream]::new()
        $writer = [IO.BinaryWriter]::new($tiff)
        $writer.Write([byte[]](0x49, 0x49, 42, 0)); $writer.Write([uint32]8); $writer.Write([uint16]$entries.Count)
        foreach ($entry in $entries) {
            $value = if ($entry[0] -eq 273) { $dataOffset } else { $entry[2] }
            $writer.Write([uint16]$entry[0]); $writer.Write([uint16]$entry[1]); $writer.Write([uint32]1)
            if ($entry[1] -eq 3) { $writer.Write([uint16]$value); $writer.Write([uint16]0) } else { $writer.Write([uint32]$value) }
        }
        $writer.Write([uint32]0)
        $pixels = [byte[]]::new(4096); [Random]::new(3).NextBytes($pixels); $writer.Write($pixels); $writer.Flush()
        $bytes = $tiff.ToArray()
        $whole = Join-Path $dir 'whole.tif'
        [IO.File]::WriteAllBytes($whole, $bytes)
        $cuts = foreach ($point in 1..36) {
            $path = Join-Path $dir "cut$point.tif"
            [IO.File]::WriteAllBytes($path, $bytes[0..([int]($bytes.Length * $point / 37) - 1)])
            $path
        }

        Resize-Image -LiteralPath $cuts -Width 16 -Format png -Destination (Join-Path $dir 'out') -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed.Count | Should -Be 36
        $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -Match '^ImageInvalid' }
        (Resize-Image -LiteralPath $whole -Width 16 -Format png -Destination (Join-Path $dir 'out')).Width | Should -Be 16
    }

    It 'also refuses an RLE-compressed TGA that is cut short' {
        $dir = Join-Path $root 'cut-rle'
        $path = Join-Path $dir 'rle.tga'
        $null = New-Item -ItemType Directory -Path $dir -Force
        $image = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgba32]]::new(64, 64)
        try {
            $encoder = [SixLabors.ImageSharp.Formats.Tga.TgaEncoder]::new()
            $encoder.Compression = 'RunLength'
            [SixLabors.ImageSharp.ImageExtensions]::Save($image, $path, $encoder)
        }
        finally { $image.Dispose() }
        $bytes = [IO.File]::ReadAllBytes($path)
        [IO.File]::WriteAllBytes($path, $bytes[0..($bytes.Length - 40)])
        Resize-Image -LiteralPath $path -Width 16 -Format png -Destination (Join-Path $dir 'out') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.FullyQualifiedErrorId | Should -Match '^ImageInvalid'
    }
}

Describe 'Resize-Image stops a large image in time' {
    BeforeAll {
        # 64 megapixels of one colour: a small file that takes seconds to decode.
        $script:bigDir = Join-Path $root 'big'
        $null = New-Item -ItemType Directory -Path $bigDir -Force
        $script:bigPng = Join-Path $bigDir 'big.png'
        $image = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgb24]]::new(8000, 8000)
        try { [SixLabors.ImageSharp.ImageExtensions]::Save($image, $bigPng) } finally { $image.Dispose() }
    }

    It 'ends a PNG decode at -ItemTimeoutSeconds (the PNG decoder has no token of its own)' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $result = Resize-Image -LiteralPath $bigPng -Width 50 -Destination (Join-Path $bigDir 'out') -ItemTimeoutSeconds 0.3 -AsResult
        $watch.Stop()

        $result.Status | Should -Be 'TimedOut'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        @(Get-ChildItem -LiteralPath $bigDir -Recurse -Filter *.tmp -Force) | Should -BeNullOrEmpty
    }

    It 'ends at -TimeoutSeconds with RunTimedOut' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        { Resize-Image -LiteralPath $bigPng, $bigPng -Width 50 -Suffix _a -TimeoutSeconds 0.5 -ThrottleLimit 1 } | Should -Throw -ErrorId 'RunTimedOut*'
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
    }
}
