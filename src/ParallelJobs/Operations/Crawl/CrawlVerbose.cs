using System;
using System.Globalization;

namespace ParallelJobs.Operations.Crawl;

/// <summary>-Verbose lines per request, worded as Invoke-WebRequest's in PowerShell 7.6.</summary>
internal static class CrawlVerbose
{
    public static string Request(Version version, string method, Uri uri) =>
        $"WebRequest: v{version.Major}.{version.Minor} {method} {uri.AbsoluteUri}";

    /// <param name="size">The body's length in bytes when known (read to its end, or Content-Length).</param>
    public static string Response(int status, string? reason, string? mediaType, long? size)
    {
        string text = $"WebResponse: {status} {reason}".TrimEnd() + $" with {mediaType ?? "no"} payload";
        return size is { } bytes ? text + $" with body size {HumanSize(bytes)} ({bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)" : text;
    }

    internal static string HumanSize(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
