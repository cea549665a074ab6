using System;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// On import, on a background thread: opens runspaces into the warm pool one at a time up to
/// <see cref="PooledRunspaces"/> (the default -ThrottleLimit), then runs a few trivial items through the real engine (two workers, both
/// batch paths, on pooled runspaces), which compiles its hot code. The first call then neither builds the
/// session state nor pays the JIT on every worker at once, and a call made meanwhile takes each runspace as
/// soon as it is ready.
/// </summary>
internal static class Prewarmer
{
    /// <summary>
    /// As many as a call with the default -ThrottleLimit uses, so that it starts at once; a session that
    /// never runs a job pays for no more. A call with a higher limit (the seed example's 10) opens the rest
    /// itself, on its workers in parallel, once the first runspace and the engine are compiled (tens of
    /// milliseconds). Idle, they hold about 1 MB each, and the pool closes them after its idle timeout.
    /// </summary>
    private const int PooledRunspaces = Commands.InvokeParallelJobCommand.DefaultScriptThrottleLimit;

    private const int WarmupWorkers = 2;

    private static Thread? _thread;
    private static volatile bool _callStarted;
    private static ParallelRun? _warmupRun;

    private static int _started;

    /// <summary>
    /// Once per process: the module is also imported into worker runspaces (a nested run with -Module),
    /// often by several at once, and each import must neither warm the pool again nor race the first.
    /// </summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        var thread = new Thread(Run) { IsBackground = true, Name = "ParallelJobs prewarm", Priority = ThreadPriority.BelowNormal };
        Volatile.Write(ref _thread, thread);
        thread.Start();
    }

    /// <summary>
    /// A real call has started: stop opening runspaces for the pool, and stop the warm-up run, which would
    /// hold two pooled runspaces while the call looks for them (stopped between trivial items, they go back
    /// to the pool). Its workers open what the pool lacks themselves, and opening more here too would only
    /// take the cores from them.
    /// </summary>
    public static void CallStarted()
    {
        _callStarted = true;
        try
        {
            Volatile.Read(ref _warmupRun)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The warm-up run ended meanwhile.
        }
    }

    /// <summary>Waits for the warm-up, so that clearing the pool really leaves it empty.</summary>
    public static void Wait() => Volatile.Read(ref _thread)?.Join(TimeSpan.FromSeconds(30));

    private static void Run()
    {
        try
        {
            var config = new ScriptConfig
            {
                DefaultTask = ScriptTaskBuilder.Build(ScriptBlock.Create("Start-Sleep -Milliseconds 0; [math]::Sqrt($_)"), NoCallerValues.Instance, null),
                Location = Environment.CurrentDirectory,
            };
            // Runspaces first, each into the pool as soon as it is open: a call that starts meanwhile takes
            // them, rather than opening all of its own while a warm-up run holds the first ones.
            for (int i = 0; i < PooledRunspaces && !_callStarted; i++)
            {
                WarmPool.Return(WorkerRunspace.Open(config));
            }

            if (_callStarted)
            {
                // The call compiles the engine itself; a warm-up run now would only take the cores from it.
                return;
            }

            var options = new RunOptions { ThrottleLimit = WarmupWorkers };
            using var factory = new ScriptRunnerFactory(config, options.ThrottleLimit, warmup: true);
            using var run = new ParallelRun(options, factory);
            Volatile.Write(ref _warmupRun, run);
            try
            {
                var writer = new DiscardingWriter();
                for (int i = 0; i < 8 && !_callStarted; i++)
                {
                    run.Add(i, null, writer);
                }

                run.InputEnded(writer);
            }
            finally
            {
                Volatile.Write(ref _warmupRun, null);
            }
        }
        catch (Exception)
        {
            // Only a head start: the first call opens what it needs anyway.
        }
    }

    private sealed class DiscardingWriter : IResultWriter
    {
        public void Write(ItemResult result)
        {
        }

        public void WriteLive(LiveRecord record)
        {
        }

        public void WritePart(LivePart part)
        {
        }
    }
}
