// The test server for Invoke-ParallelWebRequest and Invoke-ParallelCrawl: binds 127.0.0.1 on a free port,
// prints "LISTENING <url>", and stops when its parent process exits, on Ctrl+C, or after --lifetime seconds.
// Every handler is async, so 50 concurrent /delay/50 requests are served at once, not queued.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

int parentPid = 0;
int lifetimeSeconds = 1800;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--parent-pid": parentPid = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--lifetime": lifetimeSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
    }
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
var app = builder.Build();

var clock = Stopwatch.StartNew();
var hits = new ConcurrentDictionary<string, ConcurrentQueue<double>>(StringComparer.Ordinal);
var siteHits = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

int Hit(string key)
{
    var times = hits.GetOrAdd(key, _ => new ConcurrentQueue<double>());
    lock (times)
    {
        times.Enqueue(clock.Elapsed.TotalMilliseconds);
        return times.Count;
    }
}

// Requests in flight on /delay and /slowsite, and the most seen at once since the last reset.
int inFlight = 0;
int maxInFlight = 0;
async Task Tracked(int ms, CancellationToken token)
{
    int now = Interlocked.Increment(ref inFlight);
    int seen;
    while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
    {
    }

    try
    {
        await Task.Delay(ms, token);
    }
    finally
    {
        Interlocked.Decrement(ref inFlight);
    }
}

IResult Json(object value, int status = 200) => Results.Text(JsonSerializer.Serialize(value), "application/json", Encoding.UTF8, status);

// Fixed delays, for the benchmark and for timeouts before any header is sent.
app.MapGet("/delay/{ms:int}", async (int ms, HttpContext ctx) =>
{
    await Tracked(ms, ctx.RequestAborted);
    return Json(new { delay = ms });
});

app.MapGet("/concurrency", (int? reset) =>
{
    int max = reset == 1 ? Interlocked.Exchange(ref maxInFlight, 0) : Volatile.Read(ref maxInFlight);
    return Json(new { max });
});

// Headers at once, then the body a piece at a time: a slow response.
app.MapGet("/slow", async (HttpContext ctx, int ms) =>
{
    ctx.Response.ContentType = "text/plain";
    await ctx.Response.WriteAsync("start ", ctx.RequestAborted);
    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    await Task.Delay(ms, ctx.RequestAborted);
    await ctx.Response.WriteAsync("end", ctx.RequestAborted);
});

app.Map("/status/{code:int}", (int code) => Results.Text($"status {code}", "text/plain", Encoding.UTF8, code));

// Fails the first `fails` requests for a key with `code` (429 by default) and a Retry-After of `after`
// seconds (as delta seconds, or as an HTTP date with date=1), then answers 200.
app.MapGet("/retry/{key}", (HttpContext ctx, string key, int fails, int? after, int? code, int? date) =>
{
    int n = Hit(key);
    if (n <= fails)
    {
        if (after is { } seconds)
        {
            ctx.Response.Headers.RetryAfter = date == 1
                ? DateTimeOffset.UtcNow.AddSeconds(seconds).ToString("r", CultureInfo.InvariantCulture)
                : seconds.ToString(CultureInfo.InvariantCulture);
        }

        return Results.Text($"attempt {n} refused", "text/plain", Encoding.UTF8, code ?? 429);
    }

    return Json(new { key, attempt = n });
});

// How many requests a key has had, and when (milliseconds since the server started).
app.MapGet("/hits/{key}", (string key) =>
{
    double[] times = hits.TryGetValue(key, out var queue) ? queue.ToArray() : Array.Empty<double>();
    return Json(new { key, count = times.Length, times });
});

app.MapGet("/json/object", () => Results.Text(
    "{\"name\":\"alpha\",\"count\":3,\"big\":12345678901234,\"ratio\":0.5,\"ok\":true,\"none\":null,"
    + "\"items\":[1,2,3],\"nested\":{\"text\":\"caf\\u00e9 \\\"quoted\\\"\",\"empty\":[]}}",
    "application/json; charset=utf-8"));
