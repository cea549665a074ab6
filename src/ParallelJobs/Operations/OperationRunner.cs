using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations;

/// <summary>Runs a built-in operation's items on the worker thread, one after another.</summary>
internal sealed class OperationRunner : IItemRunner
{
    private readonly IItemOperation _operation;
    private readonly RunContext _context;
    private readonly Action<ItemAttempt> _cancelItem;

    // Guarded by _gate: the attempt running now and its token, so the watchdog cancels only that one.
    private readonly object _gate = new();
    private ItemAttempt? _current;
    private CancellationTokenSource? _itemCts;

    public OperationRunner(IItemOperation operation, RunContext context)
    {
        _operation = operation;
        _context = context;
        _cancelItem = CancelItem;
    }

    public void Run(IReadOnlyList<WorkItem> batch)
    {
        CancellationToken token = _context.Token;
        for (int i = 0; i < batch.Count; i++)
        {
            if (_context.ShouldStop)
            {
                _context.PutBackFrom(batch, i);
                return;
            }

            WorkItem item = batch[i];
            IDisposable? turn = null;
            if (_operation is IPacedOperation paced)
            {
                turn = paced.WaitTurn(item, token);
                if (turn is null || _context.ShouldStop)
                {
                    turn?.Dispose();
                    _context.PutBackFrom(batch, i);
                    return;
                }
            }

            // One token per item: the item timeout cancels it, and so does the run's stop.
            using var itemCts = CancellationTokenSource.CreateLinkedTokenSource(token);
            ItemAttempt attempt = _context.Begin(item, _cancelItem);
            lock (_gate)
            {
                _current = attempt;
                _itemCts = itemCts;
            }

            try
            {
                attempt.SetOutput(_operation.Execute(item, new ItemContext(attempt, _context), itemCts.Token));
                attempt.Finish();
            }
            catch (Exception) when (attempt.TimedOut)
            {
                attempt.Finish();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The run was stopped: nobody waits for this item.
                return;
            }
            catch (ItemOperationException ex)
            {
                attempt.Fail(new ErrorRecord(ex, ex.ErrorId, ex.Category, item.Input), ex.Retryable, ex.RetryAfter);
            }
            catch (Exception ex)
            {
                attempt.Fail(new ErrorRecord(ex, ErrorIds.ItemFailed, ErrorCategory.NotSpecified, item.Input));
            }
            finally
            {
                lock (_gate)
                {
                    _current = null;
                    _itemCts = null;
                }

                turn?.Dispose();
            }
        }
    }

    public void Stop()
    {
        // The run's token, which every item's token is linked to, is what stops an operation.
    }

    public void Dispose()
    {
        // The operation is shared by every worker; its command disposes it.
    }

    /// <summary>Watchdog thread: the item outlived -ItemTimeoutSeconds.</summary>
    private void CancelItem(ItemAttempt attempt)
    {
        lock (_gate)
        {
            if (_current == attempt)
            {
                _itemCts!.Cancel();
            }
        }
    }
}
