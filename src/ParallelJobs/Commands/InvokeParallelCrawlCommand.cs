using System;
using System.Management.Automation;
using System.Net.Http;
using ParallelJobs.Engine;
using ParallelJobs.Operations;
using ParallelJobs.Operations.Crawl;
using ParallelJobs.Operations.Web;

namespace ParallelJobs.Commands;

/// <summary>
/// Invoke-ParallelCrawl: fetches pages in parallel on the worker pool, with no runspace, following their
/// links breadth-first to -Depth. Each page found is a new item of the same run (refill), so pages are
/// written in discovery order.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ParallelCrawl")]
[OutputType(typeof(ParallelCrawlPage), typeof(ParallelJobResult))]
public sealed class InvokeParallelCrawlCommand : ParallelCommandBase
{
    private CrawlOperation? _operation;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    [Parameter]
    [ValidateRange(0, 1000)]
    public int Depth { get; set; } = 2;

    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? AllowHost { get; set; }

    [Parameter]
    public SwitchParameter IgnoreRobots { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxPerHost { get; set; } = 4;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxPages { get; set; }

    protected override int DefaultThrottleLimit => 8;

    protected override string LogSignature =>
        $"crawl|{Depth}|{string.Join(",", AllowHost ?? Array.Empty<string>())}|{IgnoreRobots.IsPresent}|{MaxPages}";

    internal override void Configure(RunOptions options)
    {
        // The per-page timeout; without -ItemTimeoutSeconds, HttpClient's usual 100 s.
        options.ItemTimeout ??= InvokeParallelWebRequestCommand.DefaultRequestTimeout;
    }

    internal override IRunnerFactory CreateRunnerFactory(RunOptions options)
    {
        // Redirects are followed as links, so a redirect to a page already seen is not fetched again.
        HttpClient client = WebClientFactory.Create(Math.Min(MaxPerHost, options.ThrottleLimit), followRedirects: false);
        _operation = new CrawlOperation(client, new CrawlScope(AllowHost), Depth, MaxPerHost, !IgnoreRobots, MaxPages, RobotsTimeout(options.ItemTimeout));
        return new OperationRunnerFactory(_operation);
    }

    /// <summary>
    /// 30 s, or half the per-page timeout when that is shorter: a page waiting on its origin's robots.txt then
    /// still learns that robots.txt was unreachable (and is skipped with a warning) before it times out itself.
    /// </summary>
    internal static TimeSpan RobotsTimeout(TimeSpan? itemTimeout) =>
        itemTimeout is { } t && t > TimeSpan.Zero && t < RobotsCache.DefaultFetchTimeout + RobotsCache.DefaultFetchTimeout
            ? TimeSpan.FromTicks(t.Ticks / 2)
            : RobotsCache.DefaultFetchTimeout;

    protected override void BeginProcessing()
    {
        if (Resume)
        {
            // Resuming would replay the logged start pages without following their links again.
            ThrowTerminatingError(new ErrorRecord(
                new NotSupportedException("Invoke-ParallelCrawl cannot -Resume: the pages it finds are new items of the run, which a job log cannot replay. Run the crawl again without -Resume."),
                ErrorIds.CrawlResumeNotSupported, ErrorCategory.InvalidArgument, null));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (string text in Uri!)
        {
            System.Uri? start = text is null ? null : UrlNormalizer.ParseStart(text);
            if (start is null)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"'{text}' is not an http or https URI to start crawling from."),
                    ErrorIds.WebInvalidInput, ErrorCategory.InvalidArgument, text));
                continue;
            }

            if (_operation!.TryClaimStart(start))
            {
                Enqueue(new CrawlTarget(start, 0, null));
            }
        }
    }
}
