using System;

namespace ParallelJobs.Engine;

/// <summary>
/// joblib's batch_size='auto' for one worker: start at one item, double while a batch is quick,
/// halve when one is slow. Slow items therefore still spread one at a time. A worker whose every batch costs a
/// round trip (a worker process) grows below a longer time, so that the trip is shared by more items.
/// </summary>
internal sealed class BatchSizer
{
    internal static readonly TimeSpan GrowBelow = TimeSpan.FromMilliseconds(20);
    internal static readonly TimeSpan ShrinkAbove = TimeSpan.FromMilliseconds(100);
    internal const int MaxSize = 2048;

    private readonly bool _fixed;
    private readonly TimeSpan _growBelow;
    private readonly TimeSpan _shrinkAbove;

    public BatchSizer(int fixedSize = 0, TimeSpan growBelow = default)
    {
        _fixed = fixedSize > 0;
        Size = _fixed ? fixedSize : 1;
        _growBelow = growBelow > GrowBelow ? growBelow : GrowBelow;
        _shrinkAbove = TimeSpan.FromTicks(ShrinkAbove.Ticks * _growBelow.Ticks / GrowBelow.Ticks);
    }

    public int Size { get; private set; }

    public void Record(int count, TimeSpan elapsed)
    {
        if (_fixed || count == 0)
        {
            return;
        }

        if (elapsed < _growBelow && count >= Size)
        {
            Size = Math.Min(MaxSize, Size * 2);
        }
        else if (elapsed > _shrinkAbove)
        {
            Size = Math.Max(1, Size / 2);
        }
    }
}
