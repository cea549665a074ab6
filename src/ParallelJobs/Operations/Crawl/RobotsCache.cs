using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ParallelJobs.Operations.Web;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// robots.txt per origin, fetched once however many workers ask at the same time. The fetch runs
/// asynchronously under the crawl's own token; each worker waits for it under its item's token.
/// A missing robots.txt (4xx), or one that cannot be fetched, allows everything.
/// </summary>
internal sealed class RobotsCache
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _client;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, Lazy<Task<RobotsRules>>> _rules = new(StringComparer.OrdinalIgnoreCase);

    public RobotsCache(HttpClient client, CancellationToken stopping)
    {
        _client = client;
        _stopping = stopping;
    }

    /// <summary>Dedicated worker thread: waits for the origin's rules if another worker is fetching them.</summary>
    public bool Allows(Uri uri, CancellationToken token)
    {
        string origin = UrlNormalizer.Origin(uri);
        Task<RobotsRules> rules = _rules.GetOrAdd(origin, o => new Lazy<Task<RobotsRules>>(() => FetchAsync(o))).Value;
        rules.Wait(token);
        return rules.Result.Allows(uri);
    }

    private async Task<RobotsRules> FetchAsync(string origin)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        cts.CancelAfter(FetchTimeout);
        var uri = new Uri(origin + "/robots.txt");
        try
        {
            // Follows a few redirects (http to https, a host alias) by hand: the crawl's client does not.
            for (int hop = 0; hop < 5; hop++)
            {
                using HttpResponseMessage response = await _client.GetAsync(uri, cts.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status >= 300 && status < 400 && response.Headers.Location is { } location)
                {
                    uri = new Uri(uri, location);
                    continue;
                }

                if (status >= 200 && status < 300)
                {
                    byte[] bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    return RobotsRules.Parse(ResponseBody.Decode(bytes, response.Content.Headers.ContentType));
                }

                return RobotsRules.AllowAll;
            }
        }
        catch (Exception) when (!_stopping.IsCancellationRequested)
        {
            // Unreachable or too slow: no rules known, so none are applied.
        }

        return RobotsRules.AllowAll;
    }
}
