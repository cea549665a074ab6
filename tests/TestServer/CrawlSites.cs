// Sites for the crawl tests of content, storage, filters, sitemaps and pacing (tests/Crawl*.Tests.ps1):
// everything under /csite, a robots.txt the tests set at run time, and a log of when each page was asked for.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

internal static class CrawlSites
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static readonly ConcurrentQueue<(string Path, double Ms)> Log = new();
    private static readonly ConcurrentDictionary<string, int> Counts = new(StringComparer.Ordinal);
    private static volatile string? _robots;

    public static void MapCrawlSites(this WebApplication app)
    {
        // POST /csite-robots with a body replaces /robots.txt for every host of this server; an empty body restores it.
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path == "/robots.txt" && _robots is { } text)
            {
                ctx.Response.ContentType = "text/plain";
                await ctx.Response.WriteAsync(text.Replace("{base}", $"{ctx.Request.Scheme}://{ctx.Request.Host}"));
                return;
            }

            if (ctx.Request.Path.StartsWithSegments("/csite") || ctx.Request.Path == "/sitemap.xml")
            {
                Log.Enqueue((ctx.Request.Path + ctx.Request.QueryString, Clock.Elapsed.TotalMilliseconds));
            }

            await next();
        });

        app.MapPost("/csite-robots", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            _robots = body.Length == 0 ? null : body;
            return Results.Ok();
        });

        // When each /csite page was asked for, in milliseconds; reset=1 empties the log.
        app.MapGet("/csite-log", (int? reset) =>
        {
            var entries = Log.ToArray().Select(e => new { path = e.Path, ms = e.Ms }).ToArray();
            if (reset == 1)
            {
                Log.Clear();
                Counts.Clear();
            }

            return Results.Text(JsonSerializer.Serialize(entries), "application/json");
        });

        app.MapGet("/sitemap.xml", (HttpContext ctx) =>
            Results.Text(UrlSet("/csite/orphan.html").Replace("{base}", $"{ctx.Request.Scheme}://{ctx.Request.Host}"), "application/xml"));
        app.MapGet("/csite/{**path}", (HttpContext ctx, string? path) => Page(ctx, path ?? string.Empty));
    }

    private static string Html(string title, params string[] links) =>
        $"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
        + string.Concat(links.Select(l => $"<p><a href=\"{l}\">{l}</a></p>")) + "</body></html>";

    private static string UrlSet(params string[] paths) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        + string.Concat(paths.Select(p => $"<url><loc>{{base}}{p}</loc><lastmod>2026-01-01</lastmod></url>")) + "</urlset>";

    private static string Index(params string[] paths) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        + string.Concat(paths.Select(p => $"<sitemap><loc>{{base}}{p}</loc></sitemap>")) + "</sitemapindex>";

    private static IResult Page(HttpContext ctx, string path)
    {
        string self = $"{ctx.Request.Scheme}://{ctx.Request.Host}";
        IResult Xml(string text) => Results.Text(text.Replace("{base}", self), "application/xml");
        IResult Text(string text, string type = "text/html; charset=utf-8") => Results.Text(text, type);
        switch (path)
        {
            case "":
            case "index.html":
                return Text(Html("Content home", "docs/a.html", "docs/b.html", "blog/post1.html", "dir/", "query?x=1&y=2", "query?x=2",
                    "data.json", "image.png", "CON", "space%20name.html", "%2e%2e/%2e%2e/escape.html", "a%2Fb%5Cc.html", "caf%C3%A9.html"));
            case "docs/a.html":
                return Text(Html("Doc A", "c.html", "../blog/post1.html"));
            case "docs/b.html":
                return Text(Html("Doc B"));
            case "docs/c.html":
                return Text(Html("Doc C"));
            case "blog/post1.html":
                return Text(Html("Post 1", "post2.html"));
            case "blog/post2.html":
                return Text(Html("Post 2"));
            case "dir/":
                return Text(Html("Dir index"));
            case "query":
                return Text(Html("Query " + ctx.Request.QueryString.Value));
            case "data.json":
                return Text("{\"caf\\u00e9\":1}", "application/json");
            case "image.png":
                return Results.Bytes(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 1, 2 }, "image/png");
            case "CON":
            case "space name.html":
            case "escape.html":
            case "a/b\\c.html":
            case "café.html":
            case "orphan.html":
            case "orphan2.html":
            case "deeporphan.html":
                return Text(Html("Page " + path));
            case "big.html":
                // 9,000,000 bytes: more than the 8 MiB a page's content keeps.
                return Text("<html><head><title>Big</title></head><body>" + new string('x', 9_000_000 - 57) + "</body></html>");
            case "latin1.html":
                return Results.Bytes(Encoding.Latin1.GetBytes("<html><head><title>Caf\u00e9</title></head><body>\u00e9t\u00e9</body></html>"), "text/html; charset=iso-8859-1");
            case "pace/index.html":
                return Text(Html("Pace", "1.html", "2.html", "3.html", "4.html", "5.html", "6.html"));
            case "busy/index.html":
                return Text(Html("Busy", "limited.html", "1.html", "2.html", "3.html"));
            case "busy/limited.html":
                if (Counts.AddOrUpdate(path, 1, (_, n) => n + 1) == 1)
                {
                    ctx.Response.Headers.RetryAfter = "2";
                    return Results.Text("slow down", "text/plain", Encoding.UTF8, 429);
                }

                return Text(Html("Limited"));
            case "sitemap_index.xml":
                return Xml(Index("/csite/sitemap1.xml", "/csite/sitemap2.xml.gz", "/csite/nested_index.xml"));
            case "nested_index.xml":
                return Xml(Index("/csite/sitemap3.xml", "/csite/deeper_index.xml"));
            case "deeper_index.xml":
                return Xml(Index("/csite/too_deep.xml"));
            case "too_deep.xml":
                return Xml(UrlSet("/csite/never.html"));
            case "sitemap1.xml":
                return Xml(UrlSet("/csite/docs/a.html", "/csite/orphan.html", "/csite/blog/post2.html"));
            case "sitemap3.xml":
                return Xml(UrlSet("/csite/deeporphan.html", "http://elsewhere.invalid/page.html"));
            case "sitemap2.xml.gz":
            {
                using var buffer = new MemoryStream();
                using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(Encoding.UTF8.GetBytes(UrlSet("/csite/orphan2.html").Replace("{base}", self)));
                }

                return Results.Bytes(buffer.ToArray(), "application/gzip");
            }

            case "laughs.xml":
                return Xml("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
                    + "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{base}/csite/orphan.html&lol2;</loc></url></urlset>");
        }

        if (path.StartsWith("pace/", StringComparison.Ordinal) || path.StartsWith("busy/", StringComparison.Ordinal))
        {
            return Text(Html("Paced " + path));
        }

        // Odd names (CON, encoded slashes, dot segments) are pages too; only missing* is not found.
        return path.StartsWith("missing", StringComparison.Ordinal)
            ? Results.Text("not found", "text/plain", Encoding.UTF8, 404)
            : Text(Html("Page " + path));
    }
}
