using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// -Process: the caller's script block run for each fetched page on the crawl's own worker thread, in a runspace
/// that thread opens on its first page and keeps for the crawl (one per worker, so no page waits for another's).
/// The page is $_ and the first argument ($args[0], or the first parameter of a param block); a script with a
/// process block gets the page piped in as well. What it outputs is the page's output, so it is written in
/// discovery order; its errors, warnings, verbose, debug and information records go with that page.
/// The script block is passed as text: a script block belongs to the runspace that made it, and each worker
/// compiles its own copy. Caller variables are not seen (as in ForEach-Object -Parallel without $using:).
/// </summary>
internal sealed class CrawlScript : IDisposable
{
    private const string Driver =
        "param($__pjText, $__pjPage, $__pjPipe) $_ = $__pjPage; $__pjBlock = [scriptblock]::Create($__pjText); "
        + "if ($__pjPipe) { $__pjPage | & $__pjBlock $__pjPage } else { & $__pjBlock $__pjPage }";

    private readonly string _text;
    private readonly bool _pipe;
    private readonly string _location;
    private readonly Lazy<InitialSessionState> _state = new(CreateState, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ThreadLocal<Runspace?> _runspaces = new(trackAllValues: true);
    private int _disposed;

    public CrawlScript(ScriptBlock script, string location)
    {
        _text = script.ToString();
        _pipe = script.Ast is ScriptBlockAst ast && ast.ProcessBlock is not null;
        _location = location;
    }

    /// <summary>Dedicated worker thread: runs the script for the page and returns its output.</summary>
    public IList? Run(ParallelCrawlPage page, ItemContext context, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        Runspace runspace = _runspaces.Value ??= Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(Driver, useLocalScope: true).AddArgument(_text).AddArgument(page).AddArgument(_pipe);
        Collection<PSObject> output;
        using (token.Register(() => ps.BeginStop(null, null)))
        {
            try
            {
                output = ps.Invoke();
            }
            catch (PipelineStoppedException) when (token.IsCancellationRequested)
            {
                // Ctrl+C or the page's timeout stopped the script: a cancellation, as for a fetch.
                throw new OperationCanceledException(token);
            }
            finally
            {
                Forward(ps.Streams, context);
            }
        }

        token.ThrowIfCancellationRequested();
        var list = new List<object?>(output.Count);
        foreach (PSObject item in output)
        {
            list.Add(item);
        }

        return list;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (Runspace? runspace in _runspaces.Values)
        {
            try
            {
                runspace?.Dispose();
            }
            catch (Exception)
            {
                // A worker that outlived the run may still be in it; the process reclaims it.
            }
        }

        _runspaces.Dispose();
    }

    private static InitialSessionState CreateState()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();

        // The worker thread runs the script itself: no pipeline thread per page.
        state.ThreadOptions = PSThreadOptions.UseCurrentThread;
        return state;
    }

    private Runspace Open()
    {
        Runspace runspace = RunspaceFactory.CreateRunspace(_state.Value);
        runspace.Name = "ParallelJobs crawl " + Environment.CurrentManagedThreadId;
        runspace.Open();
        if (System.IO.Directory.Exists(_location))
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand("Set-Location").AddParameter("LiteralPath", _location).Invoke();
        }

        return runspace;
    }

    private static void Forward(PSDataStreams streams, ItemContext context)
    {
        foreach (ErrorRecord error in streams.Error)
        {
            context.WriteError(error);
        }

        foreach (WarningRecord warning in streams.Warning)
        {
            context.WriteWarning(warning.Message);
        }

        foreach (VerboseRecord verbose in streams.Verbose)
        {
            context.WriteVerbose(verbose.Message);
        }

        foreach (DebugRecord debug in streams.Debug)
        {
            context.WriteRecord(Engine.StreamKind.Debug, debug);
        }

        foreach (InformationRecord information in streams.Information)
        {
            context.WriteRecord(Engine.StreamKind.Information, information);
        }
    }
}
