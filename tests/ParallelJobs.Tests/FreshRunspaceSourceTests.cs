using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

public class FreshRunspaceSourceTests
{
    [Theory]
    [InlineData(2, 2, 0)] // every core busy with a worker: each worker opens its own
    [InlineData(10, 2, 0)]
    [InlineData(1, 2, 1)] // one idle core opens the next runspace while the item runs
    [InlineData(2, 8, 2)] // never more openers than workers
    [InlineData(3, 4, 1)]
    public void OpensAheadOnlyOnCoresTheWorkersLeaveIdle(int throttleLimit, int processors, int expected)
    {
        Assert.Equal(expected, FreshRunspaceSource.OpenersFor(throttleLimit, processors));
    }
}
