using System.Threading;
using ParallelJobs.Operations.Crawl;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>The readable text -IncludeContent puts on a crawled HTML page.</summary>
public class CrawlTextTests
{
    [Theory]
    [InlineData("<html><head><title>T</title><style>p{}</style></head><body><h1>Head</h1><p>One  <b>two</b>\n three</p></body></html>", "Head\nOne two three")]
    [InlineData("<p>a &amp; b &lt;c&gt; caf&eacute;</p>", "a & b <c> café")]
    [InlineData("x<script>var s = '<p>no</p>';</script>y<!-- <p>hidden</p> -->z", "xyz")]
    [InlineData("<ul><li>1</li><li>2</li></ul>line<br>break<br/>again", "1\n2\nline\nbreak\nagain")]
    [InlineData("<!DOCTYPE html><div>a</div>   <div>  b </div>", "a\nb")]
    [InlineData("no tags at all", "no tags at all")]
    [InlineData("<p>unclosed <script>for ever", "unclosed")]
    [InlineData("a < b and <3 <p>c", "a < b and <3\nc")]
    public void The_text_of_a_page_is_what_a_reader_sees(string html, string expected)
    {
        Assert.Equal(expected, HtmlText.Extract(html, CancellationToken.None));
    }
}
