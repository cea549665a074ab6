using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using ParallelJobs.Engine;
using ParallelJobs.Scripting;

namespace ParallelJobs.Commands;

/// <summary>
/// Invoke-ParallelJob: runs a script block for each input item on a pool of worker runspaces and
/// writes the results in input order. This class binds parameters and drives the lifecycle; the work
/// happens in <see cref="ParallelRun"/> (scheduling, ordering) and <see cref="ScriptRunner"/> (runspaces).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ParallelJob")]
[OutputType(typeof(object))]
public sealed class InvokeParallelJobCommand : PSCmdlet, IDisposable
{
    private ParallelRun? _run;
    private ScriptRunnerFactory? _factory;
    private PipelineWriter? _writer;

    [Parameter(Position = 0)]
    public ScriptBlock? ScriptBlock { get; set; }

    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    [Parameter]
    public SwitchParameter Unordered { get; set; }

    [Parameter]
    [Alias("Args")]
    public object?[]? ArgumentList { get; set; }

    [Parameter]
    public object[]? Variable { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Function { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Module { get; set; }

    [Parameter]
    public ScriptBlock? InitializationScript { get; set; }

    [Parameter]
    public SwitchParameter UseNewRunspace { get; set; }

    [Parameter]
    [ValidateRange(1, BatchSizer.MaxSize)]
    public int BatchSize { get; set; }

    protected override void BeginProcessing()
    {
        ScriptConfig config = BuildConfig();
        var options = new RunOptions
        {
            ThrottleLimit = ThrottleLimit,
            Ordered = !Unordered,
            BatchSize = UseNewRunspace ? 1 : BatchSize,
            StopOnFirstError = EffectivePreference("ErrorAction", "ErrorActionPreference") == ActionPreference.Stop,
        };
        _factory = new ScriptRunnerFactory(config, ThrottleLimit);
        _run = new ParallelRun(options, _factory);
        _writer = new PipelineWriter(this);
    }

    protected override void ProcessRecord()
    {
        bool fromParameter = MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)) && !MyInvocation.ExpectingInput;
        if (!fromParameter && !MyInvocation.ExpectingInput)
        {
            return;
        }

        IEnumerable? many = fromParameter ? LanguagePrimitives.GetEnumerable(InputObject) : null;
        if (many is null)
        {
            Add(InputObject);
            return;
        }

        foreach (object? input in many)
        {
            Add(input);
        }
    }

    protected override void EndProcessing() => Guard(() => _run!.Complete(_writer!));

    protected override void StopProcessing() => _run?.Cancel();

    public void Dispose()
    {
        _run?.Dispose();
        _factory?.Dispose();
    }

    private void Add(object? input)
    {
        object? task = null;
        if (ScriptBlock is null)
        {
            task = TaskFromInput(input);
            if (task is null)
            {
                return;
            }
        }

        Guard(() => _run!.Add(input, task, _writer!));
    }

    /// <summary>Without -ScriptBlock every input is its own call, as joblib runs delayed(f)(x) objects.</summary>
    private ScriptTask? TaskFromInput(object? input)
    {
        object? value = input is PSObject pso ? pso.BaseObject : input;
        try
        {
            switch (value)
            {
                case null:
                    return null;
                case ScriptBlock script:
                    return ScriptTaskBuilder.Build(script, ReadCallerVariable, null);
                case ParallelCall call:
                    return ScriptTaskBuilder.Build(call.ScriptBlock, ReadCallerVariable, call.ArgumentList);
            }
        }
        catch (UsingScriptBlockException ex)
        {
            WriteError(new ErrorRecord(ex, "UsingScriptBlockNotSupported", ErrorCategory.InvalidArgument, input));
            return null;
        }

        WriteError(new ErrorRecord(
            new ArgumentException($"Without -ScriptBlock, each input must be a script block or a call made by New-ParallelCall, not a {value.GetType().Name}. Pass a script block to run for each item with -ScriptBlock."),
            "InputNotRunnable",
            ErrorCategory.InvalidArgument,
            input));
        return null;
    }

