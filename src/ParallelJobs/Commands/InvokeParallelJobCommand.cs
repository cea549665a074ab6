using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;
using System.Text;
using ParallelJobs.Engine;
using ParallelJobs.Remote;
using ParallelJobs.Scripting;
using ParallelJobs.Workers;

namespace ParallelJobs.Commands;

/// <summary>
/// Invoke-ParallelJob: runs a script block for each input item on a pool of worker runspaces and writes
/// the results in input order. This class binds the script-specific parameters; the shared ones and the
/// lifecycle are in <see cref="ParallelCommandBase"/>, the work in <see cref="ParallelRun"/> and
/// <see cref="ScriptRunner"/>.
/// One parameter set on purpose: PowerShell binds every piped item against each parameter set, and with
/// the local and three remote sets that binding alone cost more per item than a whole sequential
/// ForEach-Object. The remote parameters' exclusions are checked once, in BeginProcessing, and the help
/// still shows the four forms (module/help/Invoke-ParallelJob.psd1).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ParallelJob")]
[OutputType(typeof(object), typeof(ParallelJobResult), typeof(Job))]
public sealed class InvokeParallelJobCommand : ParallelCommandBase
{
    /// <summary>Slots per host when -ThrottleLimit is not given: the caller's core count says nothing about the hosts.</summary>
    private const int DefaultSlotsPerHost = 4;

    /// <summary>
    /// Local runspaces when -ThrottleLimit is not given: ForEach-Object -Parallel's 5. Most script blocks wait
    /// on I/O (web calls, remote commands, files), where the core count would hold them back.
    /// </summary>
    internal const int DefaultScriptThrottleLimit = 5;

    private ScriptConfig? _config;
    private ParallelBackgroundJob? _job;
    private RemotePlan? _remote;
    private bool _expectingInput;
    private ICallerValues? _callerValues;

    /// <remarks>Alias Parallel: a ForEach-Object -Parallel line converts by changing only the command name.</remarks>
    [Parameter(Position = 0)]
    [Alias("Parallel")]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <remarks>Typed object, not PSObject: the binder then hands over each input as it comes, without a wrapper.</remarks>
    [Parameter(ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    [Parameter]
    [Alias("Args")]
    public object?[]? ArgumentList { get; set; }

    [Parameter]
    public object[]? Variable { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(FunctionNameCompleter))]
    public string[]? Function { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string[]? Module { get; set; }

    [Parameter]
    public ScriptBlock? InitializationScript { get; set; }

    [Parameter]
    public SwitchParameter UseNewRunspace { get; set; }

    [Parameter]
    public SwitchParameter UseProcess { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxItemsPerWorker { get; set; }

    [Parameter]
    [ValidateRange(1, 1048576)]
    public int MaxWorkerMemoryMB { get; set; }

    [Parameter]
    [ValidateRange(1, BatchSizer.MaxSize)]
    public int BatchSize { get; set; }

    [Parameter]
    public SwitchParameter Sequential { get; set; }

    [Parameter]
    public SwitchParameter AsJob { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JobName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("IdentityFilePath")]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter]
    public Hashtable? Options { get; set; }

    /// <summary>Starts at most this many items per second over the whole run, evenly spaced (GNU parallel's --delay).</summary>
    [Parameter]
    [ValidateRange(0.001, 1000000.0)]
    public double RatePerSecond { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public Hashtable[]? SSHConnection { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    protected override int DefaultThrottleLimit => IsRemote ? DefaultSlotsPerHost : DefaultScriptThrottleLimit;

    private bool IsRemote => HostName is not null || SSHConnection is not null || Session is not null;

    protected override string LogSignature
    {
        get
        {
            string text = (ScriptBlock?.ToString() ?? "(calls)") + "\n" + string.Join("\n", ArgumentList ?? Array.Empty<object?>());
            using var sha = SHA256.Create();
            return BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Replace("-", string.Empty);
        }
    }

    internal override void Configure(RunOptions options)
    {
        options.BatchSize = UseNewRunspace ? 1 : BatchSize;
        options.Sequential = Sequential;
        if (_remote is not null)
        {
            // -ThrottleLimit is per host: one worker per slot. An item is one round trip, so one at a time.
            options.ThrottleLimit = _remote.Slots.Count;
            options.BatchSize = BatchSize > 0 ? BatchSize : 1;
        }

        if (UseProcess)
        {
            // A batch is one round trip to the worker process (milliseconds): batches of quick items grow until
            // the trip is a small part of them.
            options.BatchGrowBelow = TimeSpan.FromMilliseconds(200);
        }

        if (RatePerSecond > 0)
        {
            // Each start waits its turn (RunContext.Begin); a batch would queue paced items behind one worker.
            options.StartPacer = new RatePacer(RatePerSecond);
            options.BatchSize = BatchSize > 0 ? BatchSize : 1;
        }
    }

    internal override IRunnerFactory CreateRunnerFactory(RunOptions options) =>
        _remote is not null ? new RemoteCoordinator(_remote, _config!)
        : UseProcess ? new ProcessRunnerFactory(_config!, MaxItemsPerWorker, MaxWorkerMemoryMB)
        : Sequential ? new SequentialRunnerFactory(_config!, ScriptBlock) : new ScriptRunnerFactory(_config!, options.ThrottleLimit);

    protected override void BeginProcessing()
    {
        _expectingInput = MyInvocation.ExpectingInput;
        CheckRemoteParameters();
        if (Sequential && (AsJob || UseNewRunspace || ItemTimeoutSeconds > 0))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-Sequential runs items in this session, one at a time, where a stuck item cannot be stopped from outside; it cannot be combined with -AsJob, -UseNewRunspace or -ItemTimeoutSeconds."),
                ErrorIds.SequentialConflict, ErrorCategory.InvalidArgument, null));
        }

        CheckProcessParameters();
        if (IsRemote)
        {
            _remote = BuildRemotePlan();
        }

        _config = BuildConfig();
        if (AsJob)
        {
            // The job's Command is the script block's text, as Start-ThreadJob's.
            _job = new ParallelBackgroundJob(this, ScriptBlock?.ToString() ?? MyInvocation.Line.Trim(), JobName, ErrorActionIsStop());
            StartRun(_job.Target);
            return;
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        // Piped input, the hot path: one item per call, with nothing to look up.
        if (_expectingInput)
        {
            Add(InputObject);
            return;
        }

        if (!MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)) || InputObject is null)
        {
            // No input at all, or -InputObject $null, which is an empty input, as @() is: nothing to run.
            return;
        }

        IEnumerable? many = LanguagePrimitives.GetEnumerable(InputObject);
        if (many is null)
        {
            Add(InputObject);
            return;
        }

        if (many is ICollection collection)
        {
            SetKnownTotal(collection.Count);
        }

        foreach (object? input in many)
        {
            Add(input);
        }
    }

