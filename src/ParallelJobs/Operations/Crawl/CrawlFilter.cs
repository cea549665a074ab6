using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// -Include and -Exclude: wildcard patterns, as -like matches them (case-insensitive), on the whole normalized
/// URL. They decide which pages beyond the start pages are fetched: a page -Exclude matches is not fetched,
/// and with -Include a page must match one of its patterns. A page not fetched yields no links, so the crawl
/// does not pass through it either.
/// </summary>
internal sealed class CrawlFilter
{
    private readonly List<WildcardPattern> _include = new();
    private readonly List<WildcardPattern> _exclude = new();

    public CrawlFilter(IEnumerable<string>? include, IEnumerable<string>? exclude)
    {
        foreach (string pattern in include ?? Array.Empty<string>())
        {
            _include.Add(WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant));
        }

        foreach (string pattern in exclude ?? Array.Empty<string>())
        {
            _exclude.Add(WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant));
        }
    }

    public bool IsEmpty => _include.Count == 0 && _exclude.Count == 0;

    /// <summary>Null when the URL may be fetched; else which parameter keeps it out, for the verbose line.</summary>
    public string? Refuses(Uri uri)
    {
        if (IsEmpty)
        {
            return null;
        }

        string text = uri.AbsoluteUri;

        // WildcardPattern builds its matcher lazily; one at a time keeps that safe across workers.
        lock (_include)
        {
            foreach (WildcardPattern pattern in _exclude)
            {
                if (pattern.IsMatch(text))
                {
                    return "-Exclude";
                }
            }

            if (_include.Count == 0)
            {
                return null;
            }

            foreach (WildcardPattern pattern in _include)
            {
                if (pattern.IsMatch(text))
                {
                    return null;
                }
            }

            return "-Include";
        }
    }
}
