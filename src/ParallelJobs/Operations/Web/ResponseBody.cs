using System;
using System.Net.Http.Headers;
using System.Text;

namespace ParallelJobs.Operations.Web;

/// <summary>Decides what a body is (JSON, text, binary) from its media type, and decodes text by its charset.</summary>
internal static class ResponseBody
{
    public static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>True for media types read as text; a body without a media type is taken as text too.</summary>
    public static bool IsText(string? mediaType) =>
        mediaType is null || mediaType.Length == 0 || IsJson(mediaType)
        || mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("/xml", StringComparison.OrdinalIgnoreCase)
        || mediaType.IndexOf("javascript", StringComparison.OrdinalIgnoreCase) >= 0
        || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Decodes with the charset the server named, else by byte-order mark, else UTF-8.</summary>
    public static string Decode(byte[] bytes, MediaTypeHeaderValue? contentType)
    {
        Encoding encoding = new UTF8Encoding(false);
        string? charset = contentType?.CharSet?.Trim('"', ' ');
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // An unknown charset: UTF-8 is the best guess.
            }
        }

        int skip = 0;
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            encoding = new UTF8Encoding(false);
            skip = 3;
        }
        else if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            encoding = Encoding.Unicode;
            skip = 2;
        }
        else if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            encoding = Encoding.BigEndianUnicode;
            skip = 2;
        }

        return encoding.GetString(bytes, skip, bytes.Length - skip);
    }
}
