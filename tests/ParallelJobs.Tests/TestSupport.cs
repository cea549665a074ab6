using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>Bounded waits: a broken engine fails the test instead of hanging the run.</summary>
internal static class Bounded
{
    /// <summary>Generous: the machine is shared and slow, and this only guards against hangs.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    public static T Run<T>(Func<T> work, string what)
    {
        Task<T> task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(task.Wait(Hang), $"{what} did not finish within {Hang.TotalSeconds} s.");
        return task.Result;
    }

    public static void Run(Action work, string what) => Run(() => { work(); return 0; }, what);

    /// <summary>Starts blocking work on its own thread (Monitor waits must not sit on pool threads).</summary>
    public static Task<T> Start<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Waits for work that must end now that it has been released; fails instead of hanging.</summary>
    public static T Finish<T>(Task<T> task, string what)
    {
        Assert.True(task.Wait(Hang), $"{what} did not happen within {Hang.TotalSeconds} s.");
        return task.Result;
    }

    /// <summary>
    /// True when the work is still blocked after a short look. It proves nothing about speed: work that
    /// must stay blocked never finishes early, however slow the machine.
    /// </summary>
    public static bool StillBlocked(params Task[] tasks) => Task.WaitAny(tasks, 150) < 0;

    public static void Until(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Hang;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            Thread.Sleep(5);
        }
    }
}

/// <summary>Collects what a run hands to the pipeline thread.</summary>
internal sealed class CollectingWriter : IResultWriter
{
    public List<ItemResult> Results { get; } = new();

    public List<LiveRecord> Live { get; } = new();

    public int WriterThread { get; private set; } = -1;

    /// <summary>How the run ended, once it has.</summary>
    public RunOutcome? Outcome { get; set; }

    public bool WrittenFromOneThread { get; private set; } = true;

    public void Write(ItemResult result)
    {
        Track();
        Results.Add(result);
    }

    public void WriteLive(LiveRecord record)
    {
        Track();
        Live.Add(record);
    }

    /// <summary>Parts of items written before they ended (RunOptions.LiveOutput).</summary>
    public List<LivePart> Parts { get; } = new();

    public void WritePart(LivePart part)
    {
        Track();
        Parts.Add(part);
    }

    public long[] Indices => Results.Select(r => r.Index).ToArray();

    public ItemResult At(long index) => Results.Single(r => r.Index == index);

    private void Track()
    {
        int id = Environment.CurrentManagedThreadId;
        if (WriterThread == -1)
        {
            WriterThread = id;
        }
        else if (WriterThread != id)
        {
            WrittenFromOneThread = false;
        }
    }
}

/// <summary>
/// A runner in plain C#: each item runs <see cref="FakeRunnerFactory.Body"/>, which returns the item's output
/// or throws for a failure. It begins and ends attempts through the engine, as a real runner does.
/// </summary>
internal sealed class FakeRunnerFactory : IRunnerFactory
{
    private int _created;
    private int _started;

    public FakeRunnerFactory(Func<WorkItem, RunContext, CancellationToken, object?> body)
    {
        Body = body;
    }

    public Func<WorkItem, RunContext, CancellationToken, object?> Body { get; }

    /// <summary>Thrown by Create, to simulate a worker that cannot start.</summary>
    public Exception? CreateFails { get; set; }

    public int Created => Volatile.Read(ref _created);

    /// <summary>How many attempts were started, retries included.</summary>
    public int Started => Volatile.Read(ref _started);

    public IItemRunner Create(RunContext context)
    {
        Interlocked.Increment(ref _created);
        if (CreateFails is not null)
        {
            throw CreateFails;
        }

        return new Runner(this, context);
    }

    private sealed class Runner : IItemRunner
    {
        private readonly FakeRunnerFactory _factory;
        private readonly RunContext _context;

        public Runner(FakeRunnerFactory factory, RunContext context)
        {
            _factory = factory;
            _context = context;
        }

        public void Run(IReadOnlyList<WorkItem> batch)
        {
            CancellationToken token = _context.Token;
            for (int i = 0; i < batch.Count; i++)
            {
                if (_context.ShouldStop)
                {
                    _context.PutBackFrom(batch, i);
                    return;
                }

                WorkItem item = batch[i];
                Interlocked.Increment(ref _factory._started);
                ItemAttempt attempt = _context.Begin(item);
                try
                {
                    object? output = _factory.Body(item, _context, token);
                    attempt.SetOutput(output is null ? null : new ArrayList { output });
                    attempt.Finish();
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    attempt.Fail(new ErrorRecord(ex, "FakeFailed", ErrorCategory.NotSpecified, item.Input));
                }
            }
        }

        public void Stop()
        {
        }

        public void Dispose()
        {
        }
    }
}
