using System;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;

namespace ParallelJobs.Operations.Images;

/// <summary>The one ImageSharp configuration every Resize-Image call shares, so its buffer pool is reused from call to call.</summary>
internal static class ImageConfiguration
{
    /// <summary>
    /// Enough pooled memory for a few large photos in flight at once; larger or further buffers are
    /// allocated and freed per image, so an idle session does not hold on to hundreds of megabytes.
    /// </summary>
    private const int PoolMegabytes = 256;

    private static readonly Lazy<Configuration> _shared = new(Create);

    public static Configuration Shared => _shared.Value;

    private static Configuration Create()
    {
        Configuration configuration = Configuration.Default.Clone();

        // Images already run in parallel, one per worker: ImageSharp's own row parallelism on top of that
        // would only make the workers fight over the cores, and -ThrottleLimit would no longer bound CPU use.
        configuration.MaxDegreeOfParallelism = 1;
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { MaximumPoolSizeMegabytes = PoolMegabytes });
        return configuration;
    }
}
