using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Operations.Web;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// Invoke-ParallelCrawl's item: fetches one page, extracts its links, and hands every new in-scope link
/// back to the run (<see cref="ItemContext.Add"/>), so the run's index order is the discovery order and its
/// FIFO queue makes the walk breadth-first. A URL is claimed when first discovered, so it is fetched once.
/// </summary>
internal sealed class CrawlOperation : IItemOperation, IPacedOperation, IDisposable
{
    /// <summary>More HTML than this is not read: the links of a page come early, and memory stays bounded.</summary>
    internal const int MaxHtmlBytes = 8 * 1024 * 1024;

    /// <summary>A Retry-After longer than this pauses the host only this long: the crawl is not held for a day.</summary>
    private static readonly TimeSpan MaxPause = TimeSpan.FromHours(1);

    private readonly HttpClient _client;
    private readonly CrawlScope _scope;
    private readonly CrawlSettings _settings;
    private readonly HostGate _gate;
    private readonly RatePacer _pacer;
    private readonly RobotsCache? _robots;
    private readonly int _maxDepth;
    private readonly int _maxPages;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _otherOrigins = new(StringComparer.OrdinalIgnoreCase);
    private int _claimed;
    private int _limitReported;

    /// <summary>The host slot <see cref="WaitTurn"/> took for this worker's item, freed once its fetch is done.</summary>
    [ThreadStatic]
    private static IDisposable? _heldSlot;

    public CrawlOperation(HttpClient client, CrawlScope scope, CrawlSettings settings)
    {
        _client = client;
        _scope = scope;
        _settings = settings;
        _maxDepth = settings.MaxDepth;
        _maxPages = settings.MaxPages;
        _gate = new HostGate(settings.MaxPerHost);
        _pacer = new RatePacer(settings.RatePerSecond);
        _robots = settings.ObeyRobots ? new RobotsCache(client, _stopping.Token, settings.RobotsTimeout) : null;
    }

    /// <param name="robotsTimeout">How long robots.txt may take before its origin counts as unreachable.</param>
    public CrawlOperation(HttpClient client, CrawlScope scope, int maxDepth, int maxPerHost, bool obeyRobots, int maxPages, TimeSpan robotsTimeout)
        : this(client, scope, new CrawlSettings { MaxDepth = maxDepth, MaxPerHost = maxPerHost, ObeyRobots = obeyRobots, MaxPages = maxPages, RobotsTimeout = robotsTimeout })
    {
    }

    /// <summary>The crawl's own token: cancelled when the command stops or ends.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    internal HttpClient Client => _client;

    internal RobotsCache? Robots => _robots;

    internal CrawlScope Scope => _scope;

    internal CrawlFilter Filter => _settings.Filter;

    internal RatePacer Pacer => _pacer;

    /// <summary>Cancels robots.txt and sitemap fetches in flight (Ctrl+C).</summary>
    public void Stop() => _stopping.Cancel();

    /// <summary>
    /// Worker thread, before the item begins: a free slot of the page's origin (-MaxPerHost), then its next
    /// start by -RatePerSecond and robots.txt's Crawl-delay, and after any Retry-After pause of that origin.
    /// </summary>
    public IDisposable? WaitTurn(WorkItem item, CancellationToken token)
    {
        if (item.Input is not CrawlTarget target)
        {
            return Nothing.Instance;
        }

        IDisposable? slot = null;
        try
        {
            slot = _gate.Enter(target.Uri, token);
            TimeSpan delay = TimeSpan.Zero;
            if (_robots is not null)
            {
                // Waits for robots.txt here, not in the item: its notice is still given by the item (For).
                delay = _robots.Get(UrlNormalizer.Origin(target.Uri), token).CrawlDelay;
            }

            if (_pacer.Wait(UrlNormalizer.Origin(target.Uri), token, delay))
            {
                _heldSlot = slot;
                return slot;
            }
        }
        catch (OperationCanceledException)
        {
        }

        slot?.Dispose();
        return null;
    }

