using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

internal sealed class CallerScriptRunnerFactory : IRunnerFactory
{
    private readonly ScriptConfig _config;
    private readonly ScriptBlock? _original;

    public CallerScriptRunnerFactory(ScriptConfig config, ScriptBlock? original)
    {
        _config = config;
        _original = original;
    }

    public IItemRunner Create(int workerId, RunContext context) => new CallerScriptRunner(_config, _original, context.Dispatcher);
}
