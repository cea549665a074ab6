using System.Threading;

namespace ParallelJobs.Engine;

/// <summary>What a runner needs from the run it works for.</summary>
internal sealed class RunContext
{
    public RunContext(RunOptions options, Dispatcher dispatcher, CancellationToken token, ItemWatchdog? watchdog, IItemSink? sink = null)
    {
        Sink = sink;
        Options = options;
        Dispatcher = dispatcher;
        Token = token;
        Watchdog = watchdog;
    }

    public RunOptions Options { get; }

    /// <summary>For putting back the items of a batch that a timeout cut short, and for refills.</summary>
    public Dispatcher Dispatcher { get; }

    /// <summary>Fires when the whole run stops (Ctrl+C, -TimeoutSeconds, an error with -ErrorAction Stop).</summary>
    public CancellationToken Token { get; }

    /// <summary>Null unless -ItemTimeoutSeconds was given.</summary>
    public ItemWatchdog? Watchdog { get; }

    /// <summary>
    /// The run itself, for records that belong to no item (a remote host that could not be reached),
    /// reported while a runner is being created, before it is handed a sink.
    /// </summary>
    public IItemSink? Sink { get; }
}
