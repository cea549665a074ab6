# Crafted PNGs, written byte by byte with DeflateStream: for the memory tests (tests/ResizeImageMemory.Tests.ps1)
# and the memory benchmark (bench/Bench-Memory.ps1). Dot-source it.

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
