#Requires -Version 7.3
# Resize-Image, as a user would run it. The tests make their own images with the ImageSharp that ships
# in the module folder, and craft damaged and oversized files byte by byte.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    if (-not ('SixLabors.ImageSharp.Image' -as [type])) {
        # The module's own copy loads into a context of its own; this one is the tests' (see Dependencies.Tests.ps1).
        Add-Type -Path (Join-Path (Split-Path $env:PARALLELJOBS_MODULE) 'Images/SixLabors.ImageSharp.dll')
    }

    $script:root = Join-Path ([IO.Path]::GetTempPath()) "pj-resize-tests-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $root

    # A picture of smoothed noise (so JPEGs compress like photos), saved in the format its extension names.
    function New-TestImage {
        param(
            [Parameter(Mandatory)] [string] $Path,
            [int] $Width = 400,
            [int] $Height = 300,
            [int] $Frames = 1,
            [int] $Orientation = 0,
            [switch] $Transparent,
            [int] $Seed = 1
        )
        $smallWidth = [Math]::Max(1, [int]($Width / 4))
        $smallHeight = [Math]::Max(1, [int]($Height / 4))
        $bytes = [byte[]]::new($smallWidth * $smallHeight * 4)
        [Random]::new($Seed).NextBytes($bytes)
        for ($i = 3; $i -lt $bytes.Length; $i += 4) { $bytes[$i] = if ($Transparent) { 0 } else { 255 } }
        $image = [SixLabors.ImageSharp.Image]::LoadPixelData[SixLabors.ImageSharp.PixelFormats.Rgba32]($bytes, $smallWidth, $smallHeight)
        try {
            [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                    param($context)
                    $null = [SixLabors.ImageSharp.Processing.ResizeExtensions]::Resize($context, $Width, $Height)
                })
            for ($i = 1; $i -lt $Frames; $i++) { $null = $image.Frames.AddFrame($image.Frames.RootFrame) }
            if ($Orientation) {
                $exif = [SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile]::new()
                $exif.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation, [uint16]$Orientation)
                $image.Metadata.ExifProfile = $exif
            }
            $null = New-Item -ItemType Directory -Path (Split-Path $Path) -Force
            [SixLabors.ImageSharp.ImageExtensions]::Save($image, $Path)
        }
        finally {
            $image.Dispose()
        }
        Get-Item -LiteralPath $Path
    }

    # What a file really is: its format (from its content) and size.
    function Get-ImageInfo([string] $Path) {
        $info = [SixLabors.ImageSharp.Image]::Identify($Path)
        [pscustomobject]@{
            Format = [SixLabors.ImageSharp.Image]::DetectFormat($Path).Name
            Width  = $info.Width
            Height = $info.Height
        }
    }

    function Get-Pixel([string] $Path, [int] $X, [int] $Y) {
        $image = [SixLabors.ImageSharp.Image]::Load[SixLabors.ImageSharp.PixelFormats.Rgba32]($Path)
        try { $image.get_Item($X, $Y) } finally { $image.Dispose() }
    }

    function Get-Crc32([byte[]] $Bytes) {
        $crc = 0xFFFFFFFFu
        foreach ($b in $Bytes) {
            $crc = $crc -bxor $b
            for ($k = 0; $k -lt 8; $k++) {
                if ($crc -band 1) { $crc = ($crc -shr 1) -bxor 0xEDB88320u } else { $crc = $crc -shr 1 }
            }
        }
        [uint32]($crc -bxor 0xFFFFFFFFu)
    }

    function ConvertTo-BigEndian([uint32] $Value) {
        $bytes = [BitConverter]::GetBytes($Value)
        [Array]::Reverse($bytes)
        , $bytes
    }

    # A 54-byte BMP whose header claims 50,000 x 50,000 pixels (7.5 GB decoded) and has no pixel data.
    function New-HugeBmp([string] $Path) {
        $bytes = [byte[]]::new(54)
        $bytes[0] = [byte][char]'B'; $bytes[1] = [byte][char]'M'
        [BitConverter]::GetBytes([int]54).CopyTo($bytes, 2)
        [BitConverter]::GetBytes([int]54).CopyTo($bytes, 10)
        [BitConverter]::GetBytes([int]40).CopyTo($bytes, 14)
        [BitConverter]::GetBytes([int]50000).CopyTo($bytes, 18)
        [BitConverter]::GetBytes([int]50000).CopyTo($bytes, 22)
        [BitConverter]::GetBytes([int16]1).CopyTo($bytes, 26)
        [BitConverter]::GetBytes([int16]24).CopyTo($bytes, 28)
        [IO.File]::WriteAllBytes($Path, $bytes)
    }

    # A small PNG whose IHDR (with a correct CRC) claims 50,000 x 50,000 pixels.
    function New-HugePng([string] $Path) {
        $ihdr = [Collections.Generic.List[byte]]::new()
        $ihdr.AddRange([Text.Encoding]::ASCII.GetBytes('IHDR'))
        $ihdr.AddRange((ConvertTo-BigEndian 50000))
        $ihdr.AddRange((ConvertTo-BigEndian 50000))
        $ihdr.AddRange([byte[]](8, 2, 0, 0, 0))
        $iend = [Text.Encoding]::ASCII.GetBytes('IEND')
        $png = [Collections.Generic.List[byte]]::new()
        $png.AddRange([byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A))
        $png.AddRange((ConvertTo-BigEndian 13))
        $png.AddRange($ihdr.ToArray())
        $png.AddRange((ConvertTo-BigEndian (Get-Crc32 $ihdr.ToArray())))
        $png.AddRange((ConvertTo-BigEndian 0))
        $png.AddRange($iend)
        $png.AddRange((ConvertTo-BigEndian (Get-Crc32 $iend)))
        [IO.File]::WriteAllBytes($Path, $png.ToArray())
    }

    function Get-TempFile([string] $Folder) {
        @(Get-ChildItem -LiteralPath $Folder -Recurse -Force -File -ErrorAction SilentlyContinue | Where-Object Name -like '*.tmp')
    }
}

