using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// The parameters and lifecycle every ParallelJobs cmdlet shares: throttling, ordering, timeouts, retries,
/// the failure limit, result objects, the job log and the progress bar. A derived cmdlet binds its own
/// input, says how to run an item (<see cref="CreateRunnerFactory"/>), and calls <see cref="Enqueue"/>.
/// One item's path: ProcessRecord → Enqueue → ParallelRun.Add → a worker runs it → ParallelRun.Drain →
/// PipelineWriter.Write → WriteObject, all writes on the pipeline thread.
/// </summary>
public abstract class ParallelCommandBase : PSCmdlet, IDisposable
{
    private int? _throttleLimit;
    private ParallelRun? _run;
    private IRunnerFactory? _factory;
    private PipelineWriter? _writer;
    private JobLog? _log;
    private ProgressReporter? _progress;
    private ItemKeys? _keys;
    private IStreamTarget? _target;
    private CallerFunctions? _functions;
    private long _enqueued;
    private bool _handedOff;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit
    {
        get => _throttleLimit ?? DefaultThrottleLimit;
        set => _throttleLimit = value;
    }

    [Parameter]
    public SwitchParameter Unordered { get; set; }

    [Parameter]
    [ValidateRange(0.001, 31536000.0)]
    public double TimeoutSeconds { get; set; }

    [Parameter]
    [ValidateRange(0.001, 31536000.0)]
    public double ItemTimeoutSeconds { get; set; }

    [Parameter]
    [ValidateRange(0, 1000)]
    public int RetryCount { get; set; }

    [Parameter]
    [ValidateRange(0.0, 3600.0)]
    public double RetryDelay { get; set; } = 1;

    [Parameter]
    [ValidatePattern(@"^\s*(\d+|\d+(\.\d+)?\s*%)\s*$")]
    public string? MaxFailures { get; set; }

