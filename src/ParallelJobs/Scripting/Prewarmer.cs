using System;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// On import, on a background thread: runs a few trivial items through the real engine (two workers,
/// both batch paths), which compiles its hot code and leaves two runspaces in the warm pool. The first
/// call then neither builds the session state nor pays the JIT on every worker at once.
/// </summary>
internal static class Prewarmer
{
    private static Thread? _thread;

    public static void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "ParallelJobs prewarm", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>Waits for the warm-up, so that clearing the pool really leaves it empty.</summary>
    public static void Wait() => _thread?.Join(TimeSpan.FromSeconds(30));

    private static void Run()
    {
        try
        {
            var config = new ScriptConfig
            {
                DefaultTask = ScriptTaskBuilder.Build(ScriptBlock.Create("Start-Sleep -Milliseconds 0; [math]::Sqrt($_)"), _ => null, null),
            };
            var options = new RunOptions { ThrottleLimit = 4 };
            using var factory = new ScriptRunnerFactory(config, options.ThrottleLimit);
            using var run = new ParallelRun(options, factory);
            var writer = new DiscardingWriter();
            for (int i = 0; i < 8; i++)
            {
                run.Add(i, null, writer);
            }

            run.Complete(writer);
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
    }
}
