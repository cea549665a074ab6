using System;
using System.Globalization;
using System.Net.Http;
using System.Text;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// The verbose lines of a request and its response, worded as PowerShell 7.6's Invoke-RestMethod writes them
/// ("WebRequest: v1.1 GET https://host/path with query length 3", "WebResponse: 200 OK with application/json
/// payload with body size 149 B (149 bytes)"). The query string is left out, as there, since it may hold a key.
/// </summary>
internal static class WebVerbose
{
    public static string Request(HttpRequestMessage request, string? outFile) =>
        Request(request.Version, request.Method.Method, request.RequestUri, request.Content?.Headers.ContentType?.MediaType,
            request.Content?.Headers.ContentLength, outFile);

    /// <summary>Also for the crawl's requests and the sitemaps it reads, which are worded the same.</summary>
    public static string Request(Version version, string method, Uri? uri, string? mediaType = null, long? length = null, string? outFile = null)
    {
        var line = new StringBuilder(128);
        line.Append("WebRequest: v").Append(version).Append(' ').Append(method).Append(' ')
            .Append(uri?.GetLeftPart(UriPartial.Path));
        if (uri is not null && uri.Query.Length > 1)
        {
            line.Append(" with query length ").Append((uri.Query.Length - 1).ToString(CultureInfo.InvariantCulture));
        }

        AppendBody(line, mediaType, length);
        if (outFile is not null)
        {
            line.Append(" output to ").Append(outFile);
        }

        return line.ToString();
    }

    public static string Response(HttpResponseMessage response) =>
        Response((int)response.StatusCode, response.ReasonPhrase ?? response.StatusCode.ToString(),
            response.Content?.Headers.ContentType?.MediaType, response.Content?.Headers.ContentLength);

    /// <param name="length">The body's length in bytes when known (read to its end, or Content-Length).</param>
    public static string Response(int status, string? reason, string? mediaType, long? length)
    {
        var line = new StringBuilder(128);
        line.Append("WebResponse: ").Append(status.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(reason))
        {
            line.Append(' ').Append(reason);
        }

        AppendBody(line, mediaType, length);
        return line.ToString();
    }

    private static void AppendBody(StringBuilder line, string? mediaType, long? length)
    {
        if (mediaType is not null)
        {
            line.Append(" with ").Append(mediaType).Append(" payload");
        }

        if (length is { } bytes)
        {
            line.Append(" with body size ").Append(FriendlySize(bytes))
                .Append(" (").Append(bytes.ToString("#,0", CultureInfo.InvariantCulture)).Append(" bytes)");
        }
    }

    /// <summary>1024-based, as Invoke-RestMethod's: 149 B, 1.5 KB, 12.07 MB.</summary>
    internal static string FriendlySize(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
