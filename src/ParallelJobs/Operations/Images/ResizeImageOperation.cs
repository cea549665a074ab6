using System;
using System.Collections;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Resize-Image's operation as the command sees it: it hands everything to the <see cref="IImageResizer"/>
/// of ParallelJobs.Images.dll, which it asks <see cref="ImageSharpLoader"/> for when the first source
/// arrives, so that a call that resizes nothing (or a session that never calls Resize-Image) loads no ImageSharp.
/// </summary>
internal sealed class ResizeImageOperation : IItemOperation
{
    private readonly Lazy<IImageResizer> _resizer;

    public ResizeImageOperation(ImageResizeSettings settings)
    {
        _resizer = new Lazy<IImageResizer>(() => ImageSharpLoader.CreateResizer(settings), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc cref="IImageResizer.AddSource"/>
    public void AddSource(string path) => _resizer.Value.AddSource(path);

    public IList? Execute(WorkItem item, ItemContext context, CancellationToken token) => _resizer.Value.Execute(item, context, token);
}
