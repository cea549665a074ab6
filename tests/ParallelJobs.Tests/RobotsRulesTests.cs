using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ParallelJobs.Operations.Crawl;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>robots.txt as RFC 9309 reads it: groups, matching, encoding, limits, and what each fetch outcome means.</summary>
public class RobotsRulesTests
{
    private static bool Allows(string robots, string url) => RobotsRules.Parse(robots).Allows(new Uri(url));

    [Theory]
    [InlineData("User-agent: ParallelJobs\nDisallow: /x\n")]
    [InlineData("User-agent: PARALLELJOBS\nDisallow: /x\n")]
    [InlineData("user-agent: paralleljobs/1.2 (+https://example)\nDisallow: /x\n")]
    [InlineData("User-agent: *\nDisallow: /x\n")]
    public void MatchesTheGroupOfTheProductTokenCaseInsensitively(string robots) =>
        Assert.False(Allows(robots, "http://h/x"));

    [Theory]
    [InlineData("User-agent: Parallel\nDisallow: /x\n")]
    [InlineData("User-agent: ParallelJobsBot\nDisallow: /x\n")]
    [InlineData("User-agent: Jobs\nDisallow: /x\n")]
    public void DoesNotTakeAnotherTokenThatMerelyOverlapsForItsOwn(string robots) =>
        Assert.True(Allows(robots, "http://h/x"));

    [Fact]
    public void ItsOwnGroupReplacesTheStarGroupAndSeveralOfItsGroupsMerge()
    {
        const string robots = "User-agent: *\nDisallow: /\n\nUser-agent: ParallelJobs\nDisallow: /a\n\nUser-agent: paralleljobs\nDisallow: /b\n";
        Assert.True(Allows(robots, "http://h/c"));
        Assert.False(Allows(robots, "http://h/a"));
        Assert.False(Allows(robots, "http://h/b"));
    }

    [Fact]
    public void LongestMatchWinsAndAllowWinsATie()
    {
        const string robots = "User-agent: *\nDisallow: /shop\nAllow: /shop/open\nDisallow: /shop/open/closed\nAllow: /tie\nDisallow: /tie\n";
        Assert.False(Allows(robots, "http://h/shop/x"));
        Assert.True(Allows(robots, "http://h/shop/open/x"));
        Assert.False(Allows(robots, "http://h/shop/open/closed/x"));
        Assert.True(Allows(robots, "http://h/tie"));
    }

    [Theory]
    [InlineData("/*.pdf$", "http://h/a/b.pdf", false)]
    [InlineData("/*.pdf$", "http://h/a/b.pdf?x=1", true)]
    [InlineData("/*.pdf", "http://h/a/b.pdf?x=1", false)]
    [InlineData("/a*b*c", "http://h/a-b-c-d", false)]
    [InlineData("/a*b*c", "http://h/a-c-b", true)]
    [InlineData("/exact$", "http://h/exact", false)]
    [InlineData("/exact$", "http://h/exact/", true)]
    [InlineData("*", "http://h/anything", false)]
    [InlineData("/q?id=*&x", "http://h/q?id=5&x=1", false)]
    public void UnderstandsStarsAndTheEndAnchor(string pattern, string url, bool allowed) =>
        Assert.Equal(allowed, Allows("User-agent: *\nDisallow: " + pattern + "\n", url));

    [Fact]
    public void ManyStarsOnALongPathStayFast()
    {
        string pattern = "/" + string.Concat(System.Linq.Enumerable.Repeat("*a", 200)) + "b";
        string url = "http://h/" + new string('a', 20000);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(Allows("User-agent: *\nDisallow: " + pattern + "\n", url));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("/foo/bar/%62%61%7A", "http://h/foo/bar/baz")]
    [InlineData("/foo/bar/baz", "http://h/foo/bar/%62%61%7A")]
    [InlineData("/foo/bar/ツ", "http://h/foo/bar/%E3%83%84")]
    [InlineData("/foo/bar/%e3%83%84", "http://h/foo/bar/ツ")]
    [InlineData("/a%3cb", "http://h/a%3Cb")]
    [InlineData("/with space", "http://h/with%20space")]
    public void ComparesPathsPercentEncodedOnBothSides(string pattern, string url) =>
        Assert.False(Allows("User-agent: *\nDisallow: " + pattern + "\n", url));

    [Fact]
    public void KeepsAnEncodedSlashApartFromASlash()
    {
        Assert.True(Allows("User-agent: *\nDisallow: /a/b\n", "http://h/a%2Fb"));
        Assert.Equal("/a%2Fb/~x%3F", RobotsPath.Normalize("/a%2fb/%7Ex%3f"));
    }

    [Fact]
    public void AlwaysAllowsRobotsTxtItself() =>
        Assert.True(Allows("User-agent: *\nDisallow: /\n", "http://h/robots.txt"));

    [Fact]
    public void ReadsCrLfAndLoneCrLinesAndComments() =>
        Assert.False(Allows("User-agent: * # all\r\nAllow: /open\rDisallow: /x # no\r\n", "http://h/x"));

    [Fact]
    public void IgnoresRulesBeforeAnyUserAgentLine() =>
        Assert.True(Allows("Disallow: /\nUser-agent: *\nDisallow: /x\n", "http://h/y"));

