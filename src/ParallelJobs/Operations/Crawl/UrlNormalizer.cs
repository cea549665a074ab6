using System;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// Makes the URI a crawler compares and fetches: resolved against the page's base, http or https only,
/// scheme and host in lower case, the default port dropped, the fragment removed, dot segments resolved.
/// </summary>
internal static class UrlNormalizer
{
    /// <summary>Returns null for links a crawler does not follow (mailto:, javascript:, bad syntax, ...).</summary>
    public static Uri? Resolve(Uri baseUri, string? href)
    {
        if (href is null)
        {
            return null;
        }

        string text = href.Trim();
        if (text.Length == 0 || !Uri.TryCreate(baseUri, text, out Uri? absolute))
        {
            return null;
        }

        return Normalize(absolute);
    }

    public static Uri? Normalize(Uri uri)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            return null;
        }

        // HttpRequestUrl is scheme, host, port (only when not the default), path and query: no fragment, no user info.
        string text = uri.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
        return Uri.TryCreate(text, UriKind.Absolute, out Uri? normalized) ? normalized : null;
    }

    /// <summary>Parses a start URI as typed by a user; a bare host name means http.</summary>
    public static Uri? ParseStart(string text)
    {
        text = text.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return Normalize(uri);
        }

        // "example.com" or "localhost:8080": no scheme was typed.
        return text.Length > 0 && text.IndexOf("://", StringComparison.Ordinal) < 0 && Uri.TryCreate("http://" + text, UriKind.Absolute, out uri)
            ? Normalize(uri)
            : null;
    }

    /// <summary>scheme://host:port, the unit robots.txt and the per-host limit apply to.</summary>
    public static string Origin(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
}
