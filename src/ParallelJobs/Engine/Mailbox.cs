using System.Collections.Concurrent;
using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>
/// Where workers post what the pipeline thread must write. Only the pipeline thread takes from it.
/// The signal also wakes the pipeline thread when input space frees up.
/// </summary>
internal sealed class Mailbox : System.IDisposable
{
    private readonly ConcurrentQueue<object> _messages = new();
    private readonly ManualResetEventSlim _signal = new(false);

    public bool IsEmpty => _messages.IsEmpty;

    public void Post(object message)
    {
        _messages.Enqueue(message);

        // Most posts find the signal already set while the reader is busy; skip the interlocked write then.
        if (!_signal.IsSet)
        {
            _signal.Set();
        }
    }

    public void Wake() => _signal.Set();

    public bool TryTake(out object message) => _messages.TryDequeue(out message!);

    /// <summary>Arms the signal; call before checking the state you are about to wait on.</summary>
    public void Arm() => _signal.Reset();

    public void Wait(CancellationToken token, int millisecondsTimeout = Timeout.Infinite) =>
        _signal.Wait(millisecondsTimeout, token);

    public void Dispose() => _signal.Dispose();
}
