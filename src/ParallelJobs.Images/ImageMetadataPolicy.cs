using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// What metadata a written image keeps. By default all that the output format can hold, with the EXIF size
/// tags brought up to date; with -StripMetadata none of EXIF (camera, dates, GPS position), IPTC, XMP, PNG text
/// or GIF comments. The ICC profile is kept either way: ImageSharp does not convert colours, so without it a
/// wide-gamut photo would change colour. <see cref="ImageMark"/> then adds its own tag.
/// </summary>
internal static class ImageMetadataPolicy
{
    public static void Apply(Image image, bool strip)
    {
        ImageMetadata metadata = image.Metadata;
        if (!strip)
        {
            // The camera's size tags would otherwise still give the original size.
            if (metadata.ExifProfile is { } exif)
            {
                if (exif.GetValue(ExifTag.PixelXDimension) is not null)
                {
                    exif.SetValue(ExifTag.PixelXDimension, image.Width);
                }

                if (exif.GetValue(ExifTag.PixelYDimension) is not null)
                {
                    exif.SetValue(ExifTag.PixelYDimension, image.Height);
                }
            }

            return;
        }

        metadata.ExifProfile = null;
        metadata.XmpProfile = null;
        metadata.IptcProfile = null;
        metadata.GetPngMetadata().TextData.Clear();
        metadata.GetGifMetadata().Comments.Clear();
        foreach (ImageFrame frame in image.Frames)
        {
            frame.Metadata.ExifProfile = null;
            frame.Metadata.XmpProfile = null;
            frame.Metadata.IptcProfile = null;
        }
    }
}
