using System;
using System.Collections.Generic;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// -Sequential: runs items on the pipeline thread, in the caller's own runspace, one at a time, like
/// joblib's n_jobs=1. The caller's script block itself runs (when it has no $using:), so Pester mocks and
/// debugger breakpoints apply. Results still pass through the run, so retries, logs and ordering hold.
/// </summary>
internal sealed class SequentialRunner : IItemRunner
{
    private readonly ScriptConfig _config;
    private readonly ScriptBlock? _original;
    private readonly RunContext _context;
    private readonly ScriptBlockCache _compiled = new();
    private readonly Dictionary<string, ScriptBlock> _functions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Action<object?> _onThrew;
    private ItemAttempt? _current;
    private ErrorRecord? _thrown;

    public SequentialRunner(ScriptConfig config, ScriptBlock? original, RunContext context)
    {
        _config = config;
        _original = original;
        _context = context;
        _onThrew = error =>
        {
            if (_current is not null && (error is PSObject pso ? pso.BaseObject : error) is ErrorRecord record)
            {
                _thrown = record;
            }
        };
        foreach (KeyValuePair<string, string> function in config.Functions)
        {
            _functions[function.Key] = ScriptBlock.Create(function.Value);
        }
    }

    public void Run(IReadOnlyList<WorkItem> batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            if (_context.ShouldStop)
            {
                _context.PutBackFrom(batch, i);
                return;
            }

            WorkItem item = batch[i];
            ItemAttempt attempt = _context.Begin(item);
            ScriptTask task = item.Task as ScriptTask ?? _config.DefaultTask!;
            bool useOriginal = item.Task is null && _original is not null && task.UsingNames.Length == 0;
            ScriptBlock script = useOriginal ? _original! : _compiled.Get(task.Text);
            var variables = new List<PSVariable> { new("_", item.Input), new(ScriptTaskBuilder.FailCallbackVariable, _onThrew), new("ParallelJob", _context.Job) };
            foreach (KeyValuePair<string, object?> variable in _config.Variables)
            {
                if (!variable.Key.EndsWith("Preference", StringComparison.OrdinalIgnoreCase))
                {
                    variables.Add(new PSVariable(variable.Key, variable.Value));
                }
            }

            foreach (KeyValuePair<string, object?> preference in _config.CallerPreferences)
            {
                variables.Add(new PSVariable(preference.Key, preference.Value));
            }

            for (int u = 0; u < task.UsingNames.Length; u++)
            {
                variables.Add(new PSVariable(task.UsingNames[u], task.UsingValues[u]));
            }

            _current = attempt;
            _thrown = null;
            ErrorRecord? failure = null;
            try
            {
                attempt.SetOutput(script.InvokeWithContext(_functions, variables, task.Arguments));
            }
            catch (PipelineStoppedException)
            {
                // The caller's pipeline is stopping: this item ends with it.
                attempt.PutBack();
                throw;
            }
            catch (RuntimeException ex)
            {
                failure = ex.ErrorRecord;
            }
            finally
            {
                _current = null;
            }

            failure ??= _thrown;
            if (failure is null)
            {
                attempt.Finish();
            }
            else
            {
                attempt.Fail(failure);
            }
        }
    }

    public void Stop()
    {
        // The caller's own pipeline is stopped by PowerShell itself.
    }

    public void Dispose()
    {
    }
}
