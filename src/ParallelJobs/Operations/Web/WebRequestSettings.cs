using System.Collections.Generic;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Web;

/// <summary>Run-wide request settings from Invoke-RestMethod's parameters: redirects, size cap, identity.</summary>
internal sealed class WebRequestSettings
{
    /// <summary>Invoke-RestMethod's default for -MaximumRedirection.</summary>
    public const int DefaultMaximumRedirection = 5;

    /// <summary>The default of -MaximumResponseSizeMB.</summary>
    public const int DefaultMaximumResponseSizeMB = 100;

    public int MaximumRedirection { get; set; } = DefaultMaximumRedirection;

    /// <summary>The most bytes a body may have after decompression.</summary>
    public long MaximumResponseBytes { get; set; } = DefaultMaximumResponseSizeMB * 1024L * 1024L;

    /// <summary>-UserAgent, or a -WebSession's; null keeps the module's own.</summary>
    public string? UserAgent { get; set; }

    /// <summary>The Authorization header -Authentication Basic or Bearer makes; dropped on a redirect, as Invoke-RestMethod does.</summary>
    public string? Authorization { get; set; }

    /// <summary>True when a secret goes with the requests (-Authentication, -Credential), which then need https.</summary>
    public bool SendsSecret { get; set; }

    public bool AllowUnencryptedAuthentication { get; set; }

    /// <summary>A -WebSession's headers, applied before -Headers and the item's, which win.</summary>
    public List<KeyValuePair<string, string>> SessionHeaders { get; } = new();

    /// <summary>Paces requests per host (-RatePerSecond) and holds the pauses Retry-After asks for; shared by every worker.</summary>
    public RatePacer? Pacer { get; set; }

    /// <summary>-Verbose: one line per request and per response, as Invoke-RestMethod writes them.</summary>
    public bool Verbose { get; set; }

    /// <summary>-FollowRelLink: Link: rel="next" pages are fetched too, up to <see cref="MaximumFollowRelLink"/> pages in all.</summary>
    public bool FollowRelLink { get; set; }

    public int MaximumFollowRelLink { get; set; } = int.MaxValue;

    /// <summary>-OutFile or -OutDirectory: bodies go to disk instead of Content.</summary>
    public WebDownload? Download { get; set; }
}
