using System;
using System.Threading;
using ParallelJobs.Operations.Crawl;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>
/// The crawler decodes character references with the framework's WebUtility.HtmlDecode (it no longer ships
/// HtmlAgilityPack): these are the cases HtmlAgilityPack's DeEntitize decoded the same way, and the astral
/// and malformed ones where it left "&amp;##" garbage and the framework decodes or keeps the text.
/// </summary>
public class HtmlEntityDecodingTests
{
    [Theory]
    [InlineData("Deep &amp; narrow", "Deep & narrow")]
    [InlineData("&lt;b&gt; &quot;q&quot; &apos;s", "<b> \"q\" 's")]
    [InlineData("caf&eacute; &Eacute;t&eacute; &copy;&nbsp;2024", "caf\u00e9 \u00c9t\u00e9 \u00a9\u00a02024")]
    [InlineData("&#65;&#x42;&#X43;", "ABC")]
    [InlineData("&hellip;&mdash;", "\u2026\u2014")]
    [InlineData("smile &#128512; &#x1F600;", "smile \U0001F600 \U0001F600")]
    [InlineData("no semicolon: &amp b &#65 &nbsp", "no semicolon: &amp b &#65 &nbsp")]
    [InlineData("unknown &bogus; &#; &#xZZ; &AMP;", "unknown &bogus; &#; &#xZZ; &AMP;")]
    public void DecodesTheTitle(string html, string expected)
    {
        (string? title, _, _) = HtmlLinkScanner.Scan($"<html><head><title>{html}</title></head></html>", CancellationToken.None);
        Assert.Equal(expected, title);
    }

    [Theory]
    [InlineData("three.html?a=1&amp;b=2", "http://h/dir/three.html?a=1&b=2")]
    [InlineData("q?x=&#49;&#x32;", "http://h/dir/q?x=12")]
    [InlineData("q?a=1&b=2", "http://h/dir/q?a=1&b=2")]
    [InlineData("q?a=1&amp", "http://h/dir/q?a=1&amp")]
    [InlineData("caf&eacute;.html", "http://h/dir/caf%C3%A9.html")]
    public void DecodesLinks(string href, string expected)
    {
        (_, string[] links) = CrawlOperation.ReadPage($"<a href=\"{href}\">x</a>", new Uri("http://h/dir/page.html"), CancellationToken.None);
        Assert.Equal(new[] { expected }, links);
    }

    [Fact]
    public void DecodesTheBaseHref()
    {
        (_, string? baseHref, _) = HtmlLinkScanner.Scan("<base href=\"http://h/a?x=1&amp;y=2\"><a href=b>b</a>", CancellationToken.None);
        Assert.Equal("http://h/a?x=1&y=2", baseHref);
    }
}
