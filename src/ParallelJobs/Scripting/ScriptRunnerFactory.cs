using System;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>Makes script runners, and decides where their runspaces come from and go back to.</summary>
internal sealed class ScriptRunnerFactory : IRunnerFactory, IDisposable
{
    private readonly ScriptConfig _config;
    private readonly FreshRunspaceSource? _fresh;

    public ScriptRunnerFactory(ScriptConfig config, int throttleLimit, bool warmup = false)
    {
        _config = config;
        if (!warmup)
        {
            Prewarmer.CallStarted();
        }

        if (config.UseNewRunspace)
        {
            _fresh = new FreshRunspaceSource(config, throttleLimit);
        }
    }

    public IItemRunner Create(RunContext context) => new ScriptRunner(_config, Acquire, Release, context);

    public void Dispose() => _fresh?.Dispose();

    private WorkerRunspace Acquire(CancellationToken token) =>
        _fresh?.Take(token) ?? WarmPool.TryTake(_config.PoolKey) ?? WorkerRunspace.Open(_config);

    private void Release(WorkerRunspace runspace, bool reusable)
    {
        if (_fresh is not null)
        {
            _fresh.Discard(runspace);
            return;
        }

        if (!reusable)
        {
            runspace.Dispose();
            return;
        }

        try
        {
            runspace.Reset();
        }
        catch (Exception)
        {
            runspace.Dispose();
            return;
        }

        WarmPool.Return(runspace);
    }
}
