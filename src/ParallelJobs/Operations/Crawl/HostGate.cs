using System;
using System.Collections.Concurrent;
using System.Threading;

namespace ParallelJobs.Operations.Crawl;

/// <summary>Limits how many pages of one origin are fetched at once (-MaxPerHost), across all workers.</summary>
internal sealed class HostGate
{
    private readonly int _perHost;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);

    public HostGate(int perHost)
    {
        _perHost = perHost;
    }

    /// <summary>Dedicated worker thread: waits for a free slot for the URI's origin; dispose the result to free it.</summary>
    public IDisposable Enter(Uri uri, CancellationToken token)
    {
        SemaphoreSlim gate = _gates.GetOrAdd(UrlNormalizer.Origin(uri), _ => new SemaphoreSlim(_perHost, _perHost));
        gate.Wait(token);
        return new Slot(gate);
    }

    private sealed class Slot : IDisposable
    {
        private SemaphoreSlim? _gate;

        public Slot(SemaphoreSlim gate)
        {
            _gate = gate;
        }

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