    /// <summary>Pipeline thread: claims a start page. False when it was already given (or the page limit is reached).</summary>
    public bool TryClaimStart(Uri uri)
    {
        _scope.AddStart(uri);
        return Claim(uri);
    }

    /// <summary>
    /// Pipeline thread: claims a page a sitemap lists; false when it was already claimed or the page limit is
    /// reached (<paramref name="firstAtLimit"/> then says whether this caller is the one to warn of it).
    /// </summary>
    public bool TryClaimFound(Uri uri, out bool firstAtLimit)
    {
        bool claimed = Claim(uri);
        firstAtLimit = !claimed && FirstToHitLimit();
        return claimed;
    }

    public IList? Execute(WorkItem item, ItemContext context, CancellationToken token)
    {
        var target = (CrawlTarget)item.Input!;
        if (target.Depth == 0 && _robots is not null)
        {
            RobotsRules rules = _robots.For(target.Uri, token, out string? notice);
            bool allowed = rules.Allows(target.Uri);
            if (notice is not null)
            {
                context.WriteWarning(notice);
            }
            else if (!allowed && rules.Unreachable is not null)
            {
                // The origin's one warning has been written already.
                context.WriteVerbose($"robots.txt of {UrlNormalizer.Origin(target.Uri)} was unreachable: {target.Uri} not fetched.");
            }
            else if (!allowed)
            {
                context.WriteWarning($"robots.txt of {UrlNormalizer.Origin(target.Uri)} disallows {target.Uri}, so it was not fetched. Use -IgnoreRobots to fetch it anyway.");
            }

            if (!allowed)
            {
                return null;
            }
        }

        ParallelCrawlPage page;
        try
        {
            page = Fetch(target, context, token);
        }
        finally
        {
            // -MaxPerHost counts fetches: a -Process script or the link walk does not hold the host's slot.
            Interlocked.Exchange(ref _heldSlot, null)?.Dispose();
        }

        if (target.Depth < _maxDepth)
        {
            Follow(page, context, token);
        }

        return _settings.Script is { } script ? script.Run(page, context, token) : new object[] { page };
    }

    public void Dispose()
    {
        // A robots.txt fetch still in flight stops here. The token source and the per-host gates are left
        // to the GC: a worker that outlived the run's join timeout may still touch them.
        _stopping.Cancel();
        _settings.Script?.Dispose();
        _client.Dispose();
    }

    private ParallelCrawlPage Fetch(CrawlTarget target, ItemContext context, CancellationToken token)
    {
        long started = Stopwatch.GetTimestamp();
        context.WriteVerbose(WebVerbose.Request(HttpVersion.Version11, "GET", target.Uri));
        HttpResponseMessage response;
        try
        {
            response = _client.GetAsync(target.Uri, HttpCompletionOption.ResponseHeadersRead, token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw WebFailure.FromException(ex, HttpMethod.Get, target.Uri);
        }

        using (response)
        {
            int status = (int)response.StatusCode;
            MediaTypeHeaderValue? contentType = response.Content?.Headers.ContentType;
            string? mediaType = contentType?.MediaType;
            string? title = null;
            string[] links = Array.Empty<string>();
            bool html = mediaType is not null && (mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
                || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase));
            bool ok = status >= 200 && status < 300;

            // Links are taken from pages that worked: an error page's links are not the site's.
            bool parse = html && ok;
            bool retryable = status == 429 || status >= 500;
            bool keepText = parse || retryable || (_settings.IncludeContent && (html || (mediaType is not null && ResponseBody.IsText(mediaType))));
            PageStore? store = ok ? _settings.Store : null;
            Body body = default;
            if (response.Content is not null && (keepText || store is not null))
            {
                body = ReadBody(response.Content, keepText, store is null ? null : () => store.Begin(target.Uri, html), token, target.Uri);
            }

            long? size = body.Complete ? body.Total : response.Content?.Headers.ContentLength;
            context.WriteVerbose(WebVerbose.Response(status, response.ReasonPhrase, mediaType, size));
            string? text = body.Kept is null ? null : ResponseBody.Decode(body.Kept, contentType);
            TimeSpan elapsed = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency);
            if (retryable)
            {
                // The page may come back: an error, which -RetryCount retries (after any Retry-After).
                TimeSpan? retryAfter = WebFailure.ReadRetryAfter(response);
                if (retryAfter is { } pause && (status == 429 || status == 503))
                {
                    // Every page of the origin waits, not only this one (RatePacer.Pause), for the whole crawl.
                    _pacer.Pause(UrlNormalizer.Origin(target.Uri), pause < MaxPause ? pause : MaxPause);
                }

                var failed = new ParallelWebResponse(target.Uri, "GET", status, response.ReasonPhrase, mediaType,
                    new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), text, elapsed, 0);
                throw WebFailure.FromStatus(failed, HttpMethod.Get, retryAfter);
            }

