@{
    Synopsis    = 'Resizes and converts image files in parallel, and writes one result per image in input order.'
    Description = @'
Resize-Image reads JPEG, PNG, GIF, BMP, WebP, TIFF, TGA and PBM files and writes each one resized, as JPEG, PNG, WebP, GIF or BMP, or in its own format. The work runs in C# (with the ImageSharp library) on the ParallelJobs worker threads, one image per thread at a time, with no runspace per image, so a folder of photos is done about as many times faster as there are processor cores.

Input is file paths: strings (from the pipeline or -Path, wildcards allowed) or the FileInfo objects that Get-ChildItem writes (bound by their PSPath or FullName to -LiteralPath). Relative paths are relative to the current location.

-Mode says how the image fits -Width and -Height. Max, the default, keeps the aspect ratio: with -Width only, the height follows from it; with both, the image is made as large as fits inside the box. Crop fills the box exactly and cuts off what overflows around the centre. Pad fits the image inside the box and fills the rest: transparent in PNG, WebP and GIF, white in JPEG and BMP. Stretch fills the box exactly and distorts the image. Crop, Pad and Stretch need both -Width and -Height. Without -Width and -Height the size is kept, which converts the format only. An image is never enlarged unless -AllowEnlarge is given: one that already fits (Max), or is smaller than the box (Crop, Stretch: on that side), is not scaled up, and is still written, at its own size (Crop cuts it to at most the box; Pad centres it unscaled in the full box), in the requested format and quality, with the metadata policy below and its Action NotEnlarged, so that the destination folder holds every image. Re-encoding can make such a file larger than its source (a JPEG saved at a lower quality than -Quality, for example). A photo's EXIF orientation is applied first, so sizes are those of the upright picture: the pixels are turned upright and the written EXIF orientation is 1, so viewers do not turn them again.

The new file is named after the source, with -Suffix appended to the name and the extension of -Format, in the -Destination folder or, by default, beside the source. With -Destination, the folder structure below a root is kept: a source in <root>/a/b.jpg is written to <destination>/a/b.jpg. The root is -Root when given, and otherwise the common folder of the first input's files (of all the -Path or -LiteralPath files given at once; for pipeline input, the folder of the first file), so the files of one folder land straight in -Destination; a source outside the root is written straight into -Destination (when the root was found from the first input, a warning says so, once). Two sources are never written to the same file: the later one fails with DestinationCollision (give -Root, or a -Suffix). Give -Root to keep the structure of recursive input (Get-ChildItem -Recurse) whatever comes first, or give the folder itself with -Recurse (Resize-Image photos -Recurse -Destination thumbs), which searches it for image files and keeps the structure below it.

A source is never overwritten, whatever the order and speed in which the sources arrive and through whatever links. Without -Destination, -Suffix or -Format is needed. An item whose destination is its own source or another source of the run known so far, compared by real path (symbolic links resolved), fails with DestinationIsSource. An existing destination file is not replaced unless -Force is given (DestinationExists), and even -Force replaces only a file that is not an image or an image that Resize-Image wrote: every file it writes carries a mark (the EXIF Software tag "ParallelJobs Resize-Image" in JPEG, PNG and WebP, a GIF comment, two reserved header words in BMP). Any other existing image may be a source that has not arrived yet (with -Format png, photo.jpg would become photo.png, which may be the next source), so it is never replaced and the item fails with DestinationProtected; remove it first or write elsewhere. Each image is written to a temporary file beside its destination and renamed into place when complete, so no program ever sees half an image, and nothing is left behind by a failed, timed-out or stopped item.

Metadata: by default the written file keeps the metadata its format can hold (EXIF with its orientation set to 1 and its pixel-size tags updated, IPTC, XMP, the ICC colour profile, PNG text). -StripMetadata removes EXIF (camera, dates, GPS position), IPTC, XMP, PNG text chunks and GIF comments, and keeps only the ICC colour profile (without it a wide-gamut photo would change colour) and Resize-Image's own mark (the EXIF Software tag "ParallelJobs Resize-Image", see below).

Incremental runs: with -SkipUpToDate, an image whose destination file exists and was last written no earlier than the source (the last-write times compared, nothing read or decoded) is skipped, with the Action SkippedUpToDate; a destination older than its source is replaced, as with -Force (and with the same protection of other images). Only the times are compared, not the settings the destination was made with: after changing -Width, -Format or the like, run once with -Force instead. The checks that no source is overwritten and no two sources share a destination still come first.

Only regular files are opened: a FIFO, socket or device (which would block the read for ever) fails with SourceNotRegularFile, and a folder with SourceIsFolder, each on its own item.

Crafted or damaged files are refused one by one, and every other image is still done. Before an image is decoded its header is read: one larger than -MaxPixels, or an animated GIF with more than -MaxFrames frames, fails with ImageTooLarge, without the memory being spent. A PNG whose metadata chunks (text, ICC profile) hold more than 8 MB, or inflate to more than 16 MB, fails with ImageMetadataTooLarge before any decoder reads them. The images decoded at once stay within -MaxMemoryMB: each reserves its estimated memory before it is decoded, and larger ones wait for each other rather than run together. A file that is not an image, is corrupt, or is truncated (for example a half-downloaded JPEG, which would otherwise decode as a picture with a grey bottom half) fails with ImageInvalid. Every error's message names the file, its TargetObject is the source's full path, and its ParallelJobItem property a ParallelJobs.ParallelJobItem with the item's Index and Input.

The output is one ParallelJobs.ImageResizeResult per image, in input order: Action (Resized; NotEnlarged, written at its own size because it already fits; Converted, written at its own size because no other size was asked for; SkippedUpToDate), Source, Destination, OriginalWidth, OriginalHeight, Width, Height, BytesBefore and BytesAfter. For SkippedUpToDate the sizes in pixels are 0 (the images are not read), and BytesAfter is the size of the existing destination. -WhatIf and -Confirm are asked on the pipeline thread, before an image is queued.
'@
    Parameters  = @{
        Path               = 'The image files to resize. Wildcards are expanded; a relative path is relative to the current location. Strings from the pipeline bind here.'
        LiteralPath        = 'The image files to resize, used exactly as written (no wildcards). The FileInfo objects from Get-ChildItem bind here by their PSPath or FullName property.'
        Width              = 'The width to resize to, in pixels. With -Mode Max (the default) and no -Height, the height keeps the aspect ratio.'
        Height             = 'The height to resize to, in pixels. With -Mode Max and no -Width, the width keeps the aspect ratio.'
        Mode               = 'How the image fits -Width and -Height: Max (the default) keeps the aspect ratio and fits inside the box; Crop fills the box and cuts off the overflow around the centre; Pad fits inside the box and pads the rest (transparent, or white in JPEG and BMP); Stretch fills the box and ignores the aspect ratio. Crop, Pad and Stretch need both -Width and -Height.'
        Format             = 'The format to write: keep (the default: the source''s own format and extension), jpg (or jpeg), png, webp, gif or bmp. The new file gets the format''s extension. Only GIF output keeps an animation; other formats get its first frame. Transparent areas become white in JPEG and BMP.'
        Quality            = 'The JPEG and WebP encoding quality, from 1 to 100. The default is 75. Other formats ignore it.'
        Suffix             = 'Text appended to the file name before the extension, for example _small makes photo.jpg into photo_small.jpg.'
        Destination        = 'The folder to write to; it is created if missing. A relative path is relative to the current location. The folder structure below the root (see -Root) is kept inside it. By default each image is written beside its source, which then needs -Suffix or a -Format that changes the extension.'
        Root               = 'With -Destination: the folder whose structure is kept below -Destination, so that root/a/p.jpg is written to <destination>/a/p.jpg and root/b/p.jpg to <destination>/b/p.jpg. A source outside it is written straight into -Destination. By default the root is the common folder of the first input''s files, or the folder given with -Recurse.'
        Recurse            = 'Makes a folder given to -Path or -LiteralPath stand for the image files below it, in all its subfolders (by extension: jpg, jpeg, jpe, jfif, png, gif, bmp, webp, tif, tiff, tga, pbm, pgm, ppm), in a stable order: a folder''s files by name, then its subfolders by name. Linked folders are not followed, and the -Destination folder is left out when it lies inside. Without -Root, the folder given is the root whose structure is kept below -Destination. A folder that cannot be listed gives a SourceUnreadable error and the rest goes on.'
        AllowEnlarge       = 'Scales an image smaller than -Width and -Height up to them. Without it an image is never enlarged: it is written at its own size, with the Action NotEnlarged.'
        StripMetadata      = 'Removes EXIF (camera, dates, GPS position), IPTC, XMP, PNG text and GIF comments from the files written. The ICC colour profile is kept, and so is the EXIF Software tag that marks the file as written by Resize-Image. By default all metadata the output format can hold is kept.'
        SkipUpToDate       = 'Skips an image whose destination exists and was last written no earlier than the source (only the last-write times are compared; nothing is decoded), writing a result with the Action SkippedUpToDate, and replaces an older destination as -Force does. Re-running on a folder where nothing changed then costs about a millisecond per image or less.'
        MaxPixels          = 'The most pixels an image may have, read from its header before it is decoded; an image with more fails with ImageTooLarge. For an animated GIF kept as a GIF, all frames count together. The resized image must not have more either. The default is 100000000 (100 megapixels, about 400 MB of memory while it is worked on).'
        MaxMemoryMB        = 'The most memory, in MB, that the images worked on at once may take, estimated from each header (width x height x 4 bytes, 8 for a 16-bit PNG, plus the resized copy). An image that does not fit waits until others finish; one that alone needs more fails with ImageTooLarge before it is decoded. The default is 1024.'
        MaxFrames          = 'The most frames an animated GIF may have when it is written as a GIF (which keeps every frame); one with more fails with ImageTooLarge before it is decoded. Other outputs decode the first frame only. The default is 1000.'
        Force              = 'Two meanings. For images: overwrites destination files that already exist, when they are not images or are images that Resize-Image wrote (any other image may be a source, and is never overwritten: DestinationProtected). With -LogPath: starts a new log in place of an existing one, or, with -Resume, accepts a log written with other settings.'
        ThrottleLimit      = 'How many images are worked on at once, one worker thread each. The default is the number of processors, which keeps every core busy; ImageSharp''s own multi-threading is switched off, so this is also how many cores the call uses.'
        Unordered          = 'Writes each result as soon as its image is done, instead of in input order.'
        TimeoutSeconds     = 'Bounds the whole run. When it runs out, images in progress are stopped (their temporary files removed), images not started are not started, the results already finished are written, and one RunTimedOut error is thrown. It must be above 0.'
        ItemTimeoutSeconds = 'Stops any single image that takes longer than this and reports it with an ItemTimedOut error (Status TimedOut with -AsResult); nothing is written for it. Every other image goes on. It must be above 0.'
        RetryCount         = 'Tries an image that failed or timed out up to this many more times, for example when files are on a flaky network share. A file that is not a valid image fails again the same way. Retries are announced on the verbose stream.'
        RetryDelay         = 'Seconds to wait before the first retry; each further retry waits twice as long, with random jitter of +/-50%, capped at 300 s. The default is 1.'
        MaxFailures        = 'Stops starting new images once this many have failed (after their retries), lets the running ones finish, and then throws one MaxFailuresExceeded error that gives the counts. A percentage such as 10% counts against the images finished so far, once at least ten have finished.'
        AsResult           = 'Writes one ParallelJobs.ParallelJobResult per image, in input order, instead of the ImageResizeResult objects: Index, Input (the source path), Output (the ImageResizeResult), Errors, Status (Completed, Failed, TimedOut, Skipped), Attempts, StartTime, Duration (all attempts together), LastAttemptDuration and Host. Errors then travel inside the results instead of the error stream.'
        LogPath            = 'Appends one JSON line per finished image to this file, flushed as the image is done, with its status and its result serialized with CliXml. The first line records the settings. An existing log is refused unless -Resume or -Force is given. One run uses a log at a time: while a run holds it (through the file <log>.lock, removed when the run ends), a second run on the same log fails with LogInUse and changes nothing. A full disk stops the run with LogWriteFailed; the lines already written stay valid.'
        Resume             = 'With -LogPath: skips the images the log records as completed, writes their logged results in their place, and resizes only the rest. Use -Key { $_ } so that the log knows images by their path rather than their position in the input. A log written with other settings (size, mode, format, quality, suffix, destination) is refused unless -Force is given. Each entry records a fingerprint (a hash) of its item''s input: an entry whose input differs from this run''s item with the same key (a log of 1..6 resumed with 6..1 and index keys) is refused with LogInputMismatch; with -Force such items run again instead. A blank line is ignored; a damaged line, or logged output that is not valid CliXml, fails with LogCorrupt and names its line.'
        Key                = 'A script block that gives each image a stable identity for the job log, with the source''s full path in $_: { $_ } keys it by path. By default the key is the input index. An image whose key fails or repeats an earlier key is not resized and gets a KeyFailed or DuplicateKey error.'
    }
    Defaults    = @{
        ThrottleLimit      = 'The number of processors ([Environment]::ProcessorCount)'
        TimeoutSeconds     = 'None (no limit)'
        ItemTimeoutSeconds = 'None (no limit)'
        Width              = 'None (from -Height and the aspect ratio)'
        Height             = 'None (from -Width and the aspect ratio)'
        Quality            = '75'
        Destination        = 'Each source image''s own folder'
        Key                = 'The input index'
    }
    Inputs      = 'System.String, System.IO.FileInfo'
    Outputs     = 'ParallelJobs.ImageResizeResult, ParallelJobs.ParallelJobResult'
    Notes       = @'
Error ids: SourceNotFound, SourceIsFolder, SourceNotRegularFile, SourceUnreadable, ImageInvalid, ImageTooLarge, ImageMetadataTooLarge, DestinationIsSource, DestinationCollision, DestinationProtected, DestinationExists, WriteFailed, ItemTimedOut. Errors that stop the call before any image: SizeRequired, DestinationRequired, RootWithoutDestination, InvalidSuffix, DestinationNotFolder, NotFileSystemPath.

Metadata is kept where the output format supports it, unless -StripMetadata is given (see the description for what is kept). A multi-page TIFF gives its first page.

On PowerShell 7 the module uses ImageSharp's build with SIMD instructions; Windows PowerShell 5.1 uses its portable build, which is about half as fast. The first call in a session is slower on its first few images (about a second in all), while .NET compiles ImageSharp's code.
'@
    Examples    = @(
        @{
            Title   = 'Make 800-pixel-wide thumbnails of every JPEG in a folder'
            Code    = 'Get-ChildItem photos -Filter *.jpg | Resize-Image -Width 800 -Destination thumbs'
            Remarks = 'Writes thumbs/<name>.jpg for each photo, keeping its aspect ratio, on all cores at once, and one result per photo in input order. The thumbs folder is created if missing.'
        }
        @{
            Title   = 'Square avatars, cropped around the centre, as WebP'
            Code    = 'Resize-Image avatars/*.png -Width 256 -Height 256 -Mode Crop -Format webp -Quality 80 -Suffix _256'
            Remarks = 'Writes avatars/<name>_256.webp beside each PNG.'
        }
        @{
            Title   = 'See what would be written'
            Code    = 'Get-ChildItem photos -Recurse -Include *.jpg, *.png | Resize-Image -Width 1200 -Destination web -Root photos -WhatIf'
            Remarks = 'Prints one "What if" line per image, with its source and destination, and writes nothing.'
        }
        @{
            Title   = 'Replace last run''s thumbnails, and list the files that failed'
            Code    = @'
Get-ChildItem photos -Filter *.jpg |
    Resize-Image -Width 400 -Destination thumbs -Force -AsResult |
    Where-Object Status -ne Completed |
    ForEach-Object { '{0}: {1}' -f $_.Input, $_.Errors[0].Exception.Message }
'@
            Remarks = 'A corrupt, truncated or oversized file fails on its own; every other photo is still done.'
        }
        @{
            Title   = 'Keep a thumbnail folder up to date'
            Code    = @'
Resize-Image photos -Recurse -Width 800 -Destination thumbs -StripMetadata -SkipUpToDate |
    Group-Object Action -NoElement
'@
            Remarks = 'Makes thumbs/<subfolder>/<name> for every photo below photos, without camera metadata or GPS positions, and never enlarges a photo narrower than 800 pixels. Run again, it only redoes photos that are new or changed since their thumbnail was written; the others are skipped without being read, with the Action SkippedUpToDate.'
        }
        @{
            Title   = 'How much space did it save?'
            Code    = @'
$results = Get-ChildItem photos -Filter *.jpg | Resize-Image -Width 1600 -Quality 85 -Destination small
'{0:N1} MB -> {1:N1} MB' -f (($results | Measure-Object BytesBefore -Sum).Sum / 1MB), (($results | Measure-Object BytesAfter -Sum).Sum / 1MB)
'@
            Remarks = 'BytesBefore and BytesAfter are the sizes of each source and of the file written.'
        }
        @{
            Title   = 'Resume a big job after an interruption'
            Code    = 'Get-ChildItem archive -Recurse -Filter *.jpg | Resize-Image -Width 1024 -Destination archive-small -LogPath resize.jsonl -Resume -Key { $_ }'
            Remarks = 'Images the log records as done are not resized again; their logged results are written in their place. -Key { $_ } keys the log by each source''s full path, so files added to the folder meanwhile do not confuse it.'
        }
    )
    Links       = @('Invoke-ParallelJob', 'Get-ChildItem')
}
