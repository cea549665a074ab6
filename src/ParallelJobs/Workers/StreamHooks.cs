using System;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Workers;

/// <summary>
/// A runner's handlers on a session's streams, removed again when the runner lets the session go: a pooled
/// worker serves other runs later, whose records must not reach this one.
/// </summary>
internal sealed class StreamHooks : IDisposable
{
    private readonly PSDataStreams _streams;
    private readonly EventHandler<DataAddedEventArgs> _error;
    private readonly EventHandler<DataAddedEventArgs> _warning;
    private readonly EventHandler<DataAddedEventArgs> _verbose;
    private readonly EventHandler<DataAddedEventArgs> _debug;
    private readonly EventHandler<DataAddedEventArgs> _information;
    private readonly EventHandler<DataAddedEventArgs> _progress;

    /// <param name="onRecord">Called on remoting's threads, in the order the records were written; must not throw.</param>
    public StreamHooks(PSDataStreams streams, Action<StreamKind, object> onRecord)
    {
        _streams = streams;
        _error = (s, e) => Forward(onRecord, StreamKind.Error, streams.Error, e.Index);
        _warning = (s, e) => Forward(onRecord, StreamKind.Warning, streams.Warning, e.Index);
        _verbose = (s, e) => Forward(onRecord, StreamKind.Verbose, streams.Verbose, e.Index);
        _debug = (s, e) => Forward(onRecord, StreamKind.Debug, streams.Debug, e.Index);
        _information = (s, e) => Forward(onRecord, StreamKind.Information, streams.Information, e.Index);
        _progress = (s, e) => Forward(onRecord, StreamKind.Progress, streams.Progress, e.Index);
        streams.Error.DataAdded += _error;
        streams.Warning.DataAdded += _warning;
        streams.Verbose.DataAdded += _verbose;
        streams.Debug.DataAdded += _debug;
        streams.Information.DataAdded += _information;
        streams.Progress.DataAdded += _progress;
    }

    public void Dispose()
    {
        _streams.Error.DataAdded -= _error;
        _streams.Warning.DataAdded -= _warning;
        _streams.Verbose.DataAdded -= _verbose;
        _streams.Debug.DataAdded -= _debug;
        _streams.Information.DataAdded -= _information;
        _streams.Progress.DataAdded -= _progress;
    }

    private static void Forward<T>(Action<StreamKind, object> onRecord, StreamKind kind, PSDataCollection<T> collection, int index)
    {
        try
        {
            if (collection[index] is { } record)
            {
                onRecord(kind, record);
            }
        }
        catch (Exception)
        {
            // A record we cannot read is dropped rather than let it break the session.
        }
    }
}
