using System;

namespace ParallelJobs.Operations.Crawl;

/// <summary>What Invoke-ParallelCrawl's parameters ask of its operation.</summary>
internal sealed class CrawlSettings
{
    public int MaxDepth { get; set; } = 2;

    public int MaxPerHost { get; set; } = 4;

    public bool ObeyRobots { get; set; } = true;

    /// <summary>0: no limit.</summary>
    public int MaxPages { get; set; }

    /// <summary>How long robots.txt may take before its origin counts as unreachable.</summary>
    public TimeSpan RobotsTimeout { get; set; } = RobotsCache.DefaultFetchTimeout;

    /// <summary>-IncludeContent: the decoded text of text pages on each result.</summary>
    public bool IncludeContent { get; set; }

    /// <summary>-OutDirectory, or null.</summary>
    public PageStore? Store { get; set; }

    public CrawlFilter Filter { get; set; } = new(null, null);

    /// <summary>-RatePerSecond per origin; 0: no limit but robots.txt's Crawl-delay.</summary>
    public double RatePerSecond { get; set; }

    /// <summary>-Process, run for each page in a worker runspace; null writes the pages themselves.</summary>
    public CrawlScript? Script { get; set; }
}
