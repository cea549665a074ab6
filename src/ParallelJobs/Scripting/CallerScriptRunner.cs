using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// -Sequential: runs items on the pipeline thread, in the caller's own runspace, one at a time, like
/// joblib's n_jobs=1. The caller's script block itself runs (when it has no $using:), so Pester mocks and
/// debugger breakpoints apply. Results still pass through the run, so retries, logs and ordering hold.
/// </summary>
internal sealed class CallerScriptRunner : IItemRunner
{
    private readonly ScriptConfig _config;
    private readonly ScriptBlock? _original;
    private readonly ScriptBlockCache _compiled = new();
    private readonly Dictionary<string, ScriptBlock> _functions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Action<object?> _onThrew;
    private ItemResult? _current;

    private readonly ParallelJobContext _job;

    public CallerScriptRunner(ScriptConfig config, ScriptBlock? original, Dispatcher dispatcher)
    {
        _config = config;
        _original = original;
        _job = new ParallelJobContext(dispatcher);
        _onThrew = error =>
        {
            if (_current is not null && (error is PSObject pso ? pso.BaseObject : error) is ErrorRecord record)
            {
                _current.Failure = record;
            }
        };
        foreach (KeyValuePair<string, string> function in config.Functions)
        {
            _functions[function.Key] = ScriptBlock.Create(function.Value);
        }
    }

    public void Run(IReadOnlyList<WorkItem> batch, IItemSink sink, CancellationToken token)
    {
        foreach (WorkItem item in batch)
        {
            if (token.IsCancellationRequested)
            {
                return;
            }

            ItemResult result = ItemResult.Begin(item);
            ScriptTask task = item.Task as ScriptTask ?? _config.DefaultTask!;
            bool useOriginal = item.Task is null && _original is not null && task.UsingNames.Length == 0 && !task.Reshaped;
            ScriptBlock script = useOriginal ? _original! : _compiled.Get(task.Text);
            var variables = new List<PSVariable> { new("_", item.Input), new(ScriptTaskBuilder.FailCallbackVariable, _onThrew), new("ParallelJob", _job) };
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

            _current = result;
            try
            {
                var output = script.InvokeWithContext(_functions, variables, task.Arguments);
                result.Output = output.Count == 0 ? null : output;
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (RuntimeException ex)
            {
                result.Failure = ex.ErrorRecord;
            }
            catch (Exception ex) when (FlowControl.Is(ex))
            {
                // An exit or break from a function the item called ends the item only, not the caller's script.
            }
            finally
            {
                _current = null;
            }

            result.End();

            sink.Complete(result);
        }
    }

    public void Dispose()
    {
    }
}
