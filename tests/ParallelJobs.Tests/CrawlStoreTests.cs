using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ParallelJobs.Operations.Crawl;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>Invoke-ParallelCrawl's -OutDirectory paths, Crawl-delay and Sitemap lines, and sitemap parsing.</summary>
public class CrawlStoreTests
{
    [Theory]
    [InlineData("http://h/", true, "h/index.html")]
    [InlineData("http://h/a/b/", true, "h/a/b/index.html")]
    [InlineData("http://h/a/page", true, "h/a/page.html")]
    [InlineData("http://h/a/data", false, "h/a/data")]
    [InlineData("http://h/a/img.png", false, "h/a/img.png")]
    [InlineData("http://h:8080/x.html", true, "h_8080/x.html")]
    [InlineData("http://h/NUL.txt", false, "h/_NUL.txt")]
    [InlineData("http://h/com1", true, "h/_com1.html")]
    [InlineData("http://h/a%2F..%2Fb.html", true, "h/a_.._b.html")]
    [InlineData("http://h/%2e%2e/x.html", true, "h/x.html")]
    [InlineData("http://h/a%5C..%5C..%5Cb", true, "h/a_.._.._b.html")]
    [InlineData("http://h/dots.../x", true, "h/dots___/x.html")]
    [InlineData("http://h/a%3Ab%3Fc%2Ad", true, "h/a_b_c_d.html")]
    [InlineData("http://h/%00x", true, "h/_x.html")]
    public void A_url_maps_to_a_safe_relative_path(string url, bool html, string expected)
    {
        Assert.Equal(expected, string.Join("/", PagePath.For(new Uri(url), html)));
    }

    [Fact]
    public void A_query_becomes_a_hash_before_the_extension()
    {
        List<string> one = PagePath.For(new Uri("http://h/search.php?q=a/../../b"), html: true);
        List<string> two = PagePath.For(new Uri("http://h/search.php?q=c"), html: true);
        Assert.Matches("^search_[0-9a-f]{16}\\.php$", one.Last());
        Assert.NotEqual(one.Last(), two.Last());
        Assert.Equal(2, one.Count);
    }

    [Fact]
    public void A_long_segment_is_cut_and_kept_unique()
    {
        string a = new string('a', 400), b = new string('a', 399) + "b";
        string first = PagePath.For(new Uri($"http://h/{a}.html"), true).Last();
        string second = PagePath.For(new Uri($"http://h/{b}.html"), true).Last();
        Assert.True(Encoding.UTF8.GetByteCount(first) <= 255);
        Assert.EndsWith(".html", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void No_segment_is_empty_or_a_dot_name()
    {
        foreach (string segment in new[] { "", ".", "..", "...", " ", ". .", "a." })
        {
            string safe = PagePath.Safe(segment);
            Assert.NotEqual(string.Empty, safe.Trim('.', ' '));
            Assert.False(safe.EndsWith(".", StringComparison.Ordinal) || safe.EndsWith(" ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_store_writes_whole_files_and_leaves_no_temporary_file()
    {
        string root = Path.Combine(Path.GetTempPath(), "pj-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new PageStore(root);
            using (PageStore.Pending pending = store.Begin(new Uri("http://h/a/b.html"), html: true))
            {
                pending.Stream.Write(new byte[] { 1, 2, 3 }, 0, 3);
                Assert.False(File.Exists(Path.Combine(root, "h", "a", "b.html")));
                Assert.Equal(Path.Combine(store.Root, "h", "a", "b.html"), pending.Commit());
            }

            using (PageStore.Pending failed = store.Begin(new Uri("http://h/a/b.html"), html: true))
            {
                failed.Stream.Write(new byte[] { 9 }, 0, 1);
            }

            Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(root, "h", "a", "b.html")));
            Assert.Single(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Crawl_delay_comes_from_the_group_that_applies_and_is_capped()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.5), RobotsRules.Parse("User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n").CrawlDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), RobotsRules.Parse("User-agent: *\nCrawl-delay: 9\n\nUser-agent: ParallelJobs\nCrawl-delay: 1\n").CrawlDelay);
        Assert.Equal(TimeSpan.Zero, RobotsRules.Parse("User-agent: OtherBot\nCrawl-delay: 9\n").CrawlDelay);
        Assert.Equal(TimeSpan.Zero, RobotsRules.Parse("User-agent: *\nCrawl-delay: soon\n").CrawlDelay);
        Assert.Equal(RobotsRules.MaxCrawlDelay, RobotsRules.Parse("User-agent: *\nCrawl-delay: 86400\n").CrawlDelay);

        // A Crawl-delay line ends the run of user-agent lines, as an Allow or Disallow line does.
        RobotsRules rules = RobotsRules.Parse("User-agent: *\nCrawl-delay: 3\nUser-agent: ParallelJobs\nDisallow: /p\n");
        Assert.Equal(TimeSpan.Zero, rules.CrawlDelay);
        Assert.False(rules.Allows(new Uri("http://h/p")));
    }

    [Fact]
    public void Sitemap_lines_are_kept_in_order_whatever_the_group()
    {
        RobotsRules rules = RobotsRules.Parse("Sitemap: https://h/one.xml\nUser-agent: OtherBot\nDisallow: /\nSitemap: https://h/two.xml.gz\n");
        Assert.Equal(new[] { "https://h/one.xml", "https://h/two.xml.gz" }, rules.Sitemaps);
        Assert.True(rules.Allows(new Uri("https://h/anything")));
    }

    [Fact]
    public void A_sitemap_with_a_dtd_is_refused_before_any_entity_is_expanded()
    {
        string xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
            + "<urlset><url><loc>http://h/&b;</loc></url></urlset>";
        (bool index, List<string> locs, string? problem) = SitemapReader.Parse(Encoding.UTF8.GetBytes(xml));
        Assert.False(index);
        Assert.Empty(locs);
        Assert.NotNull(problem);
    }

    [Fact]
    public void A_sitemap_and_an_index_give_their_locs()
    {
        (bool index, List<string> locs, string? problem) = SitemapReader.Parse(Encoding.UTF8.GetBytes(
            "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc> http://h/a </loc><lastmod>2026</lastmod></url><url><loc>http://h/b</loc></url></urlset>"));
        Assert.False(index);
        Assert.Equal(new[] { "http://h/a", "http://h/b" }, locs);
        Assert.Null(problem);

        (index, locs, _) = SitemapReader.Parse(Encoding.UTF8.GetBytes("<sitemapindex><sitemap><loc>http://h/s1.xml</loc></sitemap></sitemapindex>"));
        Assert.True(index);
        Assert.Equal(new[] { "http://h/s1.xml" }, locs);

        (_, locs, problem) = SitemapReader.Parse(Encoding.UTF8.GetBytes("<html><loc>http://h/x</loc></html>"));
        Assert.Empty(locs);
        Assert.NotNull(problem);
    }
}
