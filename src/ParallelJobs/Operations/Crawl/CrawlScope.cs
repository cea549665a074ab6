using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// Which origins the crawl may enter: the start pages' origins (scheme, host and port: another port or
/// scheme of the same host is another site), plus those -AllowHost matches. An -AllowHost pattern (wildcards
/// allowed) is matched against "host" when the URL is on its scheme's default port, and against "host:port"
/// and "scheme://host:port" always; so "example.com" means http://example.com and https://example.com,
/// "example.com:8081" that port in either scheme, "example.com:*" every port, and "https://example.com:8443"
/// that one origin.
/// </summary>
internal sealed class CrawlScope
{
    private readonly ConcurrentDictionary<string, byte> _startOrigins = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _startHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<WildcardPattern> _allowed = new();

    public CrawlScope(IEnumerable<string>? allowHosts)
    {
        foreach (string host in allowHosts ?? Array.Empty<string>())
        {
            _allowed.Add(WildcardPattern.Get(host.Trim().TrimEnd('/'), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant));
        }
    }

    public void AddStart(Uri uri)
    {
        _startOrigins.TryAdd(UrlNormalizer.Origin(uri), 0);
        _startHosts.TryAdd(uri.Host, 0);
    }

    public bool Allows(Uri uri)
    {
        if (_startOrigins.ContainsKey(UrlNormalizer.Origin(uri)))
        {
            return true;
        }

        string hostAndPort = uri.Host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] names = uri.IsDefaultPort
            ? new[] { uri.Host, hostAndPort, uri.Scheme + "://" + uri.Host, uri.Scheme + "://" + hostAndPort }
            : new[] { hostAndPort, uri.Scheme + "://" + hostAndPort };

        // WildcardPattern builds its matcher lazily; one at a time keeps that safe across workers.
        lock (_allowed)
        {
            foreach (WildcardPattern pattern in _allowed)
            {
                foreach (string name in names)
                {
                    if (pattern.IsMatch(name))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>True for a URL out of scope only because its scheme or port differs from a start page's.</summary>
    public bool IsOtherOriginOfStartHost(Uri uri) => _startHosts.ContainsKey(uri.Host) && !Allows(uri);
}
