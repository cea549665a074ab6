using System;
using System.Threading;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Resize-Image's -MaxMemoryMB: an admission limit on the pixel memory that the run's workers decode at
/// once. An image reserves its estimated cost before it is decoded and gives it back when it is done;
/// one that does not fit waits until enough is given back, so large images take turns instead of running
/// together. An image always fits when nothing else is reserved, so one that is alone within the budget
/// never waits for ever; one larger than the whole budget is refused by the caller before it asks.
/// </summary>
internal sealed class ImageMemoryBudget
{
    private readonly object _lock = new();
    private long _reserved;

    public ImageMemoryBudget(long bytes)
    {
        Bytes = bytes;
    }

    public long Bytes { get; }

    /// <summary>Waits (honouring <paramref name="token"/>) until <paramref name="cost"/> fits, and reserves it.</summary>
    public IDisposable Reserve(long cost, CancellationToken token)
    {
        lock (_lock)
        {
            while (_reserved > 0 && _reserved + cost > Bytes)
            {
                token.ThrowIfCancellationRequested();

                // Woken by a release; the short timeout keeps a timeout or Ctrl+C prompt without a registration.
                Monitor.Wait(_lock, 100);
            }

            token.ThrowIfCancellationRequested();
            _reserved += cost;
        }

        return new Reservation(this, cost);
    }

    private void Release(long cost)
    {
        lock (_lock)
        {
            _reserved -= cost;
            Monitor.PulseAll(_lock);
        }
    }

    private sealed class Reservation : IDisposable
    {
        private ImageMemoryBudget? _budget;
        private readonly long _cost;

        public Reservation(ImageMemoryBudget budget, long cost)
        {
            _budget = budget;
            _cost = cost;
        }

        public void Dispose()
        {
            Interlocked.Exchange(ref _budget, null)?.Release(_cost);
        }
    }
}
