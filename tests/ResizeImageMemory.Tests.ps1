# Resize-Image's memory stays bounded whatever a small file says: PNG metadata that inflates hugely is refused
# before decoding (ImageMetadataTooLarge), and the images decoded at once stay within -MaxMemoryMB. The PNGs
# are written here, byte by byte, with DeflateStream.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'

    # PNG's CRC-32, compiled: a PowerShell loop over a 9 MB chunk would take minutes.
    if (-not ('PngTestCrc' -as [type])) {
        Add-Type -TypeDefinition @'
public static class PngTestCrc {
    private static readonly uint[] Table = Make();
    private static uint[] Make() {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++) { uint c = n; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1; t[n] = c; }
        return t;
    }
    public static uint Of(byte[] bytes) {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFF;
    }
}
'@
    }

    function Get-Crc32([byte[]] $Bytes) { [PngTestCrc]::Of($Bytes) }

    function Get-BigEndian([uint32] $Value) { $b = [BitConverter]::GetBytes($Value); [array]::Reverse($b); , $b }

    function Write-Chunk([IO.Stream] $To, [string] $Type, [byte[]] $Data) {
        $typeBytes = [Text.Encoding]::ASCII.GetBytes($Type)
        $To.Write((Get-BigEndian $Data.Length), 0, 4)
        $To.Write($typeBytes, 0, 4)
        $To.Write($Data, 0, $Data.Length)
        $all = [byte[]]::new(4 + $Data.Length)
        [array]::Copy($typeBytes, $all, 4)
        [array]::Copy($Data, 0, $all, 4, $Data.Length)
        $To.Write((Get-BigEndian (Get-Crc32 $all)), 0, 4)
    }

    # A zlib stream of $Count zero bytes (or of rows: a filter byte and $RowBytes zeros, $Rows times).
    function Get-Zlib([long] $Rows, [int] $RowBytes) {
        $ms = [IO.MemoryStream]::new()
        $ms.WriteByte(0x78); $ms.WriteByte(0x9C)
        $deflate = [IO.Compression.DeflateStream]::new($ms, [IO.Compression.CompressionLevel]::Optimal, $true)
        $row = [byte[]]::new($RowBytes + 1)
        for ($i = 0; $i -lt $Rows; $i++) { $deflate.Write($row, 0, $row.Length) }
        $deflate.Dispose()
        $ms.Write([byte[]](0, 0, 0, 0), 0, 4)   # Adler-32: not checked by the decoders here.
        , $ms.ToArray()
    }

    # A PNG of $Width x $Height, colour type 6 (RGBA) at $BitDepth, all zeros, with optional extra chunks before IDAT.
    function New-Png([string] $Path, [int] $Width, [int] $Height, [int] $BitDepth = 8, [hashtable[]] $Extra = @()) {
        $fs = [IO.File]::Create($Path)
        try {
            $fs.Write([byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A), 0, 8)
            $ihdr = [byte[]]::new(13)
            [array]::Copy((Get-BigEndian $Width), 0, $ihdr, 0, 4)
            [array]::Copy((Get-BigEndian $Height), 0, $ihdr, 4, 4)
            $ihdr[8] = $BitDepth; $ihdr[9] = 6
            Write-Chunk $fs 'IHDR' $ihdr
            foreach ($chunk in $Extra) { Write-Chunk $fs $chunk.Type $chunk.Data }
            Write-Chunk $fs 'IDAT' (Get-Zlib $Height ($Width * 4 * $BitDepth / 8))
            Write-Chunk $fs 'IEND' ([byte[]]::new(0))
        }
        finally { $fs.Dispose() }
    }

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
