// Endpoints for the web cmdlet's entity, pacing, download and pagination tests (WebEntities, WebPacing,
// WebDownload .Tests.ps1) and bench/Bench-Web.ps1. Kept apart from Program.cs so other tests' endpoints merge easily.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

static class WebFeatureEndpoints
{
    public static void MapWebFeatureEndpoints(this WebApplication app)
    {
        var clock = Stopwatch.StartNew();
        var hits = new ConcurrentDictionary<string, ConcurrentQueue<double>>(StringComparer.Ordinal);
        int inFlight = 0;
        int maxInFlight = 0;

        int Hit(string key)
        {
            var times = hits.GetOrAdd(key, _ => new ConcurrentQueue<double>());
            lock (times)
            {
                times.Enqueue(clock.Elapsed.TotalMilliseconds);
                return times.Count;
            }
        }

        IResult Json(object value, int status = 200) => Results.Text(JsonSerializer.Serialize(value), "application/json", Encoding.UTF8, status);

        // One API of an entity: answers after `ms` with the api, the id as routed and the raw request target (to see
        // the escaping). `fail` lists ids (comma-separated) that get a 404; the most in flight at once is kept.
        app.MapGet("/api/{api}/{id}", async (HttpContext ctx, string api, string id, int? ms, string? fail) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
            {
            }

            try
            {
                Hit("api:" + api);
                if (ms is > 0)
                {
                    await Task.Delay(ms.Value, ctx.RequestAborted);
                }
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }

            string raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
            if (fail is not null && fail.Split(',').Contains(id))
            {
                return Json(new { api, id, error = "no such entity" }, 404);
            }

            return Json(new { api, id, raw, items = new[] { api + "-" + id + "-1", api + "-" + id + "-2" } });
        });

        app.MapGet("/api-concurrency", (int? reset) =>
            Json(new { max = reset == 1 ? Interlocked.Exchange(ref maxInFlight, 0) : Volatile.Read(ref maxInFlight) }));

        // Counts requests per key with their arrival times (ms since start), for rates measured by the server.
        app.MapGet("/rate/{key}", (string key) => Json(new { key, n = Hit("rate:" + key) }));
        app.MapGet("/rate-hits/{key}", (string key) =>
        {
            double[] times = hits.TryGetValue("rate:" + key, out var queue) ? queue.ToArray() : Array.Empty<double>();
            return Json(new { key, count = times.Length, times });
        });

        // The first request of a key gets `code` (429) with Retry-After: `after` seconds; the rest answer 200.
        app.MapGet("/pause/{key}", (HttpContext ctx, string key, int after, int? code) =>
        {
            int n = Hit("rate:" + key);
            if (n == 1)
            {
                ctx.Response.Headers.RetryAfter = after.ToString(CultureInfo.InvariantCulture);
                return Results.Text("slow down", "text/plain", Encoding.UTF8, code ?? 429);
            }

            return Json(new { key, n });
        });

        // Paginated: page `n` of `of`, two items a page, Link rel="next" (after a rel="first") until the last page.
        // `other` sends the next page to that base URI instead; auth=1 echoes whether an Authorization header came.
        app.MapGet("/pages/{n:int}", (HttpContext ctx, int n, int of, string? other) =>
        {
            if (n < of)
            {
                string next = (other ?? string.Empty) + $"/pages/{n + 1}?of={of}";
                ctx.Response.Headers.Append("Link", $"</pages/1?of={of}>; rel=\"first\", <{next}>; rel=\"next\"");
            }

            bool auth = ctx.Request.Headers.ContainsKey("Authorization");
            return Json(new[] { new { page = n, value = n * 10 + 1, auth }, new { page = n, value = n * 10 + 2, auth } });
        });

        // A body with a Content-Disposition file name given by the test (hostile ones included).
        app.MapGet("/download", (HttpContext ctx, string name, int? star) =>
        {
            ctx.Response.Headers.ContentDisposition = star == 1
                ? "attachment; filename*=UTF-8''" + Uri.EscapeDataString(name)
                : "attachment; filename=\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            return Results.Text("body of " + name, "application/octet-stream");
        });

        // A body named by the URL's last segment; `kb` kilobytes of it, after `ms`.
        app.MapGet("/files/{**path}", async (HttpContext ctx, string path, int? kb, int? ms) =>
        {
            if (ms is > 0)
            {
                await Task.Delay(ms.Value, ctx.RequestAborted);
            }

            return Results.Bytes(kb is > 0 ? Enumerable.Repeat((byte)'x', kb.Value * 1024).ToArray() : Encoding.UTF8.GetBytes("file " + path), "application/octet-stream");
        });

        // Declares 100000 bytes, sends 100 and drops the connection: a cut-off download.
        app.MapGet("/cut/{name}", async (HttpContext ctx) =>
        {
            ctx.Response.ContentLength = 100000;
            ctx.Response.ContentType = "application/octet-stream";
            await ctx.Response.Body.WriteAsync(new byte[100]);
            await ctx.Response.Body.FlushAsync();
            await Task.Delay(100);
            ctx.Abort();
        });
    }
}