AfterAll {
    Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Resize-Image' {
    Context 'Fitting the size with -Mode' {
        BeforeAll {
            $dir = Join-Path $root 'modes'
            $landscape = New-TestImage (Join-Path $dir 'landscape.png') -Width 400 -Height 300
            $wide = New-TestImage (Join-Path $dir 'wide.jpg') -Width 400 -Height 100
        }

        It 'Max with -Width only keeps the aspect ratio' {
            $result = $landscape | Resize-Image -Width 200 -Destination (Join-Path $dir 'w')
            $result.Width, $result.Height | Should -Be 200, 150
            (Get-ImageInfo $result.Destination).Width | Should -Be 200
            (Get-ImageInfo $result.Destination).Height | Should -Be 150
        }

        It 'Max with -Height only keeps the aspect ratio' {
            $result = $landscape | Resize-Image -Height 60 -Destination (Join-Path $dir 'h')
            $result.Width, $result.Height | Should -Be 80, 60
        }

        It 'Max with both fits inside the box' {
            $result = $landscape | Resize-Image -Width 100 -Height 100 -Destination (Join-Path $dir 'max')
            $result.Width, $result.Height | Should -Be 100, 75
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 100, 75
        }

        It 'Crop fills the box exactly' {
            $result = $landscape | Resize-Image -Width 100 -Height 100 -Mode Crop -Destination (Join-Path $dir 'crop')
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 100, 100
        }

        It 'Stretch fills the box exactly, aspect ratio or not' {
            $result = $landscape | Resize-Image -Width 50 -Height 120 -Mode Stretch -Destination (Join-Path $dir 'stretch')
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 50, 120
        }

        It 'Pad fills the rest of the box with transparency in a PNG' {
            $result = $wide | Resize-Image -Width 100 -Height 100 -Mode Pad -Format png -Destination (Join-Path $dir 'pad')
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 100, 100
            (Get-Pixel $result.Destination 0 0).A | Should -Be 0
            (Get-Pixel $result.Destination 50 50).A | Should -Be 255
        }

        It 'Pad fills the rest of the box with white in a JPEG' {
            $result = $wide | Resize-Image -Width 100 -Height 100 -Mode Pad -Destination (Join-Path $dir 'padjpg')
            $corner = Get-Pixel $result.Destination 0 0
            $corner.R, $corner.G, $corner.B | ForEach-Object { $_ | Should -BeGreaterThan 240 }
        }

        It 'Without -Width and -Height keeps the size and converts the format' {
            $result = $landscape | Resize-Image -Format webp -Destination (Join-Path $dir 'convert')
            $result.Width, $result.Height | Should -Be 400, 300
            (Get-ImageInfo $result.Destination).Format | Should -Be 'Webp'
        }

        It 'applies the EXIF orientation first, so sizes are those of the upright picture' {
            $turned = New-TestImage (Join-Path $dir 'turned.jpg') -Width 400 -Height 300 -Orientation 6
            $result = $turned | Resize-Image -Width 150 -Destination (Join-Path $dir 'upright')
            $result.OriginalWidth, $result.OriginalHeight | Should -Be 300, 400
            $result.Width, $result.Height | Should -Be 150, 200
        }

        It 'refuses Crop, Pad and Stretch without both -Width and -Height' {
            { $landscape | Resize-Image -Width 100 -Mode Crop -Destination (Join-Path $dir 'none') } |
                Should -Throw -ErrorId 'SizeRequired*'
            Join-Path $dir 'none' | Should -Not -Exist
        }

        It 'refuses a resized image larger than -MaxPixels' {
            $landscape | Resize-Image -Width 4000 -AllowEnlarge -MaxPixels 1000000 -Destination (Join-Path $dir 'big') -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
            Join-Path $dir 'big/landscape.png' | Should -Not -Exist
        }
    }

    Context 'Output formats' {
        BeforeAll {
            $dir = Join-Path $root 'formats'
            $photo = New-TestImage (Join-Path $dir 'photo.jpg') -Width 320 -Height 240
        }

        It 'writes <Format> with the extension <Extension>' -ForEach @(
            @{ Format = 'jpg'; Extension = '.jpg'; Name = 'JPEG' }
            @{ Format = 'jpeg'; Extension = '.jpg'; Name = 'JPEG' }
            @{ Format = 'png'; Extension = '.png'; Name = 'PNG' }
            @{ Format = 'webp'; Extension = '.webp'; Name = 'Webp' }
            @{ Format = 'gif'; Extension = '.gif'; Name = 'GIF' }
            @{ Format = 'bmp'; Extension = '.bmp'; Name = 'BMP' }
        ) {
            $result = $photo | Resize-Image -Width 64 -Format $Format -Destination (Join-Path $dir $Format)
            $result.Destination | Should -Be (Join-Path $dir $Format "photo$Extension")
            (Get-ImageInfo $result.Destination).Format | Should -Be $Name
            (Get-ImageInfo $result.Destination).Width | Should -Be 64
        }

        It 'keeps the source format and extension by default' {
            $png = New-TestImage (Join-Path $dir 'keep/source.PNG') -Width 100 -Height 100
            $result = $png | Resize-Image -Width 10 -Suffix '-small'
            $result.Destination | Should -Be (Join-Path $dir 'keep/source-small.PNG')
            (Get-ImageInfo $result.Destination).Format | Should -Be 'PNG'
        }

        It 'encodes a lower -Quality into a smaller JPEG' {
            $low = $photo | Resize-Image -Width 300 -Quality 10 -Destination (Join-Path $dir 'q10')
            $high = $photo | Resize-Image -Width 300 -Quality 95 -Destination (Join-Path $dir 'q95')
            $low.BytesAfter | Should -BeLessThan ($high.BytesAfter / 2)
        }

        It 'flattens transparency onto white in a JPEG' {
            $clear = New-TestImage (Join-Path $dir 'clear.png') -Width 40 -Height 40 -Transparent
            $result = $clear | Resize-Image -Format jpg -Destination (Join-Path $dir 'flat')
            $pixel = Get-Pixel $result.Destination 20 20
            $pixel.R, $pixel.G, $pixel.B | ForEach-Object { $_ | Should -BeGreaterThan 240 }
        }

        It 'keeps every frame of an animated GIF written as a GIF, and the first frame otherwise' {
            $animated = New-TestImage (Join-Path $dir 'anim.gif') -Width 40 -Height 40 -Frames 5
            $gif = $animated | Resize-Image -Width 20 -Destination (Join-Path $dir 'anim')
            $png = $animated | Resize-Image -Width 20 -Format png -Destination (Join-Path $dir 'anim')
            $image = [SixLabors.ImageSharp.Image]::Load($gif.Destination)
            try { $image.Frames.Count | Should -Be 5; $image.Width | Should -Be 20 } finally { $image.Dispose() }
            (Get-ImageInfo $png.Destination).Format | Should -Be 'PNG'
        }
    }

    Context 'Naming: -Suffix and -Destination' {
        BeforeAll {
            $dir = Join-Path $root 'naming'
            $photo = New-TestImage (Join-Path $dir 'photo.jpg')
        }

        It 'appends -Suffix to the name, beside the source' {
            $result = $photo | Resize-Image -Width 50 -Suffix '_thumb'
            $result.Destination | Should -Be (Join-Path $dir 'photo_thumb.jpg')
            $result.Destination | Should -Exist
        }

        It 'creates a missing -Destination folder, nested' {
            $target = Join-Path $dir 'a/b/c'
            $result = $photo | Resize-Image -Width 50 -Destination $target
            $result.Destination | Should -Be (Join-Path $target 'photo.jpg')
            $result.Destination | Should -Exist
        }

        It 'resolves relative paths and -Destination against the current location' {
            Push-Location $dir
            try {
                $result = 'photo.jpg' | Resize-Image -Width 50 -Destination 'relative'
            }
            finally {
                Pop-Location
            }
            $result.Source | Should -Be (Join-Path $dir 'photo.jpg')
            $result.Destination | Should -Be (Join-Path $dir 'relative/photo.jpg')
            $result.Destination | Should -Exist
        }

        It 'refuses to write beside the source without -Suffix or -Format' {
            { $photo | Resize-Image -Width 50 } | Should -Throw -ErrorId 'DestinationRequired*'
        }

        It 'refuses a -Suffix that is not part of a file name' {
            { $photo | Resize-Image -Width 50 -Suffix 'x/y' } | Should -Throw -ErrorId 'InvalidSuffix*'
        }
    }

    Context 'Input binding' {
        BeforeAll {
            $dir = Join-Path $root 'input'
            $null = New-TestImage (Join-Path $dir 'one.jpg') -Seed 1
            $null = New-TestImage (Join-Path $dir 'two.jpg') -Seed 2
            $null = New-TestImage (Join-Path $dir 'three.png') -Seed 3
            $bracket = Join-Path $dir 'photo[1].jpg'
            $null = New-TestImage (Join-Path $dir 'plain.jpg') -Seed 4
            Copy-Item -LiteralPath (Join-Path $dir 'plain.jpg') -Destination $bracket
        }

        It 'takes FileInfo objects from Get-ChildItem, even with brackets in the name' {
            $results = Get-ChildItem -LiteralPath $dir -Filter *.jpg | Resize-Image -Width 20 -Destination (Join-Path $root 'input-out/fileinfo')
            $results.Source | Should -Be (Get-ChildItem -LiteralPath $dir -Filter *.jpg).FullName
            # Should -Exist would read the brackets as a wildcard.
            [IO.File]::Exists((Join-Path $root 'input-out/fileinfo/photo[1].jpg')) | Should -BeTrue
        }

        It 'takes path strings from the pipeline' {
            $paths = (Join-Path $dir 'two.jpg'), (Join-Path $dir 'one.jpg')
            $results = $paths | Resize-Image -Width 20 -Destination (Join-Path $root 'input-out/strings')
            $results.Source | Should -Be $paths
        }

        It 'expands wildcards in -Path' {
            $results = Resize-Image -Path (Join-Path $dir '*.png') -Width 20 -Destination (Join-Path $root 'input-out/wild')
            $results.Source | Should -Be (Join-Path $dir 'three.png')
        }

        It 'takes -LiteralPath as written' {
            $result = Resize-Image -LiteralPath $bracket -Width 20 -Destination (Join-Path $root 'input-out/literal')
            $result.Source | Should -Be $bracket
        }

        It 'reports a missing file as its own item, in input order' {
            $paths = (Join-Path $dir 'one.jpg'), (Join-Path $dir 'missing.jpg'), (Join-Path $dir 'two.jpg')
            # -ErrorAction Continue: the test runner's $ErrorActionPreference is Stop, which would stop at the first failure.
            $results = $paths | Resize-Image -Width 20 -Destination (Join-Path $root 'input-out/missing') -AsResult -ErrorAction Continue
            $results.Status | Should -Be 'Completed', 'Failed', 'Completed'
            $results[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'SourceNotFound*'
            $results[1].Errors[0].Exception.Message | Should -BeLike '*missing.jpg*'
        }
    }

    Context 'Results' {
        BeforeAll {
            $dir = Join-Path $root 'results'
            $photo = New-TestImage (Join-Path $dir 'photo.jpg') -Width 600 -Height 400
            $result = $photo | Resize-Image -Width 150 -Destination (Join-Path $dir 'out')
        }

        It 'describes the source and the file written' {
            $result | Should -BeOfType ParallelJobs.ImageResizeResult
            $result.Action | Should -Be 'Resized'
            $result.Source | Should -Be $photo.FullName
            $result.OriginalWidth, $result.OriginalHeight, $result.Width, $result.Height | Should -Be 600, 400, 150, 100
            $result.BytesBefore | Should -Be $photo.Length
            $result.BytesAfter | Should -Be (Get-Item -LiteralPath $result.Destination).Length
        }

        It 'shows as a table' {
            $text = $result | Out-String
            $text | Should -Match 'Action\s+Original\s+Resized'
            $text | Should -Match 'Resized\s+600x400\s+150x100'
        }
    }

    Context '-WhatIf' {
        It 'writes nothing, not even the destination folder' {
            $dir = Join-Path $root 'whatif'
            $photo = New-TestImage (Join-Path $dir 'photo.jpg')
            $output = $photo | Resize-Image -Width 50 -Destination (Join-Path $dir 'out') -Suffix _s -WhatIf
            $output | Should -BeNullOrEmpty
            Join-Path $dir 'out' | Should -Not -Exist
            @(Get-ChildItem -LiteralPath $dir -Force).Name | Should -Be 'photo.jpg'
        }
    }

    Context 'Existing files: -Force, DestinationExists and DestinationIsSource' {
        BeforeAll {
            $dir = Join-Path $root 'existing'
            $photo = New-TestImage (Join-Path $dir 'photo.jpg') -Width 200 -Height 100
            $out = Join-Path $dir 'out'
            $null = New-Item -ItemType Directory -Path $out
            Set-Content -LiteralPath (Join-Path $out 'photo.jpg') -Value 'old content'
        }

        It 'does not replace an existing destination without -Force' {
            $photo | Resize-Image -Width 50 -Destination $out -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists*'
            $failed[0].Exception.Message | Should -BeLike '*photo.jpg*-Force*'
            Get-Content -LiteralPath (Join-Path $out 'photo.jpg') | Should -Be 'old content'
        }

        It 'replaces an existing destination with -Force' {
            $result = $photo | Resize-Image -Width 50 -Destination $out -Force
            $result.Width | Should -Be 50
            (Get-ImageInfo (Join-Path $out 'photo.jpg')).Width | Should -Be 50
        }

        It 'never overwrites the source itself, even with -Force' {
            $before = (Get-FileHash -LiteralPath $photo.FullName).Hash
            $photo | Resize-Image -Width 50 -Format jpg -Force -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $photo | Resize-Image -Width 50 -Destination $dir -Force -ErrorVariable +failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed.Count | Should -Be 2
            $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'DestinationIsSource*' }
            (Get-FileHash -LiteralPath $photo.FullName).Hash | Should -Be $before
        }

        It 'never overwrites another source of the same run' {
            $pair = Join-Path $dir 'pair'
            $png = New-TestImage (Join-Path $pair 'same.png') -Seed 5
            $jpg = New-TestImage (Join-Path $pair 'same.jpg') -Seed 6
            $before = (Get-FileHash -LiteralPath $jpg.FullName).Hash
            $results = $jpg, $png | Resize-Image -Width 50 -Format jpg -Destination $pair -Force -AsResult -ErrorAction Continue
            $results.Status | Should -Be 'Failed', 'Failed'
            $results[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'DestinationIsSource*'
            (Get-FileHash -LiteralPath $jpg.FullName).Hash | Should -Be $before
        }
    }

    Context 'Damaged, crafted and oversized files' {
        BeforeAll {
            $dir = Join-Path $root 'damaged'
            $good1 = New-TestImage (Join-Path $dir 'good1.jpg') -Seed 1
            $good2 = New-TestImage (Join-Path $dir 'good2.png') -Seed 2
            $good3 = New-TestImage (Join-Path $dir 'good3.jpg') -Seed 3

            $corrupt = Join-Path $dir 'corrupt.png'
            $noise = [byte[]]::new(300)
            [Random]::new(7).NextBytes($noise)
            [IO.File]::WriteAllBytes($corrupt, [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) + $noise)

            $truncated = Join-Path $dir 'truncated.jpg'
            $whole = [IO.File]::ReadAllBytes((New-TestImage (Join-Path $dir 'whole.jpg') -Width 800 -Height 600 -Seed 8).FullName)
            [IO.File]::WriteAllBytes($truncated, $whole[0..([int]($whole.Length * 0.6))])

            $text = Join-Path $dir 'notes.jpg'
            Set-Content -LiteralPath $text -Value 'This is a text file with a .jpg name.'

            $hugeBmp = Join-Path $dir 'huge.bmp'
            New-HugeBmp $hugeBmp
            $hugePng = Join-Path $dir 'huge-png.png'
            New-HugePng $hugePng

            $inputs = $good1.FullName, $corrupt, $good2.FullName, $truncated, $text, $hugeBmp, $hugePng, $good3.FullName
            $out = Join-Path $dir 'out'
            $results = $inputs | Resize-Image -Width 40 -Format png -Destination $out -ErrorVariable failures -ErrorAction SilentlyContinue
        }

        It 'does every good image, in input order' {
            $results.Source | Should -Be $good1.FullName, $good2.FullName, $good3.FullName
            $results.Destination | ForEach-Object { $_ | Should -Exist }
        }

        It 'gives each bad file its own error with a stable id' {
            $failures.Count | Should -Be 5
            $failures.ParallelJobItem.Index | Should -Be 1, 3, 4, 5, 6
            $failures.ParallelJobItem.Input | Should -Be $corrupt, $truncated, $text, $hugeBmp, $hugePng
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageInvalid*'
            $failures[1].FullyQualifiedErrorId | Should -BeLike 'ImageInvalid*'
            $failures[2].FullyQualifiedErrorId | Should -BeLike 'ImageInvalid*'
            $failures[3].FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
            $failures[4].FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
        }

        It 'names the file in every error message' {
            foreach ($failure in $failures) {
                $failure.Exception.Message | Should -BeLike "*$(Split-Path -Leaf $failure.ParallelJobItem.Input)*"
            }
        }

        It 'says why: truncated, not an image, or how large the header claims' {
            $failures[1].Exception.Message | Should -BeLike '*truncated*'
            $failures[2].Exception.Message | Should -BeLike '*not an image*'
            $failures[3].Exception.Message | Should -BeLike '*50000 x 50000*-MaxPixels*'
        }

        It 'writes nothing for a bad file, and leaves no temporary file' {
            @(Get-ChildItem -LiteralPath $out -Force).Name | Sort-Object | Should -Be 'good1.png', 'good2.png', 'good3.png'
            Get-TempFile $dir | Should -BeNullOrEmpty
        }

        It 'reports statuses with -AsResult' {
            $asResult = $inputs | Resize-Image -Width 40 -Format png -Destination (Join-Path $dir 'asresult') -AsResult -ErrorAction Continue
            $asResult.Status | Should -Be 'Completed', 'Failed', 'Completed', 'Failed', 'Failed', 'Failed', 'Failed', 'Completed'
            $asResult[0].Output[0] | Should -BeOfType ParallelJobs.ImageResizeResult
            $asResult[5].Errors[0].FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
            $asResult.Input | Should -Be $inputs
        }

        It 'refuses an image above a lower -MaxPixels before decoding it' {
            $good1 | Resize-Image -Width 40 -MaxPixels 1000 -Destination (Join-Path $dir 'small') -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
            $failed[0].Exception.Message | Should -BeLike '*400 x 300*'
        }

        It 'refuses an animated GIF with more than -MaxFrames frames when it keeps them' {
            $animated = New-TestImage (Join-Path $dir 'frames.gif') -Width 20 -Height 20 -Frames 12
            $animated | Resize-Image -Width 10 -MaxFrames 10 -Destination (Join-Path $dir 'frames') -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImageTooLarge*'
            $failed[0].Exception.Message | Should -BeLike '*-MaxFrames*'
            # Its first frame alone is fine.
            ($animated | Resize-Image -Width 10 -MaxFrames 10 -Format png -Destination (Join-Path $dir 'frames')).Width | Should -Be 10
        }

        It 'counts every frame of a kept animation against -MaxPixels' {
            $animated = New-TestImage (Join-Path $dir 'pixels.gif') -Width 20 -Height 20 -Frames 4
            $animated | Resize-Image -Width 10 -MaxPixels 1000 -Destination (Join-Path $dir 'pixels') -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed[0].Exception.Message | Should -BeLike '*4 frames of 20 x 20*'
        }

        It 'refuses a truncated <Format> too' -ForEach @(
            @{ Format = 'png' }, @{ Format = 'gif' }, @{ Format = 'bmp' }, @{ Format = 'webp' }
        ) {
            $source = New-TestImage (Join-Path $dir "whole-$Format.$Format") -Width 200 -Height 150 -Seed 9
            $bytes = [IO.File]::ReadAllBytes($source.FullName)
            $cut = Join-Path $dir "cut-$Format.$Format"
            [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * 0.7))])
            Resize-Image -LiteralPath $cut -Width 20 -Format jpg -Destination (Join-Path $dir 'cut') -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImageInvalid*'
            # The whole file is fine.
            (Resize-Image -LiteralPath $source.FullName -Width 20 -Format jpg -Destination (Join-Path $dir 'cut')).Width | Should -Be 20
        }
    }

    Context 'Job log: -LogPath and -Resume' {
        BeforeAll {
            $dir = Join-Path $root 'resume'
            $a = New-TestImage (Join-Path $dir 'a.jpg') -Seed 1
            $b = New-TestImage (Join-Path $dir 'b.jpg') -Seed 2
            $out = Join-Path $dir 'out'
            $log = Join-Path $dir 'resize.jsonl'
            $first = $a | Resize-Image -Width 20 -Destination $out -LogPath $log -Key { $_ }
        }

        It 'skips the images the log records as done, and resizes the rest' {
            # Without -Force, resizing a.jpg again would fail with DestinationExists.
            $second = $a, $b | Resize-Image -Width 20 -Destination $out -LogPath $log -Resume -Key { $_ } -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $second.Count | Should -Be 2
            $second[0].Destination | Should -Be $first.Destination
            $second[1].Source | Should -Be $b.FullName
            Join-Path $out 'b.jpg' | Should -Exist
        }

        It 'refuses to resume a log written with other settings' {
            { $a | Resize-Image -Width 30 -Destination $out -LogPath $log -Resume -Key { $_ } } | Should -Throw -ErrorId 'LogMismatch*'
        }
    }

    Context 'Stopped items' {
        It 'leaves neither a destination nor a temporary file for an item stopped by -ItemTimeoutSeconds' {
            $dir = Join-Path $root 'timeout'
            $big = New-TestImage (Join-Path $dir 'big.jpg') -Width 4000 -Height 3000
            $out = Join-Path $dir 'out'
            $result = $big | Resize-Image -Width 100 -Destination $out -ItemTimeoutSeconds 0.001 -AsResult -ErrorAction Continue
            $result.Status | Should -Be 'TimedOut'
            Join-Path $out 'big.jpg' | Should -Not -Exist
            Get-TempFile $dir | Should -BeNullOrEmpty
        }
    }

    Context 'Stopping early' {
        It 'stops the other images when the pipeline ends early, leaving no temporary files' {
            $dir = Join-Path $root 'early'
            $photos = 1..8 | ForEach-Object { New-TestImage (Join-Path $dir "p$_.jpg") -Width 1200 -Height 900 -Seed $_ }
            $out = Join-Path $dir 'out'
            $first = $photos | Resize-Image -Width 100 -Destination $out -ThrottleLimit 2 | Select-Object -First 1
            $first.Source | Should -Be $photos[0].FullName
            Get-TempFile $dir | Should -BeNullOrEmpty
            # Every file that was written is whole.
            Get-ChildItem -LiteralPath $out -Filter *.jpg | ForEach-Object { (Get-ImageInfo $_.FullName).Width | Should -Be 100 }
        }
    }

    Context 'The ImageSharp build' {
        BeforeAll {
            # Where the module's own ImageSharp came from: its load context, apart from the tests' copy.
            $script:moduleImageSharp = {
                $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'ParallelJobs.Images'
                ($context.Assemblies | Where-Object { $_.GetName().Name -eq 'SixLabors.ImageSharp' }).Location
            }
        }

        It 'uses the SIMD build of ImageSharp on PowerShell 7' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
            $photo = New-TestImage (Join-Path $root 'simd/photo.jpg')
            $null = Resize-Image -LiteralPath $photo.FullName -Width 40 -Suffix _s
            & $moduleImageSharp | Should -BeLike '*netcoreapp3.1*'
        }

        It 'falls back to the portable build in the Images folder when the SIMD one is missing' {
            # A copy of the module without the netcoreapp3.1 folder, imported by a new PowerShell process.
            $copy = Join-Path $root 'portable/ParallelJobs'
            Copy-Item -LiteralPath (Split-Path $env:PARALLELJOBS_MODULE) -Destination $copy -Recurse
            Remove-Item -LiteralPath (Join-Path $copy 'Images/netcoreapp3.1') -Recurse
            $photo = New-TestImage (Join-Path $root 'portable/photo.jpg')
            $script = @"
Import-Module '$(Join-Path $copy 'ParallelJobs.psd1')'
`$result = Resize-Image -LiteralPath '$($photo.FullName)' -Width 40 -Suffix _p
[pscustomobject]@{ Width = `$result.Width; Location = & { $moduleImageSharp } } | ConvertTo-Json -Compress
"@
            $host_ = [Environment]::ProcessPath
            # Run as 'dotnet pwsh.dll' when this PowerShell is the dotnet tool.
            $hostArgs = @(if ((Split-Path -Leaf $host_) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
            $json = & $host_ @hostArgs -NoProfile -NonInteractive -Command $script
            $LASTEXITCODE | Should -Be 0
            $child = $json | ConvertFrom-Json
            $child.Width | Should -Be 40
            $child.Location | Should -Be (Join-Path $copy 'Images/SixLabors.ImageSharp.dll')
        }
    }
}

