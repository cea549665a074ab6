using System;
using System.Collections.Generic;
using System.Text;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// The rules of one robots.txt (RFC 9309) that apply to this crawler: the groups whose user-agent is its
/// product token (case-insensitive), else the "*" groups. Paths are compared percent-encoded
/// (<see cref="RobotsPath"/>); the longest matching Allow or Disallow pattern wins, and Allow wins a tie.
/// Patterns may use * (any characters) and a final $ (end of the URL).
/// </summary>
internal sealed class RobotsRules
{
    public const string ProductToken = "paralleljobs";

    /// <summary>RFC 9309 2.5: crawlers must parse at least 500 KiB; what follows is not read.</summary>
    public const int MaxBytes = 500 * 1024;

    /// <summary>Crawl-delay values above this are taken as this: a day's delay would stop the crawl.</summary>
    public static readonly TimeSpan MaxCrawlDelay = TimeSpan.FromSeconds(60);

    public static readonly RobotsRules AllowAll = new(new List<Rule>(), null);

    private readonly List<Rule> _rules;

    private RobotsRules(List<Rule> rules, string? unreachable, TimeSpan crawlDelay = default, IReadOnlyList<string>? sitemaps = null)
    {
        _rules = rules;
        Unreachable = unreachable;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps ?? Array.Empty<string>();
    }

    /// <summary>
    /// The Crawl-delay of the groups that apply (not in RFC 9309, but widely served): the least time between
    /// two requests to the origin, at most <see cref="MaxCrawlDelay"/>; zero when none is given.
    /// </summary>
    public TimeSpan CrawlDelay { get; }

    /// <summary>The Sitemap lines, in file order (they belong to no group).</summary>
    public IReadOnlyList<string> Sitemaps { get; }

    public int Count => _rules.Count;

    /// <summary>Why robots.txt could not be had (a 5xx answer, no connection, a timeout); null when it was read or is absent.</summary>
    public string? Unreachable { get; }

    /// <summary>RFC 9309 2.3.1.4: robots.txt that cannot be reached means complete disallow.</summary>
    public static RobotsRules DisallowAll(string reason) => new(new List<Rule> { new("/", allow: false) }, reason);

    /// <summary>The body as served: UTF-8 (RFC 9309 2.3), cut at <see cref="MaxBytes"/> back to the last line break.</summary>
    public static RobotsRules Parse(byte[] body, int count)
    {
        int length = Math.Min(count, body.Length);
        if (length > MaxBytes)
        {
            // A line cut in half could turn "Disallow: /private" into "Disallow: /p"; it is dropped instead.
            length = MaxBytes;
            while (length > 0 && body[length - 1] != '\n' && body[length - 1] != '\r')
            {
                length--;
            }
        }

        int start = length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF ? 3 : 0;
        return Parse(Encoding.UTF8.GetString(body, start, length - start));
    }

    public static RobotsRules Parse(string text)
    {
        var groups = new List<(List<string> Agents, List<Rule> Rules, double[] Delay)>();
        (List<string> Agents, List<Rule> Rules, double[] Delay)? current = null;
        var sitemaps = new List<string>();
        bool lastWasAgent = false;
        foreach (string rawLine in text.Split('\n', '\r'))
        {
            string line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line.Substring(0, hash);
            }

            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            string key = line.Substring(0, colon).Trim().ToLowerInvariant();
            string value = line.Substring(colon + 1).Trim();
            switch (key)
            {
                case "user-agent":
                    if (current is null || !lastWasAgent)
                    {
                        current = (new List<string>(), new List<Rule>(), new double[1]);
                        groups.Add(current.Value);
                    }

                    current.Value.Agents.Add(AgentToken(value));
                    lastWasAgent = true;
                    break;
                case "allow":
                case "disallow":
                    lastWasAgent = false;
                    if (current is not null && value.Length > 0)
                    {
                        current.Value.Rules.Add(new Rule(value, key == "allow"));
                    }

                    break;
                case "crawl-delay":
                    // A rule of the group, as Allow and Disallow: a user-agent line after it starts a new group.
                    lastWasAgent = false;
                    if (current is not null && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
                        && seconds > 0 && !double.IsInfinity(seconds))
                    {
                        current.Value.Delay[0] = Math.Max(current.Value.Delay[0], seconds);
                    }

                    break;
                case "sitemap":
                    // A URL holds a colon, which the key split above does not touch (it splits at the first).
                    if (value.Length > 0 && sitemaps.Count < 100)
                    {
                        sitemaps.Add(value);
                    }

                    break;
                default:
                    // Host and the like end nothing and mean nothing here.
                    break;
            }
        }

        // RFC 9309 2.2.1: every group naming the crawler counts, merged; without one, every "*" group.
        var mine = new List<Rule>();
        var any = new List<Rule>();
        double mineDelay = 0, anyDelay = 0;
        bool named = false;
        foreach ((List<string> agents, List<Rule> rules, double[] delay) in groups)
        {
            if (agents.Contains(ProductToken))
            {
                named = true;
                mine.AddRange(rules);
                mineDelay = Math.Max(mineDelay, delay[0]);
            }
            else if (agents.Contains("*"))
            {
                any.AddRange(rules);
                anyDelay = Math.Max(anyDelay, delay[0]);
            }
        }

        double chosen = Math.Min(named ? mineDelay : anyDelay, MaxCrawlDelay.TotalSeconds);
        return new RobotsRules(named ? mine : any, null, TimeSpan.FromSeconds(chosen), sitemaps);
    }

    /// <summary>Whether the crawler may fetch <paramref name="uri"/> (its path and query are matched).</summary>
    public bool Allows(Uri uri)
    {
        string path = RobotsPath.Normalize(uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));
        if (path.Equals("/robots.txt", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 9309 2.2.2: /robots.txt itself is always allowed.
            return true;
        }

        Rule? best = null;
        foreach (Rule rule in _rules)
        {
            if ((best is null || rule.Length > best.Length || (rule.Length == best.Length && rule.Allow && !best.Allow)) && rule.Matches(path))
            {
                best = rule;
            }
        }

        return best?.Allow ?? true;
    }

    /// <summary>
    /// The product token of a user-agent line, lower case: "*", or its leading letters, '-' and '_'
    /// (RFC 9309 2.2.1), so "ParallelJobs/1.0" names this crawler and "Parallel" or "ParallelJobsX" do not.
    /// </summary>
    internal static string AgentToken(string value)
    {
        if (value.StartsWith("*", StringComparison.Ordinal))
        {
            return "*";
        }

        int end = 0;
        while (end < value.Length && (char.IsLetter(value[end]) && value[end] < 0x80 || value[end] == '-' || value[end] == '_'))
        {
            end++;
        }

        return value.Substring(0, end).ToLowerInvariant();
    }

    private sealed class Rule
    {
        private readonly string _pattern;

        public Rule(string path, bool allow)
        {
            Allow = allow;
            _pattern = RobotsPath.Normalize(path);
            Length = _pattern.Length;
        }

        public bool Allow { get; }

        /// <summary>Octets of the encoded pattern: RFC 9309's "most specific match".</summary>
        public int Length { get; }

        public bool Matches(string path) => RobotsPath.Matches(_pattern, path);
    }
}
