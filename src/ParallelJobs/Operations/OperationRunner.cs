using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>Runs a built-in operation's items on the worker thread, one after another.</summary>
internal sealed class OperationRunner : IItemRunner
{
    private readonly IItemOperation _operation;
    private readonly RunContext _context;

    public OperationRunner(IItemOperation operation, RunContext context)
    {
        _operation = operation;
        _context = context;
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
            ItemWatchdog? watchdog = _context.Watchdog;
            using CancellationTokenSource? itemCts = watchdog is null ? null : CancellationTokenSource.CreateLinkedTokenSource(token);
            bool timedOut = false;
            int slot = watchdog?.Begin(() =>
            {
                timedOut = true;
                itemCts!.Cancel();
            }) ?? -1;
            try
            {
                result.Output = _operation.Execute(item, new ItemContext(result, _context.Dispatcher), itemCts?.Token ?? token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (timedOut)
            {
                result.Failure = ItemResult.TimeoutError(item, watchdog!.Timeout);
                result.Status = ItemStatus.TimedOut;
            }
            catch (ItemOperationException ex)
            {
                result.Failure = new ErrorRecord(ex, ex.ErrorId, ex.Category, item.Input);
                result.NoRetry = !ex.Retryable;
                result.RetryAfter = ex.RetryAfter;
            }
            catch (Exception ex)
            {
                result.Failure = new ErrorRecord(ex, "ItemFailed", ErrorCategory.NotSpecified, item.Input);
            }
            finally
            {
                watchdog?.End(slot);
            }

            result.End();

            sink.Complete(result);
        }
    }

    public void Dispose()
    {
        // The operation is shared by every worker; its command disposes it.
    }
}
