using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>Item labels in errors and the progress bar.</summary>
public class ItemLabelTests
{
    [Fact]
    public void AHashtableShowsItsFirstKeys()
    {
        var ordered = new System.Collections.Specialized.OrderedDictionary { ["Name"] = "a", ["Id"] = 1, ["Size"] = 3, ["More"] = 4 };

        Assert.Equal("@{Name=a; Id=1; Size=3; …}", ItemLabel.For(ordered));
        Assert.Equal("@{Name=a}", ItemLabel.For(new Hashtable { ["Name"] = "a" }));
    }

    [Fact]
    public void AFileShowsItsName()
    {
        Assert.Equal("report.txt", ItemLabel.For(new FileInfo(Path.Combine(Path.GetTempPath(), "deep", "report.txt"))));
        Assert.Equal("report.txt", ItemLabel.For(PSObject.AsPSObject(new FileInfo("/x/report.txt"))));
    }

    [Fact]
    public void ALongStringKeepsItsStart()
    {
        string text = string.Join(" ", Enumerable.Range(1, 10000));

        string label = ItemLabel.For(text);

        Assert.Equal(ItemLabel.MaxLength, label.Length);
        Assert.StartsWith("1 2 3 4 5", label);
        Assert.EndsWith("…", label);
    }

    [Fact]
    public void ObjectsListsAndNullAreReadable()
    {
        var custom = new PSObject();
        custom.Properties.Add(new PSNoteProperty("Uri", "https://example.com/a"));
        custom.Properties.Add(new PSNoteProperty("Depth", 2));

        Assert.Equal("@{Uri=https://example.com…; Depth=2}", ItemLabel.For(custom));
        Assert.Equal("@(1, 2, 3, …)", ItemLabel.For(new object[] { 1, 2, 3, 4 }));
        Assert.Equal("$null", ItemLabel.For(null));
        Assert.Equal("1.5", ItemLabel.For(1.5));
        Assert.Equal("a b", ItemLabel.For("a\nb"));
    }
}
