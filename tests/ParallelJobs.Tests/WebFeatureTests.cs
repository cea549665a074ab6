using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ParallelJobs.Engine;
using ParallelJobs.Operations.Web;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>The web cmdlet's pure parts (download names, Link headers) and the engine's start pacing (-RatePerSecond).</summary>
public class WebFeatureTests
{
    [Theory]
    [InlineData("../../x.txt", "x.txt")]
    [InlineData("..\\..\\x.txt", "x.txt")]
    [InlineData("/etc/passwd", "passwd")]
    [InlineData("C:\\Windows\\a.dll", "a.dll")]
    [InlineData("..", "download")]
    [InlineData("", "download")]
    [InlineData("  ", "download")]
    [InlineData(".bashrc", "bashrc")]
    [InlineData("CON", "_CON")]
    [InlineData("com1.txt", "_com1.txt")]
    [InlineData("LPT9.log.gz", "_LPT9.log.gz")]
    [InlineData("console.txt", "console.txt")]
    [InlineData("a:b*c?.txt", "a_b_c_.txt")]
    [InlineData("end. ", "end")]
    [InlineData("nul\u0000byte", "nul_byte")]
    public void DownloadNamesStayOneSafeFileName(string given, string expected)
    {
        Assert.Equal(expected, WebDownload.SafeName(given));
    }

    [Fact]
    public void LongDownloadNamesAreCutKeepingTheExtension()
    {
        string name = WebDownload.SafeName(new string('a', 500) + ".pdf");
        Assert.Equal(200, name.Length);
        Assert.EndsWith(".pdf", name);
    }

    [Theory]
    [InlineData("<https://api/items?page=2>; rel=\"next\"", "https://api/items?page=2")]
    [InlineData("</items?page=1>; rel=\"first\", </items?page=3>; rel=\"next\"", "https://api.example/items?page=3")]
    [InlineData("<page2>; rel=next", "https://api.example/v1/page2")]
    [InlineData("<https://api/p9>; rel=\"last NEXT\"", "https://api/p9")]
    [InlineData("<https://api/p9>; title=\"x\"; rel=\"next\"", "https://api/p9")]
    [InlineData("<https://api/p9>; rel=\"prev\"", null)]
    [InlineData("<ftp://api/p9>; rel=\"next\"", null)]
    public void RelLinkFindsTheNextPage(string header, string? expected)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Link"] = header };
        Uri? next = RelLink.Next(headers, new Uri("https://api.example/v1/page1"));
        Assert.Equal(expected, next?.AbsoluteUri);
    }

    [Fact]
    public void StartPacerSpacesEveryStartOfARunAcrossWorkers()
    {
        var starts = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var options = new RunOptions { ThrottleLimit = 4, BatchSize = 3, StartPacer = new RatePacer(20) };
        var factory = new FakeRunnerFactory((item, _, _) =>
        {
            starts.Add(clock.Elapsed.TotalMilliseconds);
            return item.Input;
        });
        using var run = new ParallelRun(options, factory);
        var writer = new CollectingWriter();
        Bounded.Run(() =>
        {
            for (int i = 0; i < 12; i++)
            {
                run.Add(i, null, writer);
            }

            run.InputEnded(writer);
        }, "the paced run");

        double[] sorted = starts.OrderBy(t => t).ToArray();
        Assert.Equal(12, sorted.Length);
        // 11 gaps of 50 ms; unpaced, twelve empty items take well under a millisecond each.
        Assert.True(sorted[^1] - sorted[0] >= 500, $"the starts spanned only {sorted[^1] - sorted[0]:0} ms");
    }
}
