using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Net.Http;
using System.Threading;
using System.Xml;

using ParallelJobs.Operations.Web;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// -UseSitemap: the page URLs of an origin's sitemaps (sitemaps.org): those robots.txt names on its Sitemap
/// lines, else /sitemap.xml. Sitemap index files are followed <see cref="MaxIndexDepth"/> levels deep, at most
/// <see cref="MaxSitemaps"/> files per origin, each read up to <see cref="MaxBytes"/> (after gunzip), and the
/// XML is read with no DTD and no external entity (a billion-laughs file fails instead of filling memory).
/// </summary>
internal sealed class SitemapReader
{
    /// <summary>The sitemaps.org limit for one file, uncompressed.</summary>
    public const int MaxBytes = 50 * 1024 * 1024;

    public const int MaxUrlsPerFile = 50_000;

    public const int MaxIndexDepth = 2;

    public const int MaxSitemaps = 50;

    private const int MaxRedirects = 5;

    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly Action<string> _verbose;
    private readonly Action<string> _warning;

    public SitemapReader(HttpClient client, TimeSpan timeout, Action<string> verbose, Action<string> warning)
    {
        _client = client;
        _timeout = timeout;
        _verbose = verbose;
        _warning = warning;
    }

    /// <summary>Every page URL found, with the sitemap that listed it, in file order.</summary>
    /// <param name="beforeFetch">Called before each request (the origin's pacing); false skips it.</param>
    public List<(Uri Page, Uri Sitemap)> Read(IEnumerable<Uri> sitemaps, bool named, Func<Uri, bool> beforeFetch, CancellationToken token)
    {
        var pages = new List<(Uri, Uri)>();
        var queue = new Queue<(Uri Uri, int Level)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Uri sitemap in sitemaps)
        {
            if (seen.Add(sitemap.AbsoluteUri))
            {
                queue.Enqueue((sitemap, 0));
            }
        }

        int fetched = 0;
        while (queue.Count > 0)
        {
            token.ThrowIfCancellationRequested();
            (Uri uri, int level) = queue.Dequeue();
            if (++fetched > MaxSitemaps)
            {
                _warning($"-UseSitemap read {MaxSitemaps} sitemap files of {UrlNormalizer.Origin(uri)}, the most it reads; {queue.Count + 1} more were not read.");
                break;
            }

            if (!beforeFetch(uri))
            {
                continue;
            }

            byte[]? body = Fetch(uri, named || level > 0, token);
            if (body is null)
            {
                continue;
            }

            (bool index, List<string> locs, string? problem) = Parse(body);
            if (problem is not null)
            {
                _warning($"The sitemap {uri} could not be read to its end ({problem}); the {locs.Count} URLs before that are used.");
            }

            foreach (string loc in locs)
            {
                if (UrlNormalizer.Resolve(uri, loc) is not { } found)
                {
                    continue;
                }

                if (!index)
                {
                    pages.Add((found, uri));
                }
                else if (level + 1 > MaxIndexDepth)
                {
                    _verbose($"The sitemap index {uri} is nested more than {MaxIndexDepth} deep: {found} not read.");
                }
                else if (seen.Add(found.AbsoluteUri))
                {
                    queue.Enqueue((found, level + 1));
                }
            }
        }

        return pages;
    }

    /// <summary>The body of a 2xx answer, gunzipped and bounded; null (with a message) for anything else.</summary>
    private byte[]? Fetch(Uri uri, bool named, CancellationToken token)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        cts.CancelAfter(_timeout);
        try
        {
            for (int hop = 0; hop <= MaxRedirects; hop++)
            {
                _verbose(WebVerbose.Request(System.Net.HttpVersion.Version11, "GET", uri));
                using HttpResponseMessage response = _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cts.Token).GetAwaiter().GetResult();
                int status = (int)response.StatusCode;
                if (status >= 300 && status < 400 && response.Headers.Location is { } location)
                {
                    _verbose(WebVerbose.Response(status, response.ReasonPhrase, response.Content?.Headers.ContentType?.MediaType, null));
                    uri = new Uri(uri, location);
                    continue;
                }

                if (status < 200 || status >= 300)
                {
                    _verbose(WebVerbose.Response(status, response.ReasonPhrase, response.Content?.Headers.ContentType?.MediaType, response.Content?.Headers.ContentLength));
                    string message = $"The sitemap {uri} answered {status} {response.ReasonPhrase}".TrimEnd() + ": no start pages from it.";
                    if (named || status != 404)
                    {
                        _warning(message);
                    }
                    else
                    {
                        _verbose(message);
                    }

                    return null;
                }

                using Stream stream = response.Content!.ReadAsStreamAsync().GetAwaiter().GetResult();
                byte[] body = ReadLimited(stream, cts.Token, out bool cut);
                _verbose(WebVerbose.Response(status, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, cut ? null : body.Length));
                if (body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B)
                {
                    // sitemap.xml.gz, or a server that gzips without saying so.
                    using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
                    body = ReadLimited(gzip, cts.Token, out cut);
                }

                if (cut)
                {
                    _warning($"The sitemap {uri} is larger than {MaxBytes / (1024 * 1024)} MiB; only its start is read.");
                }

                return body;
            }

            _warning($"The sitemap {uri} redirects more than {MaxRedirects} times: not read.");
            return null;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            _warning($"The sitemap {uri} gave no answer within {_timeout.TotalSeconds:0.#} s: not read.");
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            _warning($"The sitemap {uri} could not be fetched: {Innermost(ex).Message}");
            return null;
        }
    }

    private static byte[] ReadLimited(Stream stream, CancellationToken token, out bool cut)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16384];
        cut = false;
        while (true)
        {
            int read = stream.ReadAsync(chunk, 0, chunk.Length, token).GetAwaiter().GetResult();
            if (read == 0)
            {
                break;
            }

            if (buffer.Length + read > MaxBytes)
            {
                buffer.Write(chunk, 0, (int)(MaxBytes - buffer.Length));
                cut = true;
                break;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Whether the file is a sitemap index, its loc values in order, and why it stopped early if it did.</summary>
    internal static (bool Index, List<string> Locs, string? Problem) Parse(byte[] body)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            MaxCharactersInDocument = MaxBytes,
            CloseInput = true,
        };

        var locs = new List<string>();
        bool index = false;
        string? problem = null;
        try
        {
            using XmlReader reader = XmlReader.Create(new MemoryStream(body), settings);
            bool root = true;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (root)
                {
                    root = false;
                    index = reader.LocalName == "sitemapindex";
                    if (!index && reader.LocalName != "urlset")
                    {
                        return (false, locs, $"its root element is <{reader.LocalName}>, not <urlset> or <sitemapindex>");
                    }

                    continue;
                }

                if (reader.LocalName == "loc" && reader.Depth == 2)
                {
                    locs.Add(reader.ReadElementContentAsString().Trim());
                    if (locs.Count >= MaxUrlsPerFile)
                    {
                        problem = $"it lists more than {MaxUrlsPerFile} URLs, the sitemaps.org limit";
                        break;
                    }
                }
            }
        }
        catch (XmlException ex)
        {
            problem = ex.Message;
        }

        return (index, locs, problem);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}
