using System;

namespace ParallelJobs.Engine;

/// <summary>
/// Holds results that finished early until every earlier index is in, then hands them out in order.
/// A ring keyed by index: the work queue keeps indices within a window of <see cref="Next"/>,
/// so the ring seldom grows.
/// </summary>
internal sealed class ReorderBuffer<T>
    where T : class
{
    private T?[] _ring;
    private long _next;

    public ReorderBuffer(int capacity = 64)
    {
        _ring = new T?[Math.Max(1, capacity)];
    }

    /// <summary>The index that must arrive before anything more can be taken.</summary>
    public long Next => _next;

    public int Count { get; private set; }

    public void Add(long index, T value)
    {
        if (index < _next)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} was already released.");
        }

        while (index - _next >= _ring.Length)
        {
            Grow();
        }

        long slot = index % _ring.Length;
        if (_ring[slot] is not null)
        {
            throw new InvalidOperationException($"Index {index} was added twice.");
        }

        _ring[slot] = value;
        Count++;
    }

    public bool TryTake(out T value)
    {
        long slot = _next % _ring.Length;
        T? head = _ring[slot];
        if (head is null)
        {
            value = null!;
            return false;
        }

        _ring[slot] = null;
        _next++;
        Count--;
        value = head;
        return true;
    }

    /// <summary>
    /// Takes the next result that is in, passing over indices that have not arrived: for a run that ended
    /// early, whose missing items will never come.
    /// </summary>
    public bool TryTakeAny(out T value)
    {
        while (Count > 0)
        {
            if (TryTake(out value))
            {
                return true;
            }

            _next++;
        }

        value = null!;
        return false;
    }

    private void Grow()
    {
        var bigger = new T?[_ring.Length * 2];
        for (long i = _next; i < _next + _ring.Length; i++)
        {
            T? value = _ring[i % _ring.Length];
            if (value is not null)
            {
                bigger[i % bigger.Length] = value;
            }
        }

        _ring = bigger;
    }
}