    protected override void EndProcessing()
    {
        if (_job is null)
        {
            base.EndProcessing();
            return;
        }

        HandOffToJob();
        // Through JobManager, as Start-ThreadJob: Remove-Job and Receive-Job -AutoRemoveJob find a Job2 only there.
        // Import-Module registers the adapter; a host that added the cmdlets by hand has only the repository.
        if (JobManager.IsRegistered(nameof(ParallelJobSourceAdapter)))
        {
            var definition = new JobDefinition(typeof(ParallelJobSourceAdapter), string.Empty, _job.Name);
            JobManager.NewJob(new JobInvocationInfo(definition, new Dictionary<string, object> { ["Job"] = _job }));
        }
        else
        {
            JobRepository.Add(_job);
        }

        _job.StartJob();
        WriteObject(_job);
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
        else if (ScriptBlockValues.MayHold(input) && ScriptBlockValues.Find(input) is { } where)
        {
            // As ForEach-Object -Parallel refuses a piped script block: this item is skipped, the others run.
            WriteError(new ScriptBlockValueException("The input item", where, input).ErrorRecord);
            return;
        }

        if (_job is null)
        {
            Enqueue(input, task);
            return;
        }

        if (_job.EndedDuringInput)
        {
            // The run is over; the rest of the input is read but not run, and the job reports how it ended.
            return;
        }

        try
        {
            Enqueue(input, task);
        }
        catch (Exception ex) when (ex is RuntimeException or JobTarget.StoppedAtErrorException && ex is not PipelineStoppedException)
        {
            // The run ended while input was read (-MaxFailures, -TimeoutSeconds, -ErrorAction Stop): that is the
            // job's failure to report, not this call's, which still returns the job.
            _job.EndDuringInput(ex);
        }
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
                    return ScriptTaskBuilder.Build(script, CallerValues, null);
                case ParallelCall call:
                    if (ScriptBlockValues.Find(call.ArgumentList) is { } where)
                    {
                        // This input only: the other calls still run.
                        throw new ScriptBlockValueException("The -ArgumentList of New-ParallelCall", where, input);
                    }

                    return ScriptTaskBuilder.Build(call.ScriptBlock, CallerValues, call.ArgumentList);
            }
        }
        catch (UsingScriptBlockException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.UsingScriptBlockNotSupported, ErrorCategory.InvalidArgument, input));
            return null;
        }
        catch (RuntimeException ex) when (ex is UsingVariableUndefinedException or ScriptBlockValueException)
        {
            WriteError(ex.ErrorRecord);
            return null;
        }

        WriteError(new ErrorRecord(
            new ArgumentException($"Without -ScriptBlock, each input must be a script block or a call made by New-ParallelCall, not a {value.GetType().Name}. Pass a script block to run for each item with -ScriptBlock."),
            ErrorIds.InputNotRunnable,
            ErrorCategory.InvalidArgument,
            input));
        return null;
    }

    /// <summary>The configuration is built by the engine's <see cref="ScriptConfigBuilder"/>; this only feeds it the session.</summary>
    private ScriptConfig BuildConfig()
    {
        var builder = new ScriptConfigBuilder
        {
            ReadVariable = SessionState.PSVariable.GetValue,
            Caller = CallerValues,
            FindVariable = SessionState.PSVariable.Get,
            FindFunction = name => InvokeCommand.GetCommand(name, CommandTypes.Function) is FunctionInfo function ? (function.Name, function.Definition) : null,
            ResolvePath = GetUnresolvedProviderPathFromPSPath,
            BoundParameters = MyInvocation.BoundParameters,
            ScriptBlock = ScriptBlock,
            ArgumentList = ArgumentList,
            Variable = Variable,
            Function = Function,
            Module = Module,
            InitializationScript = InitializationScript,
            UseNewRunspace = UseNewRunspace,
            IsRemote = IsRemote,
            Location = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
        };

        try
        {
            return builder.Build();
        }
        catch (ScriptConfigException ex)
        {
            ThrowTerminatingError(ex.ToErrorRecord());
            throw;
        }
        catch (UsingVariableUndefinedException ex)
        {
            ThrowTerminatingError(ex.ErrorRecord);
            throw;
        }
        catch (ScriptBlockValueException ex)
        {
            ThrowTerminatingError(ex.ErrorRecord);
            throw;
        }
    }

    private ICallerValues CallerValues => _callerValues ??= new SessionCallerValues(SessionState, InvokeCommand);

    /// <summary>What separate parameter sets would enforce: one kind of remote target, and options that fit it.</summary>
    private void CheckRemoteParameters()
    {
        bool hostOptions = UserName is not null || KeyFilePath is not null || Options is not null || MyInvocation.BoundParameters.ContainsKey(nameof(Port));
        if (RemotePlan.ParameterConflict(HostName is not null, SSHConnection is not null, Session is not null, hostOptions, UseNewRunspace || Sequential) is { } problem)
        {
            ThrowTerminatingError(new ErrorRecord(new ParameterBindingException(problem), ErrorIds.RemoteParameterConflict, ErrorCategory.InvalidArgument, null));
        }

        if (RemotePlan.SshRemotingUnavailable(HostName is not null, SSHConnection is not null) is { } needsPowerShell7)
        {
            ThrowTerminatingError(new ErrorRecord(new PSNotSupportedException(needsPowerShell7), ErrorIds.SshRemotingNeedsPowerShell7, ErrorCategory.NotImplemented, null));
        }
    }

    /// <summary>-UseProcess has its own workers; the recycling limits are about them only.</summary>
    private void CheckProcessParameters()
    {
        string? problem = UseProcess && (Sequential || UseNewRunspace || IsRemote)
            ? "-UseProcess runs each worker in a PowerShell process of its own; it cannot be combined with -Sequential, -UseNewRunspace, -HostName, -SSHConnection or -Session."
            : !UseProcess && (MaxItemsPerWorker > 0 || MaxWorkerMemoryMB > 0)
            ? "-MaxItemsPerWorker and -MaxWorkerMemoryMB recycle worker processes: they go with -UseProcess."
            : UseProcess && !ProcessConnection.Supported
            ? "-UseProcess needs PowerShell's out-of-process runspaces, which this PowerShell lacks."
            : null;
        if (problem is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new ParameterBindingException(problem), ErrorIds.ProcessParameterConflict, ErrorCategory.InvalidArgument, null));
        }
    }

    /// <summary>-Sequential and -UseNewRunspace were refused with a remote target, so they never get here.</summary>
    private RemotePlan BuildRemotePlan()
    {
        int? slots = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : null;
        try
        {
            if (HostName is not null)
            {
                return RemotePlan.ForHostNames(HostName, UserName, KeyFilePath is null ? null : ResolveKeyFile(KeyFilePath),
                    MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null, Options, slots ?? DefaultSlotsPerHost);
            }

            return SSHConnection is not null
                ? RemotePlan.ForConnections(SSHConnection, ResolveKeyFile, slots ?? DefaultSlotsPerHost)
                : RemotePlan.ForSessions(Session!, slots);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidRemoteTarget, ErrorCategory.InvalidArgument, null));
            throw;
        }
    }

    /// <summary>A key file is resolved here (ssh would resolve it against the process's directory) and must exist.</summary>
    private string ResolveKeyFile(string path)
    {
        string resolved = GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(resolved))
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"The SSH key file '{path}' was not found.", resolved),
                ErrorIds.KeyFileNotFound, ErrorCategory.ObjectNotFound, path));
        }

        return resolved;
    }
}
