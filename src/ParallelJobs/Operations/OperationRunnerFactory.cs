using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>
/// One operation instance serves every worker, so operations are written to be thread-safe
/// (a shared HttpClient, for one). The command that made the operation disposes it.
/// </summary>
internal sealed class OperationRunnerFactory : IRunnerFactory
{
    private readonly IItemOperation _operation;

    public OperationRunnerFactory(IItemOperation operation)
    {
        _operation = operation;
    }

    public IItemRunner Create(int workerId, RunContext context) => new OperationRunner(_operation, context);
}
