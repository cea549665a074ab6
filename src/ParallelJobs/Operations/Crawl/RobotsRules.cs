using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// The rules of one robots.txt (RFC 9309) that apply to this crawler: the groups naming its product token,
/// else the "*" groups. The longest matching Allow or Disallow path wins; on a tie, Allow wins.
/// Paths may use * (any characters) and a final $ (end of the URL).
/// </summary>
internal sealed class RobotsRules
{
    public const string ProductToken = "paralleljobs";

    public static readonly RobotsRules AllowAll = new(new List<Rule>());

    private readonly List<Rule> _rules;

    private RobotsRules(List<Rule> rules)
    {
        _rules = rules;
    }

    public int Count => _rules.Count;

    public static RobotsRules Parse(string text)
    {
        var groups = new List<(List<string> Agents, List<Rule> Rules)>();
        (List<string> Agents, List<Rule> Rules)? current = null;
        bool lastWasAgent = false;
        foreach (string rawLine in text.Split('\n'))
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
                        current = (new List<string>(), new List<Rule>());
                        groups.Add(current.Value);
                    }

                    current.Value.Agents.Add(value.ToLowerInvariant());
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
                default:
                    // Sitemap, Crawl-delay and the like end nothing and mean nothing here.
                    break;
            }
        }

        var mine = new List<Rule>();
        var any = new List<Rule>();
        bool named = false;
        foreach ((List<string> agents, List<Rule> rules) in groups)
        {
            if (agents.Exists(a => a != "*" && a.Length > 0 && ProductToken.IndexOf(a, StringComparison.Ordinal) >= 0))
            {
                named = true;
                mine.AddRange(rules);
            }
            else if (agents.Contains("*"))
            {
                any.AddRange(rules);
            }
        }

        return new RobotsRules(named ? mine : any);
    }

    /// <summary>Whether the crawler may fetch <paramref name="uri"/> (its path and query are matched).</summary>
    public bool Allows(Uri uri)
    {
        string path = uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped);
        if (path.Equals("/robots.txt", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        Rule? best = null;
        foreach (Rule rule in _rules)
        {
            if (rule.Matches(path) && (best is null || rule.Length > best.Length || (rule.Length == best.Length && rule.Allow)))
            {
                best = rule;
            }
        }

        return best?.Allow ?? true;
    }

    private sealed class Rule
    {
        private readonly Regex _pattern;

        public Rule(string path, bool allow)
        {
            Allow = allow;
            Length = path.Length;
            bool anchored = path.EndsWith("$", StringComparison.Ordinal);
            string body = anchored ? path.Substring(0, path.Length - 1) : path;
            var regex = new StringBuilder("^");
            foreach (string part in body.Split('*'))
            {
                regex.Append(Regex.Escape(part)).Append(".*");
            }

            regex.Length -= 2;
            if (anchored)
            {
                regex.Append('$');
            }

            _pattern = new Regex(regex.ToString(), RegexOptions.CultureInvariant);
        }

        public bool Allow { get; }

        public int Length { get; }

        public bool Matches(string path) => _pattern.IsMatch(path);
    }
}
