using System;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>
/// One operation instance serves every worker, so operations are written to be thread-safe
/// (a shared HttpClient, for one). Disposing the factory (the command does, at the end of the run)
/// disposes an operation that holds resources.
/// </summary>
internal sealed class OperationRunnerFactory : IRunnerFactory, IDisposable
{
    private readonly IItemOperation _operation;

    public OperationRunnerFactory(IItemOperation operation)
    {
        _operation = operation;
    }

    public IItemRunner Create(RunContext context) => new OperationRunner(_operation, context);

    public void Dispose() => (_operation as IDisposable)?.Dispose();
}
