using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Keeps a POST or PATCH (any method that is not idempotent) from being sent twice by a retry. Such a request
/// is retried only when it surely never reached the server, or the server said it did not take it on: a refused
/// connection, a DNS failure, a 408 or a 429. A 5xx answer, a dropped connection or a timeout is final for it,
/// unless -RetryNonIdempotent is given. The engine retries its own item timeouts whatever the operation says,
/// so for these methods the operation times the request out itself, just before the engine would, and
/// remembers a request that was sent and never settled, refusing to send it again.
/// </summary>
internal sealed class WebResendPolicy
{
    private readonly bool _retryNonIdempotent;
    private readonly int _retryCount;
    private readonly TimeSpan? _requestTimeout;

    // Items whose guarded request went out and has not settled; one left over means the engine timed it out.
    private readonly ConcurrentDictionary<long, byte> _sent = new();

    public WebResendPolicy(bool retryNonIdempotent, int retryCount, TimeSpan? requestTimeout)
    {
        _retryNonIdempotent = retryNonIdempotent;
        _retryCount = retryCount;
        _requestTimeout = requestTimeout;
    }

    /// <summary>True when a retry could send this method twice and nobody allowed it: the guard applies.</summary>
    public bool Guards(HttpMethod method) => _retryCount > 0 && !_retryNonIdempotent && !HttpMethodSafety.IsIdempotent(method);

    /// <summary>Throws when an earlier attempt of this item was sent and cut off by the engine's timeout.</summary>
    public void RefuseResend(WorkItem item, WebRequestSpec spec)
    {
        if (_sent.TryRemove(item.Index, out _))
        {
            throw new ItemOperationException(ErrorIds.ItemTimedOut, ErrorCategory.OperationTimeout,
                $"{spec.Method} {spec.Uri} timed out and is not sent again: the server may have acted on it, and {spec.Method} is not idempotent (-RetryNonIdempotent allows the retry).")
            { Retryable = false };
        }
    }

    /// <summary>A token that fires a little before the engine's item timeout, so this request fails, not retried, first.</summary>
    public CancellationTokenSource? StartDeadline(CancellationToken token)
    {
        if (_requestTimeout is not { } timeout)
        {
            return null;
        }

        var margin = TimeSpan.FromTicks(Math.Min(timeout.Ticks / 10, TimeSpan.FromMilliseconds(250).Ticks));
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(timeout - margin);
        return deadline;
    }

    public void Sending(WorkItem item) => _sent[item.Index] = 0;

    public void Settled(WorkItem item) => _sent.TryRemove(item.Index, out _);

    public ItemOperationException TimedOut(WebRequestSpec spec, Exception cause) => new(ErrorIds.ItemTimedOut, ErrorCategory.OperationTimeout,
        string.Format(CultureInfo.InvariantCulture,
            "{0} {1}: no complete answer within the request timeout of {2:0.###} s. It is not retried: the server may have acted on it, and {0} is not idempotent (-RetryNonIdempotent allows the retry).",
            spec.Method, spec.Uri, _requestTimeout!.Value.TotalSeconds),
        cause)
    { Retryable = false };

    /// <summary>Makes a retryable failure of a POST or PATCH final, unless the request surely had no effect.</summary>
    public ItemOperationException Judge(ItemOperationException failure, HttpMethod method)
    {
        if (!failure.Retryable || _retryNonIdempotent || HttpMethodSafety.IsIdempotent(method))
        {
            return failure;
        }

        bool neverReached = failure.ErrorId is ErrorIds.WebConnectionRefused or ErrorIds.WebDnsFailure;
        bool notTaken = failure.InnerException is WebResponseException { StatusCode: 408 or 429 };
        if (!neverReached && !notTaken)
        {
            failure.Retryable = false;
            failure.RetryAfter = null;
        }

        return failure;
    }
}
