using System;
using System.IO;
using System.Management.Automation;
using ParallelJobs.Workers;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>
/// The batch file of a worker process, written as BatchCollector writes it and read back as the caller reads it:
/// every item keeps its objects, nulls, error and kinds, and a chunk cut short by a dying process is left out.
/// </summary>
public class CollectedEntryTests
{
    [Fact]
    public void EntriesComeBackWithTheirValuesNullsErrorsAndKindsAndACutChunkIsLeftOut()
    {
        using var file = new MemoryStream();
        var error = new ErrorRecord(new InvalidOperationException("second failed"), "Boom", ErrorCategory.InvalidOperation, 2);
        using (var writer = new BatchFile.Writer(file, BatchCollector.Depth))
        {
            writer.Append(TimeSpan.FromMilliseconds(3).Ticks, null, null, new object?[] { 1, null, "1;2;0;" });
            writer.Append(TimeSpan.FromMilliseconds(5).Ticks, "WO", error, new object?[] { new WarningRecord("careful"), 7 });
            writer.Append(0, null, null, Array.Empty<object?>());

            // A process killed while writing its fourth entry: a length with only part of its bytes.
            byte[] cut = BitConverter.GetBytes(500);
            file.Write(cut, 0, cut.Length);
            file.Write(new byte[] { (byte)'<', (byte)'S' }, 0, 2);
        }

        var entries = CollectedEntry.Split(BatchFile.Read(file));

        Assert.Equal(3, entries.Count);
        CollectedEntry first = entries[0];
        Assert.False(first.Unreadable);
        Assert.Equal(TimeSpan.FromMilliseconds(3), first.Duration);
        Assert.Null(first.Error);
        Assert.Equal(3, first.Count);
        Assert.Equal(1, Base(first.Value(0)));
        Assert.Null(first.Value(1));
        // Output that looks like a header is output.
        Assert.Equal("1;2;0;", Base(first.Value(2)));
        Assert.Equal('O', first.KindOf(2));

        CollectedEntry second = entries[1];
        Assert.Equal(2, second.Count);
        Assert.Equal('W', second.KindOf(0));
        Assert.Equal('O', second.KindOf(1));
        Assert.Equal(7, Base(second.Value(1)));
        Assert.Contains("second failed", second.Error?.ToString());

        Assert.Equal(0, entries[2].Count);
        Assert.Null(entries[2].Error);
    }

    [Fact]
    public void AnObjectThatIsNoHeaderEndsTheEntriesWithAnUnreadableOne()
    {
        var entries = CollectedEntry.Split(new object[] { CollectedEntry.Header(1, 1, null, null), 42, "not a header" });

        Assert.Equal(2, entries.Count);
        Assert.Equal(42, entries[0].Value(0));
        Assert.True(entries[1].Unreadable);
    }

    private static object? Base(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
