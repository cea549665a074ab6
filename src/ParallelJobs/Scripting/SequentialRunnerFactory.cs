using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

internal sealed class SequentialRunnerFactory : IRunnerFactory
{
    private readonly ScriptConfig _config;
    private readonly ScriptBlock? _original;

    public SequentialRunnerFactory(ScriptConfig config, ScriptBlock? original)
    {
        _config = config;
        _original = original;
    }

    public IItemRunner Create(RunContext context) => new SequentialRunner(_config, _original, context);
}