    private ScriptConfig BuildConfig()
    {
        var config = new ScriptConfig
        {
            UseNewRunspace = UseNewRunspace,
            InitializationScript = InitializationScript?.ToString(),
            Location = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            Modules = ResolveModules(),
        };

        if (ScriptBlock is not null)
        {
            try
            {
                config.DefaultTask = ScriptTaskBuilder.Build(ScriptBlock, ReadCallerVariable, ArgumentList);
            }
            catch (UsingScriptBlockException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "UsingScriptBlockNotSupported", ErrorCategory.InvalidArgument, ex.VariableName));
            }
        }

        foreach (string name in Function ?? Array.Empty<string>())
        {
            if (InvokeCommand.GetCommand(name, CommandTypes.Function) is not FunctionInfo function)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ItemNotFoundException($"The function '{name}' given to -Function was not found in the caller's session."),
                    "FunctionNotFound", ErrorCategory.ObjectNotFound, name));
                return config;
            }

            config.Functions[function.Name] = function.Definition;
        }

        foreach (object entry in Variable ?? Array.Empty<object>())
        {
            AddVariables(config.Variables, entry is PSObject pso ? pso.BaseObject : entry);
        }

        AddPreferences(config.Variables);
        return config;
    }

    private void AddVariables(IDictionary<string, object?> variables, object entry)
    {
        if (entry is IDictionary table)
        {
            foreach (DictionaryEntry pair in table)
            {
                variables[pair.Key.ToString()!] = pair.Value;
            }

            return;
        }

        string name = entry.ToString()!;
        PSVariable? variable = SessionState.PSVariable.Get(name);
        if (variable is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ItemNotFoundException($"The variable '{name}' given to -Variable was not found in the caller's session."),
                "VariableNotFound", ErrorCategory.ObjectNotFound, name));
        }

        variables[variable!.Name] = variable.Value;
    }

    /// <summary>Workers see the caller's stream preferences, so -Verbose and -WarningAction reach the items.</summary>
    private void AddPreferences(IDictionary<string, object?> variables)
    {
        variables["VerbosePreference"] = SwitchPreference("Verbose", "VerbosePreference");
        variables["DebugPreference"] = SwitchPreference("Debug", "DebugPreference");
        variables["WarningPreference"] = EffectivePreference("WarningAction", "WarningPreference");
        variables["InformationPreference"] = EffectivePreference("InformationAction", "InformationPreference");
        variables["ProgressPreference"] = EffectivePreference("ProgressAction", "ProgressPreference");

        // Errors are always collected in the worker and written here, where the caller's preference applies.
        variables["ErrorActionPreference"] = ActionPreference.Continue;
    }

    private ActionPreference SwitchPreference(string parameter, string variable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(parameter, out object? value))
        {
            return LanguagePrimitives.IsTrue(value) ? ActionPreference.Continue : ActionPreference.SilentlyContinue;
        }

        ActionPreference preference = ReadPreference(variable, ActionPreference.SilentlyContinue);
        return preference == ActionPreference.Inquire ? ActionPreference.Continue : preference;
    }

    private ActionPreference EffectivePreference(string parameter, string variable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(parameter, out object? value) && value is not null)
        {
            return LanguagePrimitives.ConvertTo<ActionPreference>(value);
        }

        return ReadPreference(variable, ActionPreference.Continue);
    }

    private ActionPreference ReadPreference(string variable, ActionPreference fallback)
    {
        object? value = SessionState.PSVariable.GetValue(variable);
        return value is null ? fallback : LanguagePrimitives.ConvertTo<ActionPreference>(value);
    }

    private IReadOnlyList<string> ResolveModules()
    {
        var modules = new List<string>();
        foreach (string module in Module ?? Array.Empty<string>())
        {
            bool looksLikePath = module.IndexOfAny(new[] { '/', '\\' }) >= 0 || module.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)
                || module.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase) || module.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
            if (!looksLikePath)
            {
                modules.Add(module);
                continue;
            }

            string path = GetUnresolvedProviderPathFromPSPath(module);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new FileNotFoundException($"The module '{module}' given to -Module was not found at '{path}'.", path),
                    "ModuleNotFound", ErrorCategory.ObjectNotFound, module));
            }

            modules.Add(path);
        }

        return modules;
    }

    private object? ReadCallerVariable(string name) => SessionState.PSVariable.GetValue(name);

    /// <summary>Turns a failure of the run itself into one terminating error.</summary>
    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (WorkerSetupException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.OpenError, null));
        }
    }
}
