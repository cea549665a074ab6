using System;
using System.ComponentModel;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// The job -AsJob returns: a Job2, as Start-ThreadJob's. Its own dedicated thread finishes the run that the
/// cmdlet started, writing results in order into the job's streams. Stop-Job stops every running item. It
/// ends Failed, with the error as JobStateInfo.Reason, when the run failed or an item failed (a terminating
/// error in an item, as one in Start-ThreadJob's script); errors an item only wrote leave it Completed.
/// Suspending, resuming and unblocking are not supported, as with Start-ThreadJob.
/// </summary>
internal sealed class ParallelBackgroundJob : Job2
{
    private const int NotStarted = 0;
    private const int Started = 1;

    /// <summary>How long StopJob waits for the job's thread; a stop that takes longer is reported anyway.</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    // Job2.SetJobState(JobState, Exception), the one way to give a job its JobStateInfo.Reason: in every
    // PowerShell since 3, but left out of PowerShellStandard.Library 5.1.1's reference assembly.
    private static readonly MethodInfo? s_setJobStateWithReason = typeof(Job2).GetMethod(
        "SetJobState", BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(JobState), typeof(Exception) }, null);

    private readonly ParallelCommandBase _command;
    private readonly JobTarget _target;
    private Thread? _thread;
    private int _started;
    private int _finished;
    private volatile Exception? _inputEnd;

    public ParallelBackgroundJob(ParallelCommandBase command, string commandText, string? name, bool stopOnError)
        : base(commandText, name)
    {
        _command = command;
        _target = new JobTarget(this, stopOnError);
        PSJobTypeName = "ParallelJob";
    }

    /// <summary>Where the cmdlet writes the run's results.</summary>
    internal IStreamTarget Target => _target;

    /// <summary>True once the run ended while the cmdlet was still reading input; see <see cref="EndDuringInput"/>.</summary>
    internal bool EndedDuringInput => _inputEnd is not null;

    /// <summary>
    /// The cmdlet: the run ended while input was read, with this error (the run's terminating error, or the
    /// stopping error under -ErrorAction Stop). The job then ends the run as soon as it starts.
    /// </summary>
    internal void EndDuringInput(Exception end) => _inputEnd = end;

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0
        || Information.Count > 0 || Progress.Count > 0;

    public override string Location => Environment.MachineName;

    public override string StatusMessage => string.Empty;

    /// <summary>Starts the job's thread, which finishes the run. Called by the cmdlet once all input is read.</summary>
    public override void StartJob()
    {
        if (Interlocked.CompareExchange(ref _started, Started, NotStarted) != NotStarted)
        {
            throw new InvalidOperationException("The job has already been started.");
        }

        if (Volatile.Read(ref _finished) != 0)
        {
            // Stopped before it started: nothing will finish the run, so release it here.
            _command.DisposeRun();
            return;
        }

        SetJobState(JobState.Running);
        _thread = new Thread(Body) { IsBackground = true, Name = $"ParallelJobs job {Id}" };
        _thread.Start();
    }

    public override void StartJobAsync()
    {
        StartJob();
        OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, this));
    }

    /// <summary>Stops every running item and waits (bounded) for the job to end; Stop-Job and Remove-Job -Force.</summary>
    public override void StopJob()
    {
        if (Volatile.Read(ref _finished) != 0)
        {
            // Already over, and its run released: nothing to stop.
            return;
        }

        _command.CancelRun();
        Thread? thread = _thread;
        if (thread is null || !thread.Join(StopWait))
        {
            // Not started, or its thread is still winding down: the job is stopped all the same.
            Finish(JobState.Stopped, new PipelineStoppedException());
        }
    }

    public override void StopJob(bool force, string reason) => StopJob();

    /// <summary>Stop-Job calls this for a Job2 and waits for StopJobCompleted.</summary>
    public override void StopJobAsync()
    {
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Exception? error = null;
            try
            {
                StopJob();
            }
            catch (Exception ex)
            {
                error = ex;
            }

            OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, this));
        });
    }

    public override void StopJobAsync(bool force, string reason) => StopJobAsync();

    // As Start-ThreadJob's jobs: a run in this process cannot be suspended, resumed or unblocked.
    public override void SuspendJob() => throw new NotImplementedException();

    public override void SuspendJob(bool force, string reason) => throw new NotImplementedException();

    public override void SuspendJobAsync() => throw new NotImplementedException();

    public override void SuspendJobAsync(bool force, string reason) => throw new NotImplementedException();

    public override void ResumeJob() => throw new NotImplementedException();

    public override void ResumeJobAsync() => throw new NotImplementedException();

    public override void UnblockJob() => throw new NotImplementedException();

    public override void UnblockJobAsync() => throw new NotImplementedException();

    private void Body()
    {
        JobState final = JobState.Completed;
        Exception? reason = null;
        try
        {
            _command.AdoptRun();
            if (_inputEnd is { } end)
            {
                // The run ended while input was read: nothing is left to wait for; DisposeRun stops the rest.
                (final, reason) = Ended(end);
            }
            else
            {
                RunOutcome outcome = _command.FinishRun();
                if (_target.ItemFailures > 0)
                {
                    final = JobState.Failed;
                    reason = ItemsFailed(_target.ItemFailures, outcome.Finished);
                }
            }
        }
        catch (Exception ex)
        {
            (final, reason) = Ended(ex);
        }
        finally
        {
            // Stops whatever still runs: after a stopping error, the other items end here, as without -AsJob.
            _command.DisposeRun();
        }

        try
        {
            _target.CompleteProgress();
        }
        catch (ObjectDisposedException)
        {
            // Removed (Remove-Job -Force) after a stop that gave up waiting: nobody reads it any more.
        }

        Finish(final, reason);
    }

    /// <summary>The state and reason for a run that ended with this exception.</summary>
    private (JobState State, Exception Reason) Ended(Exception ex)
    {
        switch (ex)
        {
            case JobTarget.StoppedAtErrorException when _target.StopError is { } stop:
                // -ErrorAction Stop: the item's own error is the reason, as a ThreadJob's stopping error is.
                return (JobState.Failed, new RuntimeException(stop.ErrorDetails?.Message ?? stop.Exception.Message, stop.Exception, stop));
            case PipelineStoppedException:
                return (JobState.Stopped, ex);
            case RuntimeException:
                // The run's own terminating error (RunTimedOut, MaxFailuresExceeded, a setup failure, ...).
                return (JobState.Failed, ex);
            default:
                return (JobState.Failed, new RuntimeException(ex.Message, ex, new ErrorRecord(ex, ErrorIds.JobFailed, ErrorCategory.NotSpecified, null)));
        }
    }

    /// <summary>Items failed but the run went on to the end: the job failed, as a script with a terminating error does.</summary>
    private static RuntimeException ItemsFailed(int failed, int finished)
    {
        var exception = new InvalidOperationException(
            $"{failed} of {finished} items failed; their errors are in the job's Error stream (Receive-Job writes them, each with its ParallelJobItem).");
        return new RuntimeException(exception.Message, exception,
            new ErrorRecord(exception, ErrorIds.JobFailed, ErrorCategory.NotSpecified, null));
    }

    /// <summary>Sets the final state once: the job's thread and a StopJob that gave up waiting may race.</summary>
    private void Finish(JobState state, Exception? reason)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        if (s_setJobStateWithReason is null)
        {
            SetJobState(state);
            return;
        }

        try
        {
            s_setJobStateWithReason.Invoke(this, new object?[] { state, reason });
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ObjectDisposedException)
        {
            // Removed in the meantime: on the job's own thread this must not bring the process down.
        }
    }
}
