using System;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Commands;

/// <summary>
/// Writes a background job's results into the job's own streams, for Receive-Job. With -ErrorAction Stop
/// the first error ends the job, as it ends the pipeline without -AsJob: it becomes the job's Reason,
/// and nothing after it is written.
/// </summary>
internal sealed class JobTarget : IStreamTarget
{
    private readonly Job _job;
    private readonly bool _stopOnError;
    private volatile ErrorRecord? _stopError;
    private int _itemFailures;
    private bool _barShown;

    public JobTarget(Job job, bool stopOnError)
    {
        _job = job;
        _stopOnError = stopOnError;
    }

    /// <summary>Items that ended with a terminating error; errors an item only wrote do not count, as in Start-ThreadJob.</summary>
    public int ItemFailures => Volatile.Read(ref _itemFailures);

    /// <summary>The error that stopped the job under -ErrorAction Stop, or null.</summary>
    public ErrorRecord? StopError => _stopError;

    public void WriteObject(object? value)
    {
        if (_stopError is null)
        {
            _job.Output.Add(value is null ? null : PSObject.AsPSObject(value));
        }
    }

    public void WriteError(ErrorRecord error)
    {
        if (_stopError is not null)
        {
            return;
        }

        if (!_stopOnError)
        {
            _job.Error.Add(error);
            return;
        }

        // Not added to Error: like Start-ThreadJob's terminating error, it is the Reason, which Receive-Job writes.
        // Thrown to unwind the run at once, as WriteError's stop does without -AsJob: on the job's thread to the
        // job, while input is read to the cmdlet, which hands it to the job.
        _stopError = error;
        throw new StoppedAtErrorException();
    }

    public void WriteItemFailure(ErrorRecord error)
    {
        if (_stopError is null)
        {
            Interlocked.Increment(ref _itemFailures);
        }

        WriteError(error);
    }

    public void CountItemFailure() => Interlocked.Increment(ref _itemFailures);

    public void WriteWarning(string message)
    {
        if (_stopError is null)
        {
            _job.Warning.Add(new WarningRecord(message));
        }
    }

    public void WriteVerbose(string message)
    {
        if (_stopError is null)
        {
            _job.Verbose.Add(new VerboseRecord(message));
        }
    }

    public void WriteDebug(string message)
    {
        if (_stopError is null)
        {
            _job.Debug.Add(new DebugRecord(message));
        }
    }

    public void WriteInformation(InformationRecord record)
    {
        if (_stopError is null)
        {
            _job.Information.Add(record);
        }
    }

    public void WriteProgress(ProgressRecord record)
    {
        if (_stopError is null)
        {
            if (record.ActivityId == ProgressReporter.ActivityId)
            {
                _barShown = record.RecordType != ProgressRecordType.Completed;
            }

            _job.Progress.Add(record);
        }
    }

    /// <summary>
    /// The job's thread, once the run is over: a run that ended by a stopping error (or while input was read)
    /// did not write the record that removes its bar, so Receive-Job would leave it on the screen.
    /// </summary>
    public void CompleteProgress()
    {
        if (_barShown)
        {
            _barShown = false;
            // The long-running items' records under the bar too (removing one never shown is harmless).
            for (int slot = 0; slot < ProgressReporter.Slots; slot++)
            {
                _job.Progress.Add(ProgressReporter.Completed(ProgressReporter.SlotId(slot), "Invoke-ParallelJob"));
            }

            _job.Progress.Add(ProgressReporter.Completed(ProgressReporter.ActivityId, "Invoke-ParallelJob"));
        }
    }

    /// <summary>Unwinds the run from the write of the stopping error to the job's thread; see <see cref="StopError"/>.</summary>
    internal sealed class StoppedAtErrorException : Exception
    {
    }
}