    [Fact]
    public void ParsesTheFirst500KiBAndNotTheLineCutInHalf()
    {
        var text = new StringBuilder("User-agent: *\nDisallow: /early\n");
        while (text.Length < RobotsRules.MaxBytes - 100)
        {
            text.Append("# padding padding padding padding padding\n");
        }

        text.Append('#').Append('x', RobotsRules.MaxBytes - 20 - text.Length - 1).Append('\n');
        Assert.Equal(RobotsRules.MaxBytes - 20, text.Length);

        // This line crosses the limit: read in part it would be "Disallow: /", which disallows all.
        text.Append("Disallow: /").Append('p', 64).Append('\n');
        text.Append("Disallow: /late\n");
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        Assert.True(bytes.Length > RobotsRules.MaxBytes);

        RobotsRules rules = RobotsRules.Parse(bytes, bytes.Length);
        Assert.False(rules.Allows(new Uri("http://h/early")));
        Assert.True(rules.Allows(new Uri("http://h/late")));
        Assert.True(rules.Allows(new Uri("http://h/other")));
    }

    [Fact]
    public void SkipsAByteOrderMark()
    {
        byte[] bytes = Encoding.UTF8.GetPreamble();
        bytes = [.. bytes, .. Encoding.UTF8.GetBytes("User-agent: *\nDisallow: /x\n")];
        Assert.False(RobotsRules.Parse(bytes, bytes.Length).Allows(new Uri("http://h/x")));
    }

    [Theory]
    [InlineData(500, false)]
    [InlineData(503, false)]
    [InlineData(429, false)]
    [InlineData(404, true)]
    [InlineData(403, true)]
    [InlineData(401, true)]
    public void A5xxDisallowsAllAndA4xxAllowsAll(int status, bool allowed)
    {
        var cache = NewCache(_ => Task.FromResult(new HttpResponseMessage((HttpStatusCode)status)), out _);
        Assert.Equal(allowed, cache.For(new Uri("http://h/page"), CancellationToken.None, out string? notice).Allows(new Uri("http://h/page")));
        Assert.Equal(allowed, notice is null);
    }

    [Fact]
    public void AnUnreachableRobotsTxtDisallowsAllAndIsReportedOncePerOrigin()
    {
        var cache = NewCache(_ => throw new HttpRequestException("Connection refused"), out Counter calls);
        Assert.False(cache.For(new Uri("http://h/a"), CancellationToken.None, out string? first).Allows(new Uri("http://h/a")));
        Assert.False(cache.For(new Uri("http://h/b"), CancellationToken.None, out string? second).Allows(new Uri("http://h/b")));
        Assert.False(cache.For(new Uri("http://h:8081/b"), CancellationToken.None, out string? otherOrigin).Allows(new Uri("http://h:8081/b")));
        Assert.Contains("Connection refused", first);
        Assert.Contains("http://h", first);
        Assert.Null(second);
        Assert.Contains("http://h:8081", otherOrigin);
        Assert.Equal(2, calls.Value);
    }

    [Fact]
    public void ARobotsTxtThatDoesNotAnswerInTimeDisallowsAll()
    {
        var cache = NewCache(async request => { await Task.Delay(TimeSpan.FromSeconds(30)); return new HttpResponseMessage(HttpStatusCode.OK); }, out _, TimeSpan.FromMilliseconds(200));
        Assert.False(cache.For(new Uri("http://h/a"), CancellationToken.None, out string? notice).Allows(new Uri("http://h/a")));
        Assert.Contains("no answer within", notice);
    }

    [Fact]
    public void AsksAnUnreachableRobotsTxtAgainOnceItsTimeIsUp()
    {
        DateTime now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        int call = 0;
        var cache = NewCache(
            _ => Task.FromResult(Interlocked.Increment(ref call) == 1
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("User-agent: *\nDisallow: /x\n") }),
            out Counter calls, now: () => now);
        Assert.False(cache.For(new Uri("http://h/a"), CancellationToken.None, out _).Allows(new Uri("http://h/a")));
        now += TimeSpan.FromMinutes(1);
        Assert.False(cache.For(new Uri("http://h/a"), CancellationToken.None, out _).Allows(new Uri("http://h/a")));
        Assert.Equal(1, calls.Value);

        now += RobotsCache.DefaultUnreachableFor;
        Assert.True(cache.For(new Uri("http://h/a"), CancellationToken.None, out _).Allows(new Uri("http://h/a")));
        Assert.False(cache.For(new Uri("http://h/x"), CancellationToken.None, out _).Allows(new Uri("http://h/x")));
        Assert.Equal(2, calls.Value);
    }

    [Fact]
    public void FetchesOncePerOriginAndFollowsARedirect()
    {
        var cache = NewCache(
            request => Task.FromResult(request.RequestUri!.AbsolutePath == "/robots.txt"
                ? new HttpResponseMessage(HttpStatusCode.MovedPermanently) { Headers = { Location = new Uri("/real-robots.txt", UriKind.Relative) } }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("User-agent: *\nDisallow: /x\n") }),
            out Counter calls);
        Assert.False(cache.For(new Uri("http://h/x"), CancellationToken.None, out _).Allows(new Uri("http://h/x")));
        Assert.True(cache.For(new Uri("http://h/y"), CancellationToken.None, out _).Allows(new Uri("http://h/y")));
        Assert.Equal(2, calls.Value);
    }

    private static RobotsCache NewCache(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer, out Counter calls, TimeSpan? timeout = null, Func<DateTime>? now = null)
    {
        var counter = new Counter();
        calls = counter;
        var client = new HttpClient(new StubHandler(answer, counter));
        return new RobotsCache(client, CancellationToken.None, timeout ?? TimeSpan.FromSeconds(10), now: now);
    }

    private sealed class Counter
    {
        public int Value;
    }

    private sealed class StubHandler(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer, Counter calls) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls.Value);
            Task<HttpResponseMessage> task = Task.Run(() => answer(request));
            return await task.WaitAsync(cancellationToken);
        }
    }
}
