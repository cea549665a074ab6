using System;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// The job -AsJob returns. Its own dedicated thread finishes the run that the cmdlet started, writing
/// results in order into the job's streams; Stop-Job stops every running item, as Start-ThreadJob does.
/// </summary>
internal sealed class ParallelBackgroundJob : Job
{
    private readonly ParallelCommandBase _command;
    private Thread? _thread;

    public ParallelBackgroundJob(ParallelCommandBase command, string commandText, string? name)
        : base(commandText, name)
    {
        _command = command;
        PSJobTypeName = "ParallelJob";
    }

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Information.Count > 0;

    public override string Location => Environment.MachineName;

    public override string StatusMessage => string.Empty;

    public void Start()
    {
        SetJobState(JobState.Running);
        _thread = new Thread(Body) { IsBackground = true, Name = $"ParallelJobs job {Id}" };
        _thread.Start();
    }

    public override void StopJob()
    {
        _command.CancelRun();
        _thread?.Join(TimeSpan.FromSeconds(10));
        if (!IsFinishedState(JobStateInfo.State))
        {
            SetJobState(JobState.Stopped);
        }
    }

    private void Body()
    {
        JobState final = JobState.Completed;
        try
        {
            _command.AdoptRun();
            _command.FinishRun();
        }
        catch (PipelineStoppedException)
        {
            final = JobState.Stopped;
        }
        catch (RuntimeException ex)
        {
            Error.Add(ex.ErrorRecord);
            final = JobState.Failed;
        }
        catch (Exception ex)
        {
            Error.Add(new ErrorRecord(ex, ErrorIds.JobFailed, ErrorCategory.NotSpecified, null));
            final = JobState.Failed;
        }
        finally
        {
            _command.DisposeRun();
        }

        if (!IsFinishedState(JobStateInfo.State))
        {
            SetJobState(final);
        }
    }

    private static bool IsFinishedState(JobState state) =>
        state is JobState.Completed or JobState.Failed or JobState.Stopped;
}
