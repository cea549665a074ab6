using System;

namespace ParallelJobs;

/// <summary>One page for Invoke-ParallelCrawl to fetch: the input of its item, and the TargetObject's Input of its errors.</summary>
public sealed class CrawlTarget
{
    internal CrawlTarget(Uri uri, int depth, Uri? referrer)
    {
        Uri = uri;
        Depth = depth;
        Referrer = referrer;
    }

    /// <summary>The page's normalized URI.</summary>
    public Uri Uri { get; }

    /// <summary>0 for a start page, 1 for a page it links to, and so on.</summary>
    public int Depth { get; }

    /// <summary>The page whose link led here; null for a start page.</summary>
    public Uri? Referrer { get; }

    public override string ToString() => Uri.AbsoluteUri;
}
