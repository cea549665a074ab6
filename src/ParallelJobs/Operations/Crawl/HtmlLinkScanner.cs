using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// Finds a page's title, base URI and links (the href of every a and area) in one forward pass over the
/// HTML, building no tree: its cost is linear in the page's length whatever the nesting (a DOM parser
/// spends the square of the depth on 200,000 nested div elements), and it observes the item's token as it
/// goes, so a timeout or Ctrl+C stops it at once. Comments, declarations and the raw text of script,
/// style and similar elements are skipped, as a browser skips them.
/// </summary>
internal static class HtmlLinkScanner
{
    /// <summary>A page with more links than this gives only the first ones: memory stays bounded.</summary>
    public const int MaxLinks = 100_000;

    private static readonly HashSet<string> _rawText = new(StringComparer.Ordinal)
    {
        "script", "style", "textarea", "xmp", "iframe", "noembed", "noframes",
    };

    public static (string? Title, string? BaseHref, List<string> Hrefs) Scan(string html, CancellationToken token)
    {
        string? title = null;
        string? baseHref = null;
        var hrefs = new List<string>();
        int i = 0;
        int tags = 0;
        while (i < html.Length && hrefs.Count < MaxLinks)
        {
            int open = html.IndexOf('<', i);
            if (open < 0 || open + 1 >= html.Length)
            {
                break;
            }

            if ((++tags & 1023) == 0)
            {
                token.ThrowIfCancellationRequested();
            }

            char next = html[open + 1];
            if (string.CompareOrdinal(html, open, "<!--", 0, 4) == 0)
            {
                int close = html.IndexOf("-->", open + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }

            if (next is '!' or '?' or '/')
            {
                int close = html.IndexOf('>', open + 1);
                i = close < 0 ? html.Length : close + 1;
                continue;
            }

            if (!IsLetter(next))
            {
                i = open + 1;
                continue;
            }

            i = ReadTag(html, open + 1, out string name, out string? href);
            switch (name)
            {
                case "a" or "area" when href is not null:
                    hrefs.Add(href);
                    break;
                case "base" when baseHref is null && href is not null:
                    baseHref = href;
                    break;
                case "title":
                    int end = EndOfRawText(html, i, name);
                    title ??= html.Substring(i, end - i);
                    i = end;
                    break;
                default:
                    if (_rawText.Contains(name))
                    {
                        i = EndOfRawText(html, i, name);
                    }

                    break;
            }
        }

        // The framework's decoder: named, decimal and hex references (a missing ';' leaves the text as it is),
        // with no third-party assembly that another module's copy could clash with.
        return (title is null ? null : WebUtility.HtmlDecode(title).Trim(), baseHref is null ? null : WebUtility.HtmlDecode(baseHref), hrefs);
    }

    /// <summary>Reads a start tag from its name on; returns the index after its '&gt;', with the lower-case name and any href.</summary>
    private static int ReadTag(string html, int at, out string name, out string? href)
    {
        href = null;
        int i = at;
        while (i < html.Length && !IsSpace(html[i]) && html[i] is not ('>' or '/'))
        {
            i++;
        }

        name = html.Substring(at, i - at).ToLowerInvariant();
        while (i < html.Length)
        {
            char c = html[i];
            if (c == '>')
            {
                return i + 1;
            }

            if (IsSpace(c) || c == '/')
            {
                i++;
                continue;
            }

            int nameStart = i;
            while (i < html.Length && !IsSpace(html[i]) && html[i] is not ('>' or '=' or '/'))
            {
                i++;
            }

            string attribute = html.Substring(nameStart, i - nameStart);
            while (i < html.Length && IsSpace(html[i]))
            {
                i++;
            }

            if (i >= html.Length || html[i] != '=')
            {
                continue;
            }

            i++;
            while (i < html.Length && IsSpace(html[i]))
            {
                i++;
            }

            int valueStart, valueEnd;
            if (i < html.Length && html[i] is '"' or '\'')
            {
                char quote = html[i];
                valueStart = i + 1;
                valueEnd = html.IndexOf(quote, valueStart);
                valueEnd = valueEnd < 0 ? html.Length : valueEnd;
                i = Math.Min(html.Length, valueEnd + 1);
            }
            else
            {
                valueStart = i;
                while (i < html.Length && !IsSpace(html[i]) && html[i] != '>')
                {
                    i++;
                }

                valueEnd = i;
            }

            if (href is null && attribute.Equals("href", StringComparison.OrdinalIgnoreCase))
            {
                href = html.Substring(valueStart, valueEnd - valueStart);
            }
        }

        return i;
    }

    private static int EndOfRawText(string html, int from, string name)
    {
        int close = html.IndexOf("</" + name, from, StringComparison.OrdinalIgnoreCase);
        return close < 0 ? html.Length : close;
    }

    private static bool IsLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}
