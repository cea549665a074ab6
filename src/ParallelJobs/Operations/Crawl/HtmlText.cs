using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Threading;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// -IncludeContent's Text: what a reader sees of an HTML page, in one forward pass (linear, no tree, as
/// <see cref="HtmlLinkScanner"/>): tags dropped, comments and the contents of title (the page's Title), script, style, template and
/// similar elements skipped, entities decoded, each run of white space one space, and a line break at each
/// block element (p, div, li, headings, br, tr ...), so paragraphs stay apart.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "title", "script", "style", "template", "noscript", "textarea", "xmp", "iframe", "noembed", "noframes", "svg",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "tr", "ul", "body",
    };

    public static string Extract(string html, CancellationToken token)
    {
        var text = new StringBuilder(html.Length / 4);
        var run = new StringBuilder();
        int i = 0;
        int tags = 0;
        while (i < html.Length)
        {
            int open = html.IndexOf('<', i);
            AppendText(text, run, html, i, (open < 0 ? html.Length : open) - i);
            if (open < 0 || open + 1 >= html.Length)
            {
                break;
            }

            if ((++tags & 1023) == 0)
            {
                token.ThrowIfCancellationRequested();
            }

            if (string.CompareOrdinal(html, open, "<!--", 0, 4) == 0)
            {
                int endComment = html.IndexOf("-->", open + 4, StringComparison.Ordinal);
                i = endComment < 0 ? html.Length : endComment + 3;
                continue;
            }

            char next = html[open + 1];
            if (!char.IsLetter(next) && next != '/' && next != '!' && next != '?')
            {
                // "a < b" or "<3": a browser shows the '<' as text.
                AppendText(text, run, html, open, 1);
                i = open + 1;
                continue;
            }

            int close = html.IndexOf('>', open + 1);
            if (close < 0)
            {
                break;
            }

            bool ending = html[open + 1] == '/';
            int nameStart = open + (ending ? 2 : 1);
            int nameEnd = nameStart;
            while (nameEnd < close && (char.IsLetterOrDigit(html[nameEnd]) || html[nameEnd] == '-'))
            {
                nameEnd++;
            }

            string name = html.Substring(nameStart, nameEnd - nameStart);
            i = close + 1;
            if (name.Length == 0)
            {
                // <!DOCTYPE>, <?xml?> and stray '<': nothing to read.
                continue;
            }

            if (Blocks.Contains(name))
            {
                Break(text);
            }

            if (!ending && Skipped.Contains(name) && html[close - 1] != '/')
            {
                // Everything up to the matching end tag is not text a reader sees.
                int end = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                int endClose = end < 0 ? -1 : html.IndexOf('>', end);
                i = endClose < 0 ? html.Length : endClose + 1;
            }
        }

        return text.ToString().Trim();
    }

    private static void AppendText(StringBuilder text, StringBuilder run, string html, int start, int length)
    {
        if (length <= 0)
        {
            return;
        }

        // Only a run with an entity is copied out to be decoded; the rest is read in place.
        string source = html;
        if (html.IndexOf('&', start, length) >= 0)
        {
            run.Clear();
            run.Append(html, start, length);
            source = WebUtility.HtmlDecode(run.ToString());
            start = 0;
            length = source.Length;
        }

        for (int k = start; k < start + length; k++)
        {
            char c = source[k];
            if (char.IsWhiteSpace(c))
            {
                if (text.Length > 0 && text[text.Length - 1] != ' ' && text[text.Length - 1] != '\n')
                {
                    text.Append(' ');
                }
            }
            else
            {
                text.Append(c);
            }
        }
    }

    private static void Break(StringBuilder text)
    {
        while (text.Length > 0 && text[text.Length - 1] == ' ')
        {
            text.Length--;
        }

        if (text.Length > 0 && text[text.Length - 1] != '\n')
        {
            text.Append('\n');
        }
    }
}
