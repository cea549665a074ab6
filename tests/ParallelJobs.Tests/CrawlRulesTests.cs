using System;
using ParallelJobs.Operations.Crawl;
using Xunit;

namespace ParallelJobs.Tests;

public class CrawlRulesTests
{
    [Theory]
    [InlineData("HTTP://Example.COM:80/a/./b/../c?x=1#frag", "http://example.com/a/c?x=1")]
    [InlineData("https://example.com:443", "https://example.com/")]
    [InlineData("http://example.com:8080/p", "http://example.com:8080/p")]
    public void NormalizesUrls(string input, string expected) =>
        Assert.Equal(expected, UrlNormalizer.Normalize(new Uri(input))!.AbsoluteUri);

    [Theory]
    [InlineData("b.html", "http://h/dir/b.html")]
    [InlineData("../up.html#x", "http://h/up.html")]
    [InlineData("//other/x", "http://other/x")]
    [InlineData("?q=1", "http://h/dir/page.html?q=1")]
    [InlineData("mailto:a@b", null)]
    [InlineData("javascript:void(0)", null)]
    [InlineData("   ", null)]
    public void ResolvesLinksAgainstThePage(string href, string? expected) =>
        Assert.Equal(expected, UrlNormalizer.Resolve(new Uri("http://h/dir/page.html"), href)?.AbsoluteUri);

    [Theory]
    [InlineData("example.com", "http://example.com/")]
    [InlineData("localhost:8080/x", "http://localhost:8080/x")]
    [InlineData("ftp://example.com/", null)]
    [InlineData("", null)]
    public void ParsesStartUris(string text, string? expected) =>
        Assert.Equal(expected, UrlNormalizer.ParseStart(text)?.AbsoluteUri);

    [Fact]
    public void RobotsUsesTheStarGroupWhenNoGroupNamesTheCrawler()
    {
        var rules = RobotsRules.Parse("User-agent: OtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nAllow: /private/open\n");
        Assert.True(rules.Allows(new Uri("http://h/public")));
        Assert.False(rules.Allows(new Uri("http://h/private/x")));
        Assert.True(rules.Allows(new Uri("http://h/private/open/y")));
        Assert.True(rules.Allows(new Uri("http://h/robots.txt")));
    }

    [Fact]
    public void RobotsPrefersTheGroupThatNamesTheCrawler()
    {
        var rules = RobotsRules.Parse("User-agent: *\nDisallow: /\n\n# ours\nUser-agent: ParallelJobs\nUser-agent: x\nDisallow: /no\n");
        Assert.True(rules.Allows(new Uri("http://h/yes")));
        Assert.False(rules.Allows(new Uri("http://h/no/x")));
    }

    [Fact]
    public void RobotsUnderstandsWildcardsAndEndAnchors()
    {
        var rules = RobotsRules.Parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /tmp*/x\n");
        Assert.False(rules.Allows(new Uri("http://h/docs/a.pdf")));
        Assert.True(rules.Allows(new Uri("http://h/docs/a.pdf?download=1")));
        Assert.False(rules.Allows(new Uri("http://h/tmp123/x")));
        Assert.True(rules.Allows(new Uri("http://h/tm/x")));
    }

    [Fact]
    public void EmptyDisallowAllowsEverything()
    {
        var rules = RobotsRules.Parse("User-agent: *\nDisallow:\n");
        Assert.True(rules.Allows(new Uri("http://h/anything")));
        Assert.Equal(0, rules.Count);
    }

    [Theory]
    [InlineData("http://h/x", true)]
    [InlineData("http://H:80/y", true)]
    [InlineData("http://h:8081/x", false)]
    [InlineData("https://h/x", false)]
    [InlineData("http://other/x", false)]
    public void ScopeIsTheStartPagesOrigin(string url, bool inScope)
    {
        var scope = new CrawlScope(null);
        scope.AddStart(new Uri("http://h/"));
        Assert.Equal(inScope, scope.Allows(new Uri(url)));
        Assert.Equal(!inScope && new Uri(url).Host == "h", scope.IsOtherOriginOfStartHost(new Uri(url)));
    }

    [Theory]
    [InlineData("h", "https://h/x", true)]
    [InlineData("h", "http://h:8081/x", false)]
    [InlineData("h:8081", "http://h:8081/x", true)]
    [InlineData("h:8081", "https://h:8081/x", true)]
    [InlineData("h:8081", "http://h:8082/x", false)]
    [InlineData("h:*", "http://h:9000/x", true)]
    [InlineData("h:*", "https://h/x", true)]
    [InlineData("https://h:8443", "https://h:8443/x", true)]
    [InlineData("https://h:8443", "http://h:8443/x", false)]
    [InlineData("*.example.com", "https://a.example.com/x", true)]
    [InlineData("*.example.com", "https://a.example.com:8443/x", false)]
    [InlineData("www.example.com", "http://www.example.com/", true)]
    public void AllowHostWidensTheScopeByHostPortOrOrigin(string allow, string url, bool inScope)
    {
        var scope = new CrawlScope(new[] { allow });
        scope.AddStart(new Uri("http://h/"));
        Assert.Equal(inScope, scope.Allows(new Uri(url)));
    }
}
