using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// robots.txt per origin, fetched once however many workers ask at the same time. The fetch runs
/// asynchronously under the crawl's own token; each worker waits for it under its item's token.
/// As RFC 9309 2.3.1 says: 2xx is parsed; 4xx (robots.txt unavailable) allows everything; 5xx, 429, no
/// connection or a timeout (robots.txt unreachable) disallows everything. An unreachable robots.txt is
/// asked again once <see cref="UnreachableFor"/> has passed, so a server that was down a moment does not
/// stay closed for a whole long crawl.
/// </summary>
internal sealed class RobotsCache
{
    public static readonly TimeSpan DefaultFetchTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultUnreachableFor = TimeSpan.FromMinutes(5);

    private const int MaxRedirects = 5;

    private readonly HttpClient _client;
    private readonly CancellationToken _stopping;
    private readonly TimeSpan _fetchTimeout;
    private readonly Func<DateTime> _now;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.OrdinalIgnoreCase);

    public RobotsCache(HttpClient client, CancellationToken stopping, TimeSpan fetchTimeout, TimeSpan? unreachableFor = null, Func<DateTime>? now = null)
    {
        _client = client;
        _stopping = stopping;
        _fetchTimeout = fetchTimeout;
        UnreachableFor = unreachableFor ?? DefaultUnreachableFor;
        _now = now ?? (() => DateTime.UtcNow);
    }

    public TimeSpan UnreachableFor { get; }

    /// <summary>
    /// Dedicated worker thread: the rules of the URI's origin, waiting for them if another worker is fetching
    /// them. <paramref name="notice"/> is set, for the first caller of the run only, when the origin's
    /// robots.txt was unreachable, so the crawl says so once per origin.
    /// </summary>
    public RobotsRules For(Uri uri, CancellationToken token, out string? notice)
    {
        string origin = UrlNormalizer.Origin(uri);
        RobotsRules rules = Get(origin, token);
        notice = rules.Unreachable is { } reason && _reported.TryAdd(origin, 0)
            ? $"robots.txt of {origin} could not be fetched ({reason}), so, as RFC 9309 says, no page of {origin} is fetched; it is asked again after {UnreachableFor.TotalMinutes:0.#} min. Use -IgnoreRobots to crawl it anyway."
            : null;
        return rules;
    }

    internal RobotsRules Get(string origin, CancellationToken token)
    {
        while (true)
        {
            Entry entry = _entries.GetOrAdd(origin, o => new Entry(() => FetchAsync(o), _now));
            Task<RobotsRules> task = entry.Rules;
            task.Wait(token);
            RobotsRules rules = task.Result;
            if (rules.Unreachable is null || _now() - entry.Completed < UnreachableFor)
            {
                return rules;
            }

            // Stale: the first worker to see it swaps in a new fetch; the others then wait for that one.
            _entries.TryUpdate(origin, new Entry(() => FetchAsync(origin), _now), entry);
        }
    }

    private async Task<RobotsRules> FetchAsync(string origin)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        cts.CancelAfter(_fetchTimeout);
        var uri = new Uri(origin + "/robots.txt");
        try
        {
            // Follows up to five redirects (http to https, a host alias) by hand: the crawl's client does not.
            for (int hop = 0; hop <= MaxRedirects; hop++)
            {
                using HttpResponseMessage response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status >= 300 && status < 400 && response.Headers.Location is { } location)
                {
                    uri = new Uri(uri, location);
                    continue;
                }

                if (status >= 200 && status < 300)
                {
                    (byte[] body, int count) = await ReadLimitedAsync(response.Content, cts.Token).ConfigureAwait(false);
                    return RobotsRules.Parse(body, count);
                }

                // 429 asks the crawler to slow down: treated as the server being unable to answer, like a 5xx.
                if (status >= 500 || status == 429)
                {
                    return RobotsRules.DisallowAll($"the server answered {status} {response.ReasonPhrase}".TrimEnd());
                }

                // 4xx, including 401 and 403: robots.txt is unavailable, which allows everything.
                return RobotsRules.AllowAll;
            }

            // More than five redirects: RFC 9309 2.3.1.2 lets the crawler treat robots.txt as unavailable.
            return RobotsRules.AllowAll;
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return RobotsRules.DisallowAll($"no answer within {_fetchTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            return RobotsRules.DisallowAll(Innermost(ex).Message.TrimEnd('.'));
        }
    }

    /// <summary>Reads one byte more than the parse limit, so the parser knows when it cut the file.</summary>
    private static async Task<(byte[] Body, int Count)> ReadLimitedAsync(HttpContent content, CancellationToken token)
    {
        using Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        byte[] buffer = new byte[RobotsRules.MaxBytes + 1];
        int count = 0;
        while (count < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer, count, buffer.Length - count, token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            count += read;
        }

        return (buffer, count);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private sealed class Entry
    {
        private readonly Lazy<Task<RobotsRules>> _rules;

        public Entry(Func<Task<RobotsRules>> fetch, Func<DateTime> now)
        {
            _rules = new Lazy<Task<RobotsRules>>(async () =>
            {
                RobotsRules rules = await fetch().ConfigureAwait(false);
                Completed = now();
                return rules;
            });
        }

        public Task<RobotsRules> Rules => _rules.Value;

        public DateTime Completed { get; private set; }
    }
}