            if (status >= 300 && status < 400 && response.Headers.Location is { } location)
            {
                Uri? next = UrlNormalizer.Resolve(target.Uri, location.OriginalString);
                links = next is null ? links : new[] { next.AbsoluteUri };
            }
            else if (parse && text is not null)
            {
                (title, links) = ReadPage(text, target.Uri, token);
            }

            return new ParallelCrawlPage(target.Uri, target.Depth, target.Referrer, status, mediaType, title, links, elapsed)
            {
                Content = _settings.IncludeContent ? text : null,
                Text = _settings.IncludeContent && html && text is not null ? HtmlText.Extract(text, token) : null,
                ContentTruncated = _settings.IncludeContent && text is not null && (!body.Complete || body.Kept!.Length < body.Total),
                OutFile = body.File,
            };
        }
    }

    /// <summary>
    /// Reads the body: its first <see cref="MaxHtmlBytes"/> kept in memory when <paramref name="keep"/>, and all
    /// of it streamed to a page file when <paramref name="open"/> is given (only then is it read past that).
    /// </summary>
    private static Body ReadBody(HttpContent content, bool keep, Func<PageStore.Pending>? open, CancellationToken token, Uri uri)
    {
        PageStore.Pending? file = null;

        // Which side failed: the network is the page's failure (WebFailure), the disk is CrawlStoreFailed.
        bool storing = false;
        try
        {
            using Stream stream = content.ReadAsStreamAsync().GetAwaiter().GetResult();
            storing = true;
            file = open?.Invoke();
            storing = false;
            using var buffer = keep ? new MemoryStream() : null;
            byte[] chunk = new byte[16384];
            long total = 0;
            bool complete = false;
            while (file is not null || buffer!.Length < MaxHtmlBytes)
            {
                int read = stream.ReadAsync(chunk, 0, chunk.Length, token).GetAwaiter().GetResult();
                if (read == 0)
                {
                    complete = true;
                    break;
                }

                total += read;
                storing = true;
                file?.Stream.Write(chunk, 0, read);
                storing = false;
                if (buffer is not null && buffer.Length < MaxHtmlBytes)
                {
                    buffer.Write(chunk, 0, (int)Math.Min(read, MaxHtmlBytes - buffer.Length));
                }
            }

            complete = complete || (buffer is not null && total == buffer.Length && stream.ReadAsync(chunk, 0, 1, token).GetAwaiter().GetResult() == 0);
            storing = true;
            string? path = file?.Commit();
            return new Body(buffer?.ToArray(), total, complete, path);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (storing && ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ItemOperationException(ErrorIds.CrawlStoreFailed, System.Management.Automation.ErrorCategory.WriteError, $"The page {uri} could not be stored: {ex.Message}", ex) { Retryable = false };
        }
        catch (Exception ex)
        {
            throw WebFailure.FromException(ex, HttpMethod.Get, uri);
        }
        finally
        {
            file?.Dispose();
        }
    }

    internal static (string? Title, string[] Links) ReadPage(string text, Uri pageUri, CancellationToken token)
    {
        (string? title, string? baseHref, List<string> hrefs) = HtmlLinkScanner.Scan(text, token);
        Uri baseUri = pageUri;
        if (baseHref is not null && UrlNormalizer.Resolve(pageUri, baseHref) is { } declared)
        {
            baseUri = declared;
        }

        var links = new List<string>();
        var unique = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < hrefs.Count; i++)
        {
            if ((i & 1023) == 1023)
            {
                token.ThrowIfCancellationRequested();
            }

            if (UrlNormalizer.Resolve(baseUri, WebUtility.HtmlDecode(hrefs[i])) is { } link && unique.Add(link.AbsoluteUri))
            {
                links.Add(link.AbsoluteUri);
            }
        }

        return (string.IsNullOrEmpty(title) ? null : title, links.ToArray());
    }

    private void Follow(ParallelCrawlPage page, ItemContext context, CancellationToken token)
    {
        foreach (string link in page.Links)
        {
            token.ThrowIfCancellationRequested();
            var uri = new Uri(link);
            if (!_scope.Allows(uri))
            {
                if (_scope.IsOtherOriginOfStartHost(uri) && _otherOrigins.TryAdd(UrlNormalizer.Origin(uri), 0))
                {
                    context.WriteVerbose($"Not following links to {UrlNormalizer.Origin(uri)}: another scheme or port than the start pages' is another site. -AllowHost '{uri.Authority}' (or '{uri.Host}:*' for every port) lets the crawl enter it.");
                }

                continue;
            }

            if (_seen.ContainsKey(uri.AbsoluteUri))
            {
                continue;
            }

            if (_settings.Filter.Refuses(uri) is { } filter)
            {
                if (_seen.TryAdd(uri.AbsoluteUri, 0))
                {
                    context.WriteVerbose($"{uri} not fetched: {(filter == "-Exclude" ? "-Exclude matches it" : "-Include does not match it")}.");
                }

                continue;
            }

            bool allowed = true;
            if (_robots is not null)
            {
                allowed = _robots.For(uri, token, out string? notice).Allows(uri);
                if (notice is not null)
                {
                    context.WriteWarning(notice);
                }
            }

            if (!allowed)
            {
                if (_seen.TryAdd(uri.AbsoluteUri, 0))
                {
                    context.WriteVerbose($"robots.txt disallows {uri}: not fetched.");
                }

                continue;
            }

            if (Claim(uri))
            {
                context.Add(new CrawlTarget(uri, page.Depth + 1, page.Uri));
            }
            else if (FirstToHitLimit())
            {
                context.WriteWarning($"The crawl reached -MaxPages {_maxPages}: no further pages are queued.");
            }
        }
    }

    /// <summary>Marks a URL as taken; false when it already was, or when -MaxPages pages are already taken.</summary>
    private bool Claim(Uri uri)
    {
        if (_maxPages > 0 && Volatile.Read(ref _claimed) >= _maxPages)
        {
            return false;
        }

        if (!_seen.TryAdd(uri.AbsoluteUri, 0))
        {
            return false;
        }

        return _maxPages <= 0 || Interlocked.Increment(ref _claimed) <= _maxPages;
    }

    /// <summary>A body as read: the bytes kept in memory (or null), how many were read, and whether to its end.</summary>
    private readonly struct Body
    {
        public Body(byte[]? kept, long total, bool complete, string? file)
        {
            Kept = kept;
            Total = total;
            Complete = complete;
            File = file;
        }

        public byte[]? Kept { get; }

        public long Total { get; }

        public bool Complete { get; }

        public string? File { get; }
    }

    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>True once, for the first caller after the page limit was reached.</summary>
    private bool FirstToHitLimit() =>
        _maxPages > 0 && Volatile.Read(ref _claimed) >= _maxPages && Interlocked.Exchange(ref _limitReported, 1) == 0;
}
