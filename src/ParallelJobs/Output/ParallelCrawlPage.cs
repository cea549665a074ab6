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

    /// <summary>
    /// With -IncludeContent: the body of a text page (HTML, XML, JSON, plain text ...) decoded by its charset,
    /// at most its first 8 MiB; null for other media types, and without -IncludeContent.
    /// </summary>
    public string? Content { get; internal set; }

    /// <summary>
    /// With -IncludeContent, for an HTML page: its readable text, without tags, comments, title, scripts or styles,
    /// entities decoded, white space collapsed, one line per block element (paragraph, heading, list item ...).
    /// </summary>
    public string? Text { get; internal set; }

    /// <summary>True when <see cref="Content"/> holds only the start of a longer body.</summary>
    public bool ContentTruncated { get; internal set; }

    /// <summary>With -OutDirectory: the full path of the file the body was stored in; null when it was not stored (not 2xx).</summary>
    public string? OutFile { get; internal set; }

    public override string ToString() => Uri.AbsoluteUri;
}
