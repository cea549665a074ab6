using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;

namespace ParallelJobs.Operations.Crawl;

/// <summary>Which hosts the crawl may enter: the start pages' hosts, plus those matching -AllowHost (wildcards allowed).</summary>
internal sealed class CrawlScope
{
    private readonly ConcurrentDictionary<string, byte> _startHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<WildcardPattern> _allowed = new();

    public CrawlScope(IEnumerable<string>? allowHosts)
    {
        foreach (string host in allowHosts ?? Array.Empty<string>())
        {
            _allowed.Add(WildcardPattern.Get(host.Trim(), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant));
        }
    }

    public void AddStart(Uri uri) => _startHosts.TryAdd(uri.Host, 0);

    public bool Allows(Uri uri)
    {
        if (_startHosts.ContainsKey(uri.Host))
        {
            return true;
        }

        // WildcardPattern builds its matcher lazily; one at a time keeps that safe across workers.
        lock (_allowed)
        {
            foreach (WildcardPattern pattern in _allowed)
            {
                if (pattern.IsMatch(uri.Host) || pattern.IsMatch(uri.Authority))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