Describe 'Resize-Image for photo folders' {
    BeforeAll {
        # An image of four flat quadrants, red, green / blue, white, as stored (before any EXIF orientation).
        function New-QuadrantJpeg([string] $Path, [int] $Orientation, [int] $Width = 80, [int] $Height = 40) {
            $image = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgba32]]::new($Width, $Height)
            try {
                $colours = @{
                    TL = [SixLabors.ImageSharp.PixelFormats.Rgba32]::new(255, 0, 0, 255)
                    TR = [SixLabors.ImageSharp.PixelFormats.Rgba32]::new(0, 255, 0, 255)
                    BL = [SixLabors.ImageSharp.PixelFormats.Rgba32]::new(0, 0, 255, 255)
                    BR = [SixLabors.ImageSharp.PixelFormats.Rgba32]::new(255, 255, 255, 255)
                }
                for ($y = 0; $y -lt $Height; $y++) {
                    for ($x = 0; $x -lt $Width; $x++) {
                        $corner = ($y -lt $Height / 2 ? 'T' : 'B') + ($x -lt $Width / 2 ? 'L' : 'R')
                        $image.set_Item($x, $y, $colours[$corner])
                    }
                }
                $exif = [SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile]::new()
                $exif.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation, [uint16]$Orientation)
                $image.Metadata.ExifProfile = $exif
                $null = New-Item -ItemType Directory -Path (Split-Path $Path) -Force
                $encoder = [SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder]::new()
                $encoder.Quality = 95
                [SixLabors.ImageSharp.ImageExtensions]::Save($image, $Path, $encoder)
            }
            finally {
                $image.Dispose()
            }
        }

        # The quadrant colour nearest to a pixel: R, G, B or W.
        function Get-Quadrant([string] $Path, [int] $X, [int] $Y) {
            $p = Get-Pixel $Path $X $Y
            if ($p.R -gt 160 -and $p.G -gt 160 -and $p.B -gt 160) { return 'W' }
            if ($p.R -gt 160) { return 'R' }
            if ($p.G -gt 160) { return 'G' }
            if ($p.B -gt 160) { return 'B' }
            "?($p)"
        }

        function Get-Exif([string] $Path) { [SixLabors.ImageSharp.Image]::Identify($Path).Metadata.ExifProfile }

        $script:dir = Join-Path $root 'photos'
    }

    Context 'EXIF orientation' {
        # The corners of the upright picture (top-left, top-right, bottom-left, bottom-right) for each
        # orientation of a stored R G / B W: 2-4 mirror and turn it, 5-8 also swap width and height.
        It 'turns orientation <Orientation> upright: <Expected>, <Width> x <Height>' -ForEach @(
            @{ Orientation = 1; Expected = 'R G B W'; Width = 40; Height = 20 }
            @{ Orientation = 2; Expected = 'G R W B'; Width = 40; Height = 20 }
            @{ Orientation = 3; Expected = 'W B G R'; Width = 40; Height = 20 }
            @{ Orientation = 4; Expected = 'B W R G'; Width = 40; Height = 20 }
            @{ Orientation = 5; Expected = 'R B G W'; Width = 20; Height = 40 }
            @{ Orientation = 6; Expected = 'B R W G'; Width = 20; Height = 40 }
            @{ Orientation = 7; Expected = 'W G B R'; Width = 20; Height = 40 }
            @{ Orientation = 8; Expected = 'G W R B'; Width = 20; Height = 40 }
        ) {
            $source = Join-Path $dir "orient/o$Orientation.jpg"
            New-QuadrantJpeg $source $Orientation
            $result = Resize-Image -LiteralPath $source -Width 40 -Height 40 -Format png -Destination (Join-Path $dir 'orient/out')

            $result.Action | Should -Be 'Resized'
            $result.OriginalWidth, $result.OriginalHeight | Should -Be ($Width * 2), ($Height * 2)
            $result.Width, $result.Height | Should -Be $Width, $Height
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be $Width, $Height
            $corners = @(
                Get-Quadrant $result.Destination 3 3
                Get-Quadrant $result.Destination ($Width - 4) 3
                Get-Quadrant $result.Destination 3 ($Height - 4)
                Get-Quadrant $result.Destination ($Width - 4) ($Height - 4)
            ) -join ' '
            $corners | Should -Be $Expected
            # The pixels are upright now: a viewer must not turn them again.
            (Get-Exif $result.Destination).GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation).Value | Should -Be 1
        }

        It 'resets the orientation to 1 in a JPEG that keeps its metadata, and drops it with -StripMetadata' {
            $source = Join-Path $dir 'orient/keep6.jpg'
            New-QuadrantJpeg $source 6
            $kept = Resize-Image -LiteralPath $source -Width 20 -Destination (Join-Path $dir 'orient/kept')
            $stripped = Resize-Image -LiteralPath $source -Width 20 -Destination (Join-Path $dir 'orient/stripped') -StripMetadata

            (Get-Exif $kept.Destination).GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation).Value | Should -Be 1
            (Get-Exif $stripped.Destination).GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation) | Should -BeNullOrEmpty
            Get-Quadrant $kept.Destination 16 3 | Should -Be 'R'
            Get-Quadrant $stripped.Destination 16 3 | Should -Be 'R'
        }
    }

    Context 'Never enlarging unless -AllowEnlarge' {
        BeforeAll {
            $small = New-TestImage (Join-Path $dir 'enlarge/small.png') -Width 400 -Height 300
        }

        It 'writes a photo that already fits at its own size, as NotEnlarged, in the format asked for' {
            $result = $small | Resize-Image -Width 800 -Format jpg -Quality 60 -Destination (Join-Path $dir 'enlarge/max')
            $result.Action | Should -Be 'NotEnlarged'
            $result.Width, $result.Height | Should -Be 400, 300
            $info = Get-ImageInfo $result.Destination
            $info.Format, $info.Width, $info.Height | Should -Be 'JPEG', 400, 300
        }

        It 'enlarges with -AllowEnlarge' {
            $result = $small | Resize-Image -Width 800 -AllowEnlarge -Destination (Join-Path $dir 'enlarge/allowed')
            $result.Action | Should -Be 'Resized'
            (Get-ImageInfo $result.Destination).Width | Should -Be 800
        }

        It 'shrinks a larger photo as before, and says Converted when no size is asked for' {
            ($small | Resize-Image -Width 100 -Destination (Join-Path $dir 'enlarge/shrunk')).Action | Should -Be 'Resized'
            ($small | Resize-Image -Format webp -Destination (Join-Path $dir 'enlarge/converted')).Action | Should -Be 'Converted'
        }

        It 'Crop cuts the unscaled picture to at most the box' {
            $result = $small | Resize-Image -Width 200 -Height 500 -Mode Crop -Destination (Join-Path $dir 'enlarge/crop')
            $result.Action | Should -Be 'NotEnlarged'
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 200, 300
        }

        It 'Stretch shrinks only the side that is too large' {
            $result = $small | Resize-Image -Width 200 -Height 500 -Mode Stretch -Destination (Join-Path $dir 'enlarge/stretch')
            $result.Action | Should -Be 'NotEnlarged'
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 200, 300
        }

        It 'Pad centres the unscaled picture in the full box' {
            $result = $small | Resize-Image -Width 600 -Height 500 -Mode Pad -Destination (Join-Path $dir 'enlarge/pad')
            $result.Action | Should -Be 'NotEnlarged'
            $info = Get-ImageInfo $result.Destination
            $info.Width, $info.Height | Should -Be 600, 500
            (Get-Pixel $result.Destination 50 50).A | Should -Be 0
            (Get-Pixel $result.Destination 300 250).A | Should -Be 255
            # Unscaled: 400 x 300 in the middle, so transparent 99 pixels in and opaque 101 in.
            (Get-Pixel $result.Destination 99 250).A | Should -Be 0
            (Get-Pixel $result.Destination 101 250).A | Should -Be 255
        }
    }

    Context 'Metadata: kept by default, -StripMetadata' {
        BeforeAll {
            $source = Join-Path $dir 'meta/camera.jpg'
            $image = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgba32]]::new(200, 100)
            try {
                $exif = [SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile]::new()
                $exif.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Make, 'TestCam')
                $exif.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::GPSLatitudeRef, 'N')
                $exif.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::PixelXDimension, [SixLabors.ImageSharp.Number]200)
                $image.Metadata.ExifProfile = $exif
                $iptc = [SixLabors.ImageSharp.Metadata.Profiles.Iptc.IptcProfile]::new()
                $iptc.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Iptc.IptcTag]::Caption, 'a caption')
                $image.Metadata.IptcProfile = $iptc
                $xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
                $image.Metadata.XmpProfile = [SixLabors.ImageSharp.Metadata.Profiles.Xmp.XmpProfile]::new([Text.Encoding]::UTF8.GetBytes($xmp))
                $null = New-Item -ItemType Directory -Path (Split-Path $source) -Force
                [SixLabors.ImageSharp.ImageExtensions]::Save($image, $source)
            }
            finally {
                $image.Dispose()
            }
            $kept = Resize-Image -LiteralPath $source -Width 50 -Destination (Join-Path $dir 'meta/kept')
            $stripped = Resize-Image -LiteralPath $source -Width 50 -Destination (Join-Path $dir 'meta/stripped') -StripMetadata
            $keptInfo = [SixLabors.ImageSharp.Image]::Identify($kept.Destination)
            $strippedInfo = [SixLabors.ImageSharp.Image]::Identify($stripped.Destination)
        }

        It 'keeps EXIF, IPTC and XMP by default, with the EXIF pixel size brought up to date' {
            $exif = $keptInfo.Metadata.ExifProfile
            $exif.GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Make).Value | Should -Be 'TestCam'
            $exif.GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::GPSLatitudeRef).Value | Should -Be 'N'
            [int]$exif.GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::PixelXDimension).Value | Should -Be 50
            $keptInfo.Metadata.IptcProfile | Should -Not -BeNullOrEmpty
            $keptInfo.Metadata.XmpProfile | Should -Not -BeNullOrEmpty
        }

        It 'drops EXIF (camera, GPS), IPTC and XMP with -StripMetadata, keeping only the Software mark' {
            $exif = $strippedInfo.Metadata.ExifProfile
            @($exif.Values | ForEach-Object { "$($_.Tag)" }) | Should -Be @('Software')
            $exif.GetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Software).Value | Should -Be 'ParallelJobs Resize-Image'
            $strippedInfo.Metadata.IptcProfile | Should -BeNullOrEmpty
            $strippedInfo.Metadata.XmpProfile | Should -BeNullOrEmpty
        }

        It 'drops PNG text with -StripMetadata' {
            $png = Join-Path $dir 'meta/text.png'
            $image = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgba32]]::new(20, 20)
            try {
                $text = [SixLabors.ImageSharp.Formats.Png.PngTextData]::new('Comment', 'where I live', '', '')
                [SixLabors.ImageSharp.MetadataExtensions]::GetPngMetadata($image.Metadata).TextData.Add($text)
                [SixLabors.ImageSharp.ImageExtensions]::Save($image, $png)
            }
            finally {
                $image.Dispose()
            }
            $default = Resize-Image -LiteralPath $png -Width 10 -Destination (Join-Path $dir 'meta/png-kept')
            $result = Resize-Image -LiteralPath $png -Width 10 -Destination (Join-Path $dir 'meta/png-stripped') -StripMetadata
            [IO.File]::ReadAllText($default.Destination) | Should -Match 'where I live'
            [IO.File]::ReadAllText($result.Destination) | Should -Not -Match 'where I live'
        }

        It 'keeps the ICC colour profile with -StripMetadata' {
            # A minimal profile that ImageSharp's readers accept: a header (size, version 2.1, a monitor
            # profile of RGB against XYZ, the 'acsp' signature) and an empty tag table.
            $bytes = [byte[]]::new(132)
            $bytes[3] = 132; $bytes[8] = 2; $bytes[9] = 0x10
            [Text.Encoding]::ASCII.GetBytes('mntr').CopyTo($bytes, 12)
            [Text.Encoding]::ASCII.GetBytes('RGB ').CopyTo($bytes, 16)
            [Text.Encoding]::ASCII.GetBytes('XYZ ').CopyTo($bytes, 20)
            [Text.Encoding]::ASCII.GetBytes('acsp').CopyTo($bytes, 36)
            $icc = Join-Path $dir 'meta/icc.jpg'
            $image = [SixLabors.ImageSharp.Image[SixLabors.ImageSharp.PixelFormats.Rgba32]]::new(20, 20)
            try {
                $image.Metadata.IccProfile = [SixLabors.ImageSharp.Metadata.Profiles.Icc.IccProfile]::new($bytes)
                [SixLabors.ImageSharp.ImageExtensions]::Save($image, $icc)
            }
            finally {
                $image.Dispose()
            }
            [SixLabors.ImageSharp.Image]::Identify($icc).Metadata.IccProfile | Should -Not -BeNullOrEmpty
            $result = Resize-Image -LiteralPath $icc -Width 10 -Destination (Join-Path $dir 'meta/icc') -StripMetadata
            [SixLabors.ImageSharp.Image]::Identify($result.Destination).Metadata.IccProfile | Should -Not -BeNullOrEmpty
        }
    }

    Context 'Folders: -Recurse' {
        It 'takes the image files below a folder, in a stable order, keeping the structure below it' {
            $tree = Join-Path $dir 'recurse/photos'
            $null = New-TestImage (Join-Path $tree 'b/p.jpg') -Seed 1
            $null = New-TestImage (Join-Path $tree 'a/p.jpg') -Seed 2
            $null = New-TestImage (Join-Path $tree 'top.png') -Seed 3
            Set-Content -LiteralPath (Join-Path $tree 'notes.txt') -Value 'not an image'
            $thumbs = Join-Path $tree 'thumbs'

            $results = Resize-Image $tree -Recurse -Width 40 -Destination $thumbs -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $results.Source | Should -Be (Join-Path $tree 'top.png'), (Join-Path $tree 'a/p.jpg'), (Join-Path $tree 'b/p.jpg')
            $results.Destination | Should -Be (Join-Path $thumbs 'top.png'), (Join-Path $thumbs 'a/p.jpg'), (Join-Path $thumbs 'b/p.jpg')

            # The destination inside the tree is not searched: a re-run finds the same three sources, all up to date.
            $again = Resize-Image $tree -Recurse -Width 40 -Destination $thumbs -SkipUpToDate
            $again.Action | Should -Be 'SkippedUpToDate', 'SkippedUpToDate', 'SkippedUpToDate'
            Get-ChildItem $thumbs -Recurse -File | Should -HaveCount 3
        }

        It 'keeps the structure when the folder holds subfolders only (no same-name collisions)' {
            $tree = Join-Path $dir 'recurse/years'
            $null = New-TestImage (Join-Path $tree '2019/p.jpg') -Seed 1
            $null = New-TestImage (Join-Path $tree '2020/p.jpg') -Seed 2
            $out = Join-Path $dir 'recurse/years-out'
            $results = Get-Item -LiteralPath $tree | Resize-Image -Recurse -Width 40 -Destination $out -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $results.Destination | Should -Be (Join-Path $out '2019/p.jpg'), (Join-Path $out '2020/p.jpg')
        }

        It 'does not follow a linked folder' -Skip:$IsWindows {
            $tree = Join-Path $dir 'recurse/linked'
            $null = New-TestImage (Join-Path $tree 'real/p.jpg') -Seed 1
            $null = New-Item -ItemType SymbolicLink -Path (Join-Path $tree 'loop') -Target $tree
            $results = Resize-Image $tree -Recurse -Width 40 -Destination (Join-Path $dir 'recurse/linked-out')
            @($results).Count | Should -Be 1
            $results.Source | Should -Be (Join-Path $tree 'real/p.jpg')
        }

        It 'warns once when pipeline input leaves the folder of its first file without -Root' {
            $tree = Join-Path $dir 'recurse/years'
            $out = Join-Path $dir 'recurse/years-flat'
            $results = Get-ChildItem -LiteralPath $tree -Recurse -File | Resize-Image -Width 40 -Destination $out -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            @($warned).Count | Should -Be 1
            "$($warned[0])" | Should -BeLike '*give -Root*'
            $withRoot = Get-ChildItem -LiteralPath $tree -Recurse -File | Resize-Image -Width 40 -Destination "$out-root" -Root $tree -WarningVariable quiet
            $quiet | Should -BeNullOrEmpty
            @($withRoot).Count | Should -Be 2
        }

        It 'without -Recurse a folder is still SourceIsFolder' {
            $tree = Join-Path $dir 'recurse/years'
            Resize-Image $tree -Width 40 -Destination (Join-Path $dir 'recurse/none') -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'SourceIsFolder*'
        }
    }

    Context 'Incremental runs: -SkipUpToDate' {
        BeforeEach {
            $work = Join-Path $dir "skip-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
            $a = New-TestImage (Join-Path $work 'in/a.jpg') -Seed 1
            $b = New-TestImage (Join-Path $work 'in/sub/b.jpg') -Seed 2
            $out = Join-Path $work 'out'
            $first = Get-ChildItem (Join-Path $work 'in') -Recurse -File | Resize-Image -Width 40 -Destination $out -Root (Join-Path $work 'in') -SkipUpToDate
        }

        It 'skips every image whose output is newer, writing nothing, and says so in input order' {
            $first.Action | Should -Be 'Resized', 'Resized'
            $before = Get-ChildItem $out -Recurse -File | ForEach-Object { $_.FullName, $_.LastWriteTimeUtc.Ticks -join '|' }

            $second = Get-ChildItem (Join-Path $work 'in') -Recurse -File | Resize-Image -Width 40 -Destination $out -Root (Join-Path $work 'in') -SkipUpToDate -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $second.Action | Should -Be 'SkippedUpToDate', 'SkippedUpToDate'
            $second.Source | Should -Be $a.FullName, $b.FullName
            $second.Destination | Should -Be $first.Destination
            $second[0].BytesBefore | Should -Be $a.Length
            $second[0].BytesAfter | Should -Be (Get-Item $first[0].Destination).Length
            $second[0].Width | Should -Be 0
            Get-ChildItem $out -Recurse -File | ForEach-Object { $_.FullName, $_.LastWriteTimeUtc.Ticks -join '|' } | Should -Be $before
            ($second | Out-String) | Should -Match 'SkippedUpToDate'
        }

        It 'redoes a source changed since its output was written, without -Force' {
            (Get-Item $b.FullName).LastWriteTimeUtc = (Get-Item $first[1].Destination).LastWriteTimeUtc.AddMinutes(1)
            $second = Get-ChildItem (Join-Path $work 'in') -Recurse -File | Resize-Image -Width 40 -Destination $out -Root (Join-Path $work 'in') -SkipUpToDate -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $second.Action | Should -Be 'SkippedUpToDate', 'Resized'
        }

        It 'does a new source and leaves the rest' {
            $c = New-TestImage (Join-Path $work 'in/sub/c.png') -Seed 3
            $second = Get-ChildItem (Join-Path $work 'in') -Recurse -File | Resize-Image -Width 40 -Destination $out -Root (Join-Path $work 'in') -SkipUpToDate
            ($second | Where-Object Source -eq $c.FullName).Action | Should -Be 'Resized'
            @($second | Where-Object Action -eq 'SkippedUpToDate').Count | Should -Be 2
            Join-Path $out 'sub/c.png' | Should -Exist
        }

        It 'decides without reading the image: a source that is no image is skipped when its output is newer' {
            [IO.File]::WriteAllText($a.FullName, 'not an image any more')
            (Get-Item $a.FullName).LastWriteTimeUtc = (Get-Item $first[0].Destination).LastWriteTimeUtc.AddMinutes(-1)
            $second = Resize-Image -LiteralPath $a.FullName -Width 40 -Destination $out -SkipUpToDate -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $second.Action | Should -Be 'SkippedUpToDate'
        }

        It 'still never replaces an older image that Resize-Image did not write' {
            $foreign = New-TestImage (Join-Path $work 'elsewhere/a.jpg') -Seed 9
            Copy-Item $foreign.FullName $first[0].Destination -Force
            (Get-Item $first[0].Destination).LastWriteTimeUtc = $a.LastWriteTimeUtc.AddMinutes(-1)
            Resize-Image -LiteralPath $a.FullName -Width 40 -Destination $out -SkipUpToDate -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'DestinationProtected*'
        }

        It 'without -SkipUpToDate or -Force, an existing output is still DestinationExists' {
            Resize-Image -LiteralPath $a.FullName -Width 40 -Destination $out -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists*'
        }
    }
}
