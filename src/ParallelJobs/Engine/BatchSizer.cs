using System;

namespace ParallelJobs.Engine;

/// <summary>
/// joblib's batch_size='auto' for one worker: start at one item, double while a batch is quick,
/// halve when one is slow. Slow items therefore still spread one at a time.
/// </summary>
internal sealed class BatchSizer
{
    internal static readonly TimeSpan GrowBelow = TimeSpan.FromMilliseconds(20);
    internal static readonly TimeSpan ShrinkAbove = TimeSpan.FromMilliseconds(100);
    internal const int MaxSize = 2048;

    private readonly bool _fixed;

    public BatchSizer(int fixedSize = 0)
    {
        _fixed = fixedSize > 0;
        Size = _fixed ? fixedSize : 1;
    }

    public int Size { get; private set; }

    public void Record(int count, TimeSpan elapsed)
    {
        if (_fixed || count == 0)
        {
            return;
        }

        if (elapsed < GrowBelow && count >= Size)
        {
            Size = Math.Min(MaxSize, Size * 2);
        }
        else if (elapsed > ShrinkAbove)
        {
            Size = Math.Max(1, Size / 2);
        }
    }
}
