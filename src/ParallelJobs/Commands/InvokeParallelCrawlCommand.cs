using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
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
    private PageStore? _store;

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

    [Parameter]
    public SwitchParameter IncludeContent { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutDirectory { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Include { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Exclude { get; set; }

    [Parameter]
    [ValidateRange(0.001, 100000.0)]
    public double RatePerSecond { get; set; }

    [Parameter]
    public SwitchParameter UseSitemap { get; set; }

    [Parameter]
    public ScriptBlock? Process { get; set; }

    private readonly HashSet<string> _sitemapOrigins = new(StringComparer.OrdinalIgnoreCase);

    protected override int DefaultThrottleLimit => 8;

    protected override string LogSignature =>
        $"crawl|{Depth}|{string.Join(",", AllowHost ?? Array.Empty<string>())}|{IgnoreRobots.IsPresent}|{MaxPages}"
        + $"|{IncludeContent.IsPresent}|{OutDirectory}|{string.Join(",", Include ?? Array.Empty<string>())}|{string.Join(",", Exclude ?? Array.Empty<string>())}"
        + $"|{UseSitemap.IsPresent}|{Process}";

    internal override void Configure(RunOptions options)
    {
        // The per-page timeout; without -ItemTimeoutSeconds, HttpClient's usual 100 s.
        options.ItemTimeout ??= InvokeParallelWebRequestCommand.DefaultRequestTimeout;
    }

    internal override IRunnerFactory CreateRunnerFactory(RunOptions options)
    {
        // Redirects are followed as links, so a redirect to a page already seen is not fetched again.
        CrawlScript? script = Process is null ? null : CreateScript(Process);
        HttpClient client = WebClientFactory.Create(Math.Min(MaxPerHost, options.ThrottleLimit), followRedirects: false);
        var settings = new CrawlSettings
        {
            MaxDepth = Depth,
            MaxPerHost = MaxPerHost,
            ObeyRobots = !IgnoreRobots,
            MaxPages = MaxPages,
            RobotsTimeout = RobotsTimeout(options.ItemTimeout),
            IncludeContent = IncludeContent,
            Store = _store,
            Filter = new CrawlFilter(Include, Exclude),
            RatePerSecond = RatePerSecond,
            Script = script,
        };
        _operation = new CrawlOperation(client, new CrawlScope(AllowHost), settings);
        return new OperationRunnerFactory(_operation);
    }

    /// <summary>-Process, with its $using: values read from this session now; an undefined one stops the crawl before it starts.</summary>
    private CrawlScript CreateScript(ScriptBlock script)
    {
        try
        {
            return new CrawlScript(script, SessionState.Path.CurrentFileSystemLocation.ProviderPath, new Scripting.SessionCallerValues(SessionState, InvokeCommand));
        }
        catch (RuntimeException ex)
        {
            ThrowTerminatingError(ex is Scripting.UsingScriptBlockException
                ? new ErrorRecord(ex, ErrorIds.UsingScriptBlockNotSupported, ErrorCategory.InvalidArgument, null)
                : ex.ErrorRecord);
            throw;
        }
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

        if (OutDirectory is not null)
        {
            string path = GetUnresolvedProviderPathFromPSPath(OutDirectory);
            try
            {
                _store = new PageStore(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.CrawlStoreFailed, ErrorCategory.WriteError, OutDirectory));
            }
        }

        base.BeginProcessing();
    }

    protected override void StopProcessing()
    {
        // A sitemap read on the pipeline thread stops too.
        _operation?.Stop();
        base.StopProcessing();
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

            if (UseSitemap && _sitemapOrigins.Add(UrlNormalizer.Origin(start)))
            {
                EnqueueSitemap(start);
            }
        }
    }

    /// <summary>
    /// Pipeline thread: the pages of the start origin's sitemaps become start pages (depth 0, the sitemap as
    /// their Referrer) after the start page itself; -Include, -Exclude and the crawl's scope apply to them.
    /// The workers fetch the pages queued so far meanwhile.
    /// </summary>
    private void EnqueueSitemap(System.Uri start)
    {
        string origin = UrlNormalizer.Origin(start);
        CancellationToken token = _operation!.Stopping;
        var sitemaps = new List<System.Uri>();
        bool named = false;
        RobotsRules? rules = null;
        try
        {
            if (_operation.Robots is { } robots)
            {
                rules = robots.Get(origin, token);
                if (rules.Unreachable is not null)
                {
                    WriteVerbose($"robots.txt of {origin} was unreachable: its sitemaps are not read.");
                    return;
                }

                foreach (string line in rules.Sitemaps)
                {
                    if (System.Uri.TryCreate(line, UriKind.Absolute, out System.Uri? named1) && UrlNormalizer.Normalize(named1) is { } uri)
                    {
                        sitemaps.Add(uri);
                    }
                }

                named = sitemaps.Count > 0;
            }

            if (sitemaps.Count == 0)
            {
                sitemaps.Add(new System.Uri(origin + "/sitemap.xml"));
            }

            var reader = new SitemapReader(_operation.Client, RobotsTimeout(ItemTimeoutSeconds > 0 ? TimeSpan.FromSeconds(ItemTimeoutSeconds) : null), WriteVerbose, WriteWarning);
            bool BeforeFetch(System.Uri uri)
            {
                if (rules is not null && UrlNormalizer.Origin(uri).Equals(origin, StringComparison.OrdinalIgnoreCase) && !rules.Allows(uri))
                {
                    WriteVerbose($"robots.txt of {origin} disallows the sitemap {uri}: not read.");
                    return false;
                }

                TimeSpan delay = rules is not null && UrlNormalizer.Origin(uri).Equals(origin, StringComparison.OrdinalIgnoreCase) ? rules.CrawlDelay : TimeSpan.Zero;
                return _operation.Pacer.Wait(UrlNormalizer.Origin(uri), token, delay);
            }

            int queued = 0;
            foreach ((System.Uri page, System.Uri sitemap) in reader.Read(sitemaps, named, BeforeFetch, token))
            {
                if (!_operation.Scope.Allows(page))
                {
                    WriteVerbose($"The sitemap {sitemap} lists {page}, which is outside the crawl's sites: not fetched.");
                    continue;
                }

                if (_operation.Filter.Refuses(page) is { } filter)
                {
                    WriteVerbose($"{page} not fetched: {(filter == "-Exclude" ? "-Exclude matches it" : "-Include does not match it")}.");
                    continue;
                }

                if (_operation.TryClaimFound(page, out bool firstAtLimit))
                {
                    Enqueue(new CrawlTarget(page, 0, sitemap));
                    queued++;
                }
                else if (firstAtLimit)
                {
                    WriteWarning($"The crawl reached -MaxPages {MaxPages}: no further pages are queued.");
                }
            }

            WriteVerbose($"-UseSitemap: {queued} new start pages from the sitemaps of {origin}.");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Ctrl+C: the run's own stop ends the command.
        }
    }
}
