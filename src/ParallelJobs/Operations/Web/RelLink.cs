using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ParallelJobs.Operations.Web;

/// <summary>Reads the rel="next" target of a Link header (RFC 8288), for -FollowRelLink.</summary>
internal static class RelLink
{
    // One link-value: <target> followed by its parameters, up to the comma that starts the next one. A comma inside
    // a quoted parameter is rare enough in pagination headers to be left out.
    private static readonly Regex LinkValue = new(@"<(?<target>[^>]*)>(?<params>[^,]*)", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private static readonly Regex RelParam = new(@";\s*rel\s*=\s*(?:""(?<rel>[^""]*)""|(?<rel>[^\s;,""]+))",
        RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>The absolute URI of the next page, or null when the response names none (or only a non-http one).</summary>
    public static Uri? Next(IDictionary<string, string> headers, Uri answered)
    {
        if (!headers.TryGetValue("Link", out string? link))
        {
            return null;
        }

        foreach (Match value in LinkValue.Matches(link))
        {
            Match rel = RelParam.Match(value.Groups["params"].Value);
            if (!rel.Success)
            {
                continue;
            }

            // rel may hold several relation types ("next last"); they compare case-insensitively.
            foreach (string type in rel.Groups["rel"].Value.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (type.Equals("next", StringComparison.OrdinalIgnoreCase)
                    && Uri.TryCreate(answered, value.Groups["target"].Value.Trim(), out Uri? next)
                    && (next.Scheme == Uri.UriSchemeHttp || next.Scheme == Uri.UriSchemeHttps))
                {
                    return next;
                }
            }
        }

        return null;
    }
}
