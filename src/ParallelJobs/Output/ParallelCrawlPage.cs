using System;

namespace ParallelJobs;

/// <summary>One fetched page, written by Invoke-ParallelCrawl in discovery order.</summary>
public sealed class ParallelCrawlPage
{
    internal ParallelCrawlPage(Uri uri, int depth, Uri? referrer, int statusCode, string? contentType, string? title, string[] links, TimeSpan elapsed)
    {
        Uri = uri;
        Depth = depth;
        Referrer = referrer;
        StatusCode = statusCode;
        ContentType = contentType;
        Title = title;
        Links = links;
        Elapsed = elapsed;
    }

    public Uri Uri { get; }

    /// <summary>How many links away from a start page: 0 for a start page.</summary>
    public int Depth { get; }

    /// <summary>The page whose link (or redirect) led here; null for a start page.</summary>
    public Uri? Referrer { get; }

    public int StatusCode { get; }

    /// <summary>The media type, without parameters such as charset.</summary>
    public string? ContentType { get; }

    /// <summary>The HTML title, trimmed; null when the page has none or is not HTML.</summary>
    public string? Title { get; }

    /// <summary>
    /// Every http and https link on the page, resolved and normalized, in document order, without duplicates,
    /// followed or not (other hosts, robots.txt, depth). For a redirect, the redirect's target.
    /// </summary>
    public string[] Links { get; }

    /// <summary>Time from sending the request to the end of the body.</summary>
    public TimeSpan Elapsed { get; }

    public override string ToString() => Uri.AbsoluteUri;
}