app.MapGet("/json/array", () => Results.Text("[{\"id\":1},{\"id\":2},{\"id\":3}]", "application/json"));
app.MapGet("/json/invalid", () => Results.Text("{\"name\": \"alpha\", \"items\": [1, 2,", "application/json"));
app.MapGet("/json/problem", () => Results.Text("{\"title\":\"vendor\"}", "application/problem+json"));
app.MapGet("/json/as-text", () => Results.Text("{\"hidden\":42}", "text/plain"));
app.MapGet("/text", () => Results.Text("hello", "text/plain"));
app.MapGet("/bytes", () => Results.Bytes(new byte[] { 0, 1, 2, 3, 255 }, "application/octet-stream"));

// Tells the request back: method, body, content type and headers.
app.Map("/echo", async (HttpContext ctx) =>
{
    using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
    string body = await reader.ReadToEndAsync();
    var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
    return Json(new { method = ctx.Request.Method, body, contentType = ctx.Request.ContentType, headers, query = ctx.Request.QueryString.Value });
});

// A small site to crawl: a cycle, an off-host link, a redirect, a broken link and a robots.txt rule.
string Page(string title, params string[] links) =>
    $"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
    + string.Concat(links.Select(l => $"<p><a href=\"{l}\">{l}</a></p>")) + "</body></html>";

app.MapGet("/robots.txt", (HttpContext ctx) =>
{
    siteHits.AddOrUpdate(ctx.Request.Host.Value + "/robots.txt", 1, (_, n) => n + 1);
    return Results.Text("# test rules\nUser-agent: SomeOtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /site/private/\nAllow: /site/\n", "text/plain");
});

async Task<IResult> SitePage(HttpContext ctx, string site, string? path)
{
    string host = ctx.Request.Host.Value!;
    siteHits.AddOrUpdate(host + "/" + site + "/" + path, 1, (_, n) => n + 1);
    if (site == "slowsite")
    {
        await Tracked(100, ctx.RequestAborted);
    }

    string self = $"{ctx.Request.Scheme}://{host}";
    int port = ctx.Connection.LocalPort;
    string? html = path switch
    {
        "" or "index.html" => Page("Home", "a.html", "/site/b.html", "a.html#top", $"http://localhost:{port}/site/index.html",
            "http://offsite.invalid/page.html", "/site/private/secret.html", "mailto:someone@example.invalid", "javascript:void(0)", "moved.html"),
        "a.html" => Page("Page A", "b.html", "index.html", "c.html", "missing.html"),
        "b.html" => Page("Page B", $"HTTP://{host.ToUpperInvariant()}/site/a.html", $"{self}/site/deep/../c.html", "deep/d.html"),
        "c.html" => Page("Page C", "deep/e.html"),
        "deep/d.html" => Page("Page D", "../index.html"),
        "deep/e.html" => Page("Page E", "d.html"),
        "private/secret.html" => Page("Secret"),
        "moved.html" => null,
        _ => null,
    };

    if (path == "moved.html")
    {
        return Results.Redirect($"/{site}/c.html", permanent: true);
    }

    return html is null ? Results.Text("not found", "text/plain", Encoding.UTF8, 404) : Results.Text(html, "text/html; charset=utf-8");
}

app.MapGet("/site/{**path}", (HttpContext ctx, string? path) => SitePage(ctx, "site", path));

// The same site with every page 100 ms slow, for per-host limits.
app.MapGet("/slowsite/{**path}", (HttpContext ctx, string? path) => SitePage(ctx, "slowsite", path));


// The sites of the crawl content, filter, sitemap and pacing tests: TestServer/CrawlSites.cs.
app.MapCrawlSites();

// How often each page was fetched, keyed by host and path.
app.MapGet("/sitehits", () => Json(siteHits.ToDictionary(p => p.Key, p => p.Value)));

// The entity, pacing, download and pagination endpoints (WebFeatureEndpoints.cs).
app.MapWebFeatureEndpoints();

await app.StartAsync();
string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"LISTENING {address}");
Console.Out.Flush();

// Bounded: exit with the parent, or after the lifetime, whichever comes first.
var deadline = DateTime.UtcNow.AddSeconds(lifetimeSeconds);
while (DateTime.UtcNow < deadline)
{
    await Task.Delay(1000);
    if (parentPid > 0)
    {
        try
        {
            if (Process.GetProcessById(parentPid).HasExited)
            {
                break;
            }
        }
        catch (ArgumentException)
        {
            break;
        }
    }
}

await app.StopAsync();
