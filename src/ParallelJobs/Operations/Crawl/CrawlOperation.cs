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
internal sealed class CrawlOperation : IItemOperation, IDisposable
{
    /// <summary>More HTML than this is not read: the links of a page come early, and memory stays bounded.</summary>
    private const int MaxHtmlBytes = 8 * 1024 * 1024;

    private readonly HttpClient _client;
    private readonly CrawlScope _scope;
    private readonly HostGate _gate;
    private readonly RobotsCache? _robots;
    private readonly int _maxDepth;
    private readonly int _maxPages;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _otherOrigins = new(StringComparer.OrdinalIgnoreCase);
    private int _claimed;
    private int _limitReported;

    /// <param name="robotsTimeout">How long robots.txt may take before its origin counts as unreachable.</param>
    public CrawlOperation(HttpClient client, CrawlScope scope, int maxDepth, int maxPerHost, bool obeyRobots, int maxPages, TimeSpan robotsTimeout)
    {
        _client = client;
        _scope = scope;
        _maxDepth = maxDepth;
        _maxPages = maxPages;
        _gate = new HostGate(maxPerHost);
        _robots = obeyRobots ? new RobotsCache(client, _stopping.Token, robotsTimeout) : null;
    }

    /// <summary>Pipeline thread: claims a start page. False when it was already given (or the page limit is reached).</summary>
    public bool TryClaimStart(Uri uri)
    {
        _scope.AddStart(uri);
        return Claim(uri);
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

        ParallelCrawlPage page = Fetch(target, token);
        if (target.Depth < _maxDepth)
        {
            Follow(page, context, token);
        }

        return new object[] { page };
    }

    public void Dispose()
    {
        // A robots.txt fetch still in flight stops here. The token source and the per-host gates are left
        // to the GC: a worker that outlived the run's join timeout may still touch them.
        _stopping.Cancel();
        _client.Dispose();
    }

    private ParallelCrawlPage Fetch(CrawlTarget target, CancellationToken token)
    {
        using IDisposable slot = _gate.Enter(target.Uri, token);
        long started = Stopwatch.GetTimestamp();
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
            string? text = null;

            // Links are taken from pages that worked: an error page's links are not the site's.
            bool parse = html && status >= 200 && status < 300;
            if (response.Content is not null && (parse || status == 429 || status >= 500))
            {
                text = ReadText(response.Content, contentType, token, target.Uri);
            }

            TimeSpan elapsed = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency);
            if (status == 429 || status >= 500)
            {
                // The page may come back: an error, which -RetryCount retries (after any Retry-After).
                var failed = new ParallelWebResponse(target.Uri, "GET", status, response.ReasonPhrase, mediaType,
                    new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), text, elapsed, 0);
                throw WebFailure.FromStatus(failed, HttpMethod.Get, WebFailure.ReadRetryAfter(response));
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

            return new ParallelCrawlPage(target.Uri, target.Depth, target.Referrer, status, mediaType, title, links, elapsed);
        }
    }

    private static string ReadText(HttpContent content, MediaTypeHeaderValue? contentType, CancellationToken token, Uri uri)
    {
        try
        {
            using Stream stream = content.ReadAsStreamAsync().GetAwaiter().GetResult();
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[16384];
            while (buffer.Length < MaxHtmlBytes)
            {
                int read = stream.ReadAsync(chunk, 0, chunk.Length, token).GetAwaiter().GetResult();
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
            }

            return ResponseBody.Decode(buffer.ToArray(), contentType);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw WebFailure.FromException(ex, HttpMethod.Get, uri);
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

    /// <summary>True once, for the first caller after the page limit was reached.</summary>
    private bool FirstToHitLimit() =>
        _maxPages > 0 && Volatile.Read(ref _claimed) >= _maxPages && Interlocked.Exchange(ref _limitReported, 1) == 0;
}