    [Parameter]
    public SwitchParameter AsResult { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    [Parameter]
    public SwitchParameter Resume { get; set; }

    [Parameter]
    public ScriptBlock? Key { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The default -ThrottleLimit of this cmdlet.</summary>
    protected virtual int DefaultThrottleLimit => Environment.ProcessorCount;

    /// <summary>The progress bar's title.</summary>
    protected virtual string Activity => MyInvocation.MyCommand.Name;

    /// <summary>What the job log records as the job's identity; -Resume refuses a log with another.</summary>
    protected abstract string LogSignature { get; }

    /// <summary>How this cmdlet runs an item: script runspaces, or a built-in operation.</summary>
    internal abstract IRunnerFactory CreateRunnerFactory(RunOptions options);

    /// <summary>Options this cmdlet sets beyond the common ones (batch size, inline running, ...).</summary>
    internal virtual void Configure(RunOptions options)
    {
    }

    /// <summary>Tells the progress bar how many items there are, when the cmdlet knows before input ends.</summary>
    protected void SetKnownTotal(long total)
    {
        if (_progress is not null)
        {
            _progress.Total = total;
        }
    }

    protected override void BeginProcessing() => StartRun(new CmdletTarget(this));

    internal void StartRun(IStreamTarget target)
    {
        _target = target;
        var options = new RunOptions
        {
            ThrottleLimit = ThrottleLimit,
            Ordered = !Unordered,
            StopOnFirstError = ErrorActionIsStop(),
            RetryCount = RetryCount,
            RetryDelay = TimeSpan.FromSeconds(RetryDelay),
            ItemTimeout = ItemTimeoutSeconds > 0 ? TimeSpan.FromSeconds(ItemTimeoutSeconds) : null,
            RunTimeout = TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : null,
        };
        try
        {
            FailureLimit.Apply(MaxFailures, options);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or FormatException or OverflowException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidMaxFailures, ErrorCategory.InvalidArgument, MaxFailures));
        }

        Configure(options);
        options.LiveOutput = !AsResult && options.RetryCount == 0 && LogPath is null;

        if (Resume && LogPath is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-Resume needs -LogPath: the log of the run to resume."),
                ErrorIds.ResumeWithoutLog, ErrorCategory.InvalidArgument, null));
        }

        if (LogPath is not null)
        {
            string path = GetUnresolvedProviderPathFromPSPath(LogPath);
            try
            {
                _log = JobLog.Open(path, MyInvocation.MyCommand.Name, LogSignature, Resume, Force, target.WriteWarning);
            }
            catch (JobLogException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.InvalidData, path));
            }

        }

        if (LogPath is not null || Key is not null)
        {
            _keys = new ItemKeys(Key is null ? null : ComputeKey, _log, Force);
        }

        _factory = CreateRunnerFactory(options);
        _run = new ParallelRun(options, _factory) { Log = _log };
        _functions = new CallerFunctions(
            name => InvokeCommand.GetCommand(name, CommandTypes.Function) is FunctionInfo,
            () => SessionState.InvokeProvider.Item.Get("function:\\*").Select(o => o.BaseObject).OfType<FunctionInfo>().Select(f => f.Name));
        _writer = new PipelineWriter(target, AsResult, _functions);
        if (ProgressWanted())
        {
            // Off under $ProgressPreference SilentlyContinue: then the pump neither renders nor wakes for it.
            _progress = new ProgressReporter(Activity);
            _run.AfterDrain = () => ShowProgress(target);
            _run.WakeMilliseconds = ProgressReporter.WakeMilliseconds;
        }
    }

    /// <summary>Hands one input item to the run; skips it when the job log says it is already done.</summary>
    protected void Enqueue(object? input, object? task = null)
    {
        long index = _enqueued++;
        string? key = null;
        if (_keys is not null && !TryKeyFor(input, index, out key))
        {
            return;
        }

        // The hot path of every item: no closure here (the keyed path's closures live in TryKeyFor, since C#
        // would allocate them on entry to this method for every item).
        try
        {
            _run!.Add(input, task, _writer!, key);
        }
        catch (RunEndedException ended)
        {
            Conclude(ended.Outcome);
        }
    }

    /// <summary>
    /// The item's key for -Key and the job log. False when the item is not to be run: its key failed or is a
    /// duplicate (it is refused in its place), or the log has it finished already (its logged result is used).
    /// </summary>
    private bool TryKeyFor(object? input, long index, out string? key)
    {
        try
        {
            KeyDecision decision = _keys!.Decide(input, index);
            key = decision.Key;
            if (decision.Refusal is { } refusal)
            {
                _run!.AddRefused(input, refusal, _writer!);
            }
            else if (decision.Logged is { } entry)
            {
                _run!.AddFinished(input, key, result =>
                {
                    result.Output = JobLog.ReadOutput(entry);
                    result.Attempts = entry.Attempts;
                    result.StartTime = entry.Start;
                    result.Duration = TimeSpan.FromSeconds(entry.Duration);
                }, _writer!);
            }

            return decision.Runs;
        }
        catch (JobLogException ex)
        {
            // The log no longer fits this input, or an entry cannot be read back: the run ends here.
            key = null;
            Conclude(new RunOutcome(RunEnd.LogFailed, ex));
            return false;
        }
    }

    protected override void EndProcessing() => FinishRun();

    /// <summary>Waits for the run and ends it: returns how it ended when that is no error (-AsJob reads the counts).</summary>
    internal RunOutcome FinishRun()
    {
        RunOutcome outcome;
        try
        {
            outcome = _run!.InputEnded(_writer!);
        }
        catch (RunEndedException ended)
        {
            outcome = ended.Outcome;
        }

        if (_progress is not null)
        {
            foreach (ProgressRecord done in _progress.Complete())
            {
                _target!.WriteProgress(done);
            }
        }

        Conclude(outcome);
        return outcome;
    }

    /// <summary>The one place where how a run ended becomes what the user sees: nothing, or one terminating error.</summary>
    private void Conclude(RunOutcome outcome)
    {
        switch (outcome.End)
        {
            case RunEnd.Stopped:
                throw new PipelineStoppedException();
            case RunEnd.RunTimedOut:
                Terminate(new ErrorRecord(
                    new TimeoutException($"The run took longer than -TimeoutSeconds {TimeoutSeconds}: {outcome.Finished} items finished; the rest were stopped or never started."),
                    ErrorIds.RunTimedOut, ErrorCategory.OperationTimeout, null));
                break;
            case RunEnd.FailureLimitReached:
                Terminate(new ErrorRecord(
                    new InvalidOperationException($"Stopped starting new items once the failure limit was reached (-MaxFailures {MaxFailures!.Trim()}); the items already running were let finish. In all, {outcome.Failed} of {outcome.Finished} finished items failed, and {outcome.Skipped} items were not started."),
                    ErrorIds.MaxFailuresExceeded, ErrorCategory.LimitsExceeded, null));
                break;
            case RunEnd.FirstError when AsResult:
                // Without -AsResult the failing item's own error, written with -ErrorAction Stop, has already thrown.
                Terminate(new ErrorRecord(
                    new InvalidOperationException($"Stopped at the first failed item (-ErrorAction Stop): {outcome.Failed} failed, {outcome.Skipped} not started."),
                    ErrorIds.StoppedAtFirstFailure, ErrorCategory.OperationStopped, null));
                break;
            case RunEnd.AllWorkersLost when outcome.Skipped > 0:
                Terminate(new ErrorRecord(
                    new InvalidOperationException($"No remote host is left to run items ({outcome.Detail}): {outcome.Skipped} items were not done. With -LogPath and -Resume, a later run does only those."),
                    ErrorIds.AllHostsLost, ErrorCategory.ConnectionError, null));
                break;
            case RunEnd.SetupFailed:
                Terminate(outcome.Exception is Scripting.WorkerSetupException setup
                    ? new ErrorRecord(setup, setup.ErrorId, ErrorCategory.OpenError, null)
                    : new ErrorRecord(outcome.Exception, ErrorIds.WorkerFailed, ErrorCategory.NotSpecified, null));
                break;
            case RunEnd.LogFailed:
                Terminate(outcome.Exception is JobLogException log
                    ? new ErrorRecord(log, log.ErrorId, log.ErrorId is ErrorIds.LogWriteFailed or ErrorIds.LogNotWritable ? ErrorCategory.WriteError : ErrorCategory.InvalidData, LogPath)
                    : new ErrorRecord(outcome.Exception, ErrorIds.LogFailed, ErrorCategory.WriteError, LogPath));
                break;
        }
    }

    protected override void StopProcessing() => _run?.Cancel();

    public void Dispose()
    {
        if (!_handedOff)
        {
            DisposeRun();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// -AsJob: the pipeline has fed every input; from now on a job's thread owns the run and finishes it.
    /// </summary>
    internal void HandOffToJob()
    {
        _handedOff = true;
        _functions?.Freeze();
    }

    /// <summary>-AsJob: the job's thread, which finishes the run, takes it over.</summary>
    internal void AdoptRun() => _run?.HandOver();

    /// <summary>Stops the run from another thread (Stop-Job).</summary>
    internal void CancelRun() => _run?.Cancel();

    internal void DisposeRun()
    {
        _run?.Dispose();
        (_factory as IDisposable)?.Dispose();
        _log?.Dispose();
    }

    private string ComputeKey(object? input)
    {
        var variables = new List<PSVariable> { new("_", input) };
        return string.Join(",", Key!.InvokeWithContext(null, variables).Select(o => o?.ToString()));
    }

    private void ShowProgress(IStreamTarget target)
    {
        if (_progress is { IsDue: true } progress)
        {
            foreach (ProgressRecord record in progress.Render(_run!.Snapshot(progress.Total)))
            {
                target.WriteProgress(record);
            }
        }
    }

    /// <summary>-ProgressAction, else $ProgressPreference: anything but SilentlyContinue or Ignore shows the bar.</summary>
    private bool ProgressWanted()
    {
        object? value = MyInvocation.BoundParameters.TryGetValue("ProgressAction", out object? bound) ? bound
            : SessionState.PSVariable.GetValue("ProgressPreference");
        return !(value is not null && LanguagePrimitives.TryConvertTo(value, out ActionPreference preference)
            && preference is ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    /// <summary>
    /// Ends the run with one error: thrown to the pipeline, or to the job that owns the run (also while input
    /// is still read: the -AsJob call returns its job all the same, and the job reports the error).
    /// </summary>
    private void Terminate(ErrorRecord error)
    {
        if (_handedOff || _target is JobTarget)
        {
            throw new RuntimeException(error.Exception.Message, error.Exception, error);
        }

        ThrowTerminatingError(error);
    }

    /// <summary>
    /// -ErrorAction Stop, or $ErrorActionPreference = 'Stop' when errors are written to the error stream.
    /// With -AsResult errors travel inside the results, so only an explicit -ErrorAction Stop halts.
    /// </summary>
    internal bool ErrorActionIsStop()
    {
        object? value = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound) ? bound
            : AsResult ? null : SessionState.PSVariable.GetValue("ErrorActionPreference");
        return value is not null && LanguagePrimitives.TryConvertTo(value, out ActionPreference preference) && preference == ActionPreference.Stop;
    }
}
