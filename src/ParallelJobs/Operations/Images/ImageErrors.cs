using System;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Images;

/// <summary>Resize-Image's per-item errors: each has a stable id, and its message names the file.</summary>
internal static class ImageErrors
{
    public static ItemOperationException SourceNotFound(string path) => new(
        ErrorIds.SourceNotFound, ErrorCategory.ObjectNotFound, $"Cannot find the image '{path}'.");

    public static ItemOperationException SourceIsFolder(string path) => new(
        ErrorIds.SourceIsFolder, ErrorCategory.InvalidArgument, $"'{path}' is a folder, not an image file.");

    public static ItemOperationException SourceNotRegular(string path) => new(
        ErrorIds.SourceNotRegularFile, ErrorCategory.InvalidArgument, $"'{path}' is not a regular file (it is a FIFO, socket or device), so it was not opened: only image files are read.")
    {
        Retryable = false,
    };

    public static ItemOperationException DestinationCollision(string source, string destination, string first) => new(
        ErrorIds.DestinationCollision, ErrorCategory.ResourceExists,
        $"'{destination}' is already the destination of '{first}', so '{source}' was not written: give -Root to keep the folders below it, or a -Suffix.")
    {
        Retryable = false,
    };

    public static ItemOperationException DestinationProtected(string source, string destination) => new(
        ErrorIds.DestinationProtected, ErrorCategory.ResourceExists,
        $"'{destination}' already exists and is not a file that Resize-Image wrote, so '{source}' was not written: an existing image may be a source and is never replaced, even with -Force. Remove it, or write elsewhere (-Destination or -Suffix).")
    {
        Retryable = false,
    };

    public static ItemOperationException SourceUnreadable(string path, Exception ex) => new(
        ErrorIds.SourceUnreadable, ErrorCategory.ReadError, $"Cannot read '{path}': {ex.Message}", ex);

    public static ItemOperationException NotAnImage(string path) => new(
        ErrorIds.ImageInvalid, ErrorCategory.InvalidData, $"'{path}' is not an image that can be read: it is not a JPEG, PNG, GIF, BMP, WebP, TIFF, TGA or PBM file.");

    public static ItemOperationException Invalid(string path, string formatName, string detail, Exception? inner = null) => new(
        ErrorIds.ImageInvalid, ErrorCategory.InvalidData, $"'{path}' is not a valid {formatName} image: {detail}", inner);

    /// <summary>What a decoder's failure says about the file; a decoder's own bug (a null reference on crafted data) says only that the data is corrupt.</summary>
    public static string DecoderDetail(Exception ex) => ex is NullReferenceException or IndexOutOfRangeException or InvalidCastException or ArgumentNullException
        ? "its data is corrupt (the decoder could not make sense of it)."
        : ex.Message;

    public static ItemOperationException Truncated(string path, string formatName) => new(
        ErrorIds.ImageInvalid, ErrorCategory.InvalidData, $"'{path}' is not a valid {formatName} image: the file is truncated (it ends before the image data does).");

    public static ItemOperationException TooLarge(string path, string detail, Exception? inner = null) => new(
        ErrorIds.ImageTooLarge, ErrorCategory.LimitsExceeded, $"'{path}' was not decoded: {detail}", inner);

    public static ItemOperationException MetadataTooLarge(string path, string detail) => new(
        ErrorIds.ImageMetadataTooLarge, ErrorCategory.LimitsExceeded, $"'{path}' was not decoded: {detail}")
    {
        Retryable = false,
    };

    public static ItemOperationException DestinationIsSource(string source, string destination) => new(
        ErrorIds.DestinationIsSource, ErrorCategory.InvalidOperation,
        SamePathText(source, destination)
            ? $"'{source}' would be overwritten by its own resized copy: give -Destination, -Suffix or another -Format."
            : $"'{destination}', the destination of '{source}', is a source image of this run: Resize-Image never overwrites a source.");

    public static ItemOperationException DestinationExists(string source, string destination) => new(
        ErrorIds.DestinationExists, ErrorCategory.ResourceExists, $"'{destination}' already exists, so '{source}' was not written: use -Force to overwrite it.");

    public static ItemOperationException WriteFailed(string source, string destination, Exception ex) => new(
        ErrorIds.WriteFailed, ErrorCategory.WriteError, $"Cannot write '{destination}' (from '{source}'): {ex.Message}", ex);

    private static bool SamePathText(string source, string destination) => ImageResizeSettings.SamePath(source, destination);
}
