using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Invoke-ParallelWebRequest -Request: one item per entity, which sends each named request of the entity (one
/// after another, on the item's worker, so at most -ThrottleLimit requests of the run are in flight) and writes
/// one object with a property per request. A failed request leaves $null in its property and its error in Errors
/// (and on the error stream), and the entity's other requests still run. Retries and the request timeout are
/// per request here, not per item: a retry sends only the request that failed.
/// </summary>
internal sealed class WebEntityOperation : IItemOperation, IDisposable
{
    /// <summary>The type name of the objects written, for format views and Get-Member.</summary>
    public const string TypeName = "ParallelJobs.ParallelWebEntity";

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(300);

    private readonly WebRequestOperation _web;
    private readonly IReadOnlyList<RequestTemplate> _templates;
    private readonly WebRequestDefaults _defaults;
    private readonly int _retryCount;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan? _requestTimeout;
    private readonly bool _retryNonIdempotent;
    private readonly Random _jitter = new();

    public WebEntityOperation(WebRequestOperation web, IReadOnlyList<RequestTemplate> templates, WebRequestDefaults defaults,
        int retryCount, TimeSpan retryDelay, TimeSpan? requestTimeout, bool retryNonIdempotent)
    {
        _web = web;
        _templates = templates;
        _defaults = defaults;
        _retryCount = retryCount;
        _retryDelay = retryDelay;
        _requestTimeout = requestTimeout;
        _retryNonIdempotent = retryNonIdempotent;
    }

    public IList? Execute(WorkItem item, ItemContext context, CancellationToken token)
    {
        var entity = new PSObject();
        entity.TypeNames.Insert(0, TypeName);
        entity.Properties.Add(new PSNoteProperty("Input", item.Input));
        var responses = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        var errors = new List<ErrorRecord>();
        for (int t = 0; t < _templates.Count; t++)
        {
            RequestTemplate template = _templates[t];
            object? value = null;
            object? response = null;
            try
            {
                List<object?> pages = Send(template, t, item, context, errors, token);
                value = ContentOf(pages);
                response = pages.Count == 1 ? pages[0] : pages.ToArray();
            }
            catch (ItemOperationException ex)
            {
                Failed(template, item, ex, context, errors);
            }

            entity.Properties.Add(new PSNoteProperty(template.Name, value));
            responses[template.Name] = response;
            if (response is ParallelWebResponse { Download: { } file })
            {
                // The file may yet be renamed (an earlier entity wants its name): the property follows it. The
                // collection holds its own copy of the property, so it is looked up there.
                string name = template.Name;
                _web.Download!.Bind(file, path => entity.Properties[name].Value = path);
            }
        }

        entity.Properties.Add(new PSNoteProperty("Errors", errors.ToArray()));
        entity.Properties.Add(new PSNoteProperty("Responses", responses));
        return new object[] { entity };
    }

    public void Dispose() => _web.Dispose();

    /// <summary>The error of one request: in the entity's Errors and on the error stream, naming the request.</summary>
    private static void Failed(RequestTemplate template, WorkItem item, ItemOperationException ex, ItemContext context, List<ErrorRecord> errors)
    {
        var error = new ErrorRecord(ex, ex.ErrorId, ex.Category, item.Input)
        {
            ErrorDetails = new ErrorDetails($"{template.Name}: {ex.Message}"),
        };
        errors.Add(error);
        context.WriteError(error);
    }

    private List<object?> Send(RequestTemplate template, int place, WorkItem item, ItemContext context, List<ErrorRecord> errors, CancellationToken token)
    {
        WebRequestSpec spec = WebRequestSpec.From(template.Expand(item.Input), _defaults);
        string owner = item.Index.ToString(CultureInfo.InvariantCulture) + "-" + template.Name;
        for (int attempt = 1; ; attempt++)
        {
            ItemOperationException failure;

            // The turn for -RatePerSecond (or a Retry-After pause) is waited for before the request's timeout starts.
            _web.PaceFirst(spec.Uri, token);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                if (_requestTimeout is { } limit)
                {
                    timeout.CancelAfter(limit);
                }

                try
                {
                    return _web.Fetch(spec, null, attempt, owner, (item.Index, place), context, timeout.Token, ex => Failed(template, item, ex, context, errors),
                        firstPaced: true);
                }
                catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
                {
                    failure = new ItemOperationException(ErrorIds.ItemTimedOut, ErrorCategory.OperationTimeout,
                        string.Format(CultureInfo.InvariantCulture, "{0} {1}: no complete answer within the request timeout of {2:0.###} s.",
                            spec.Method, spec.Uri, _requestTimeout?.TotalSeconds ?? 0), ex)
                    {
                        // A request that may have reached the server is sent again only when repeats are harmless.
                        Retryable = _retryNonIdempotent || HttpMethodSafety.IsIdempotent(spec.Method),
                    };
                }
                catch (ItemOperationException ex)
                {
                    failure = ex;
                }
            }

            if (!failure.Retryable || attempt > _retryCount)
            {
                throw failure;
            }

            TimeSpan delay = RetryDelay(attempt);
            if (failure.RetryAfter is { } asked && asked > delay)
            {
                delay = asked < MaxRetryDelay ? asked : MaxRetryDelay;
            }

            context.WriteVerbose(string.Format(CultureInfo.InvariantCulture,
                "Item [{0}] {1}: attempt {2} of {3} failed ({4}); retrying in {5:0.##} s.",
                item.Index, template.Name, attempt, _retryCount + 1, failure.Message, delay.TotalSeconds));

            // The retry waits on this worker: the entity's other results wait for it anyway.
            if (token.WaitHandle.WaitOne(delay))
            {
                token.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>As the engine waits between attempts: -RetryDelay doubled per attempt, with jitter of +/-50%, capped.</summary>
    private TimeSpan RetryDelay(int attempt)
    {
        double factor;
        lock (_jitter)
        {
            factor = 0.5 + _jitter.NextDouble();
        }

        double seconds = _retryDelay.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 16)) * factor;
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelay.TotalSeconds));
    }

    /// <summary>
    /// What the request's property holds: the parsed body (Content), or the file's path with -OutDirectory; with
    /// -FollowRelLink and more than one page, one value per page in order, as Invoke-RestMethod writes them (a JSON
    /// array page stays one array).
    /// </summary>
    private static object? ContentOf(List<object?> pages)
    {
        if (pages.Count == 1)
        {
            return ValueOf(pages[0]);
        }

        var all = new object?[pages.Count];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = ValueOf(pages[i]);
        }

        return all;
    }

    private static object? ValueOf(object? page) => page is ParallelWebResponse response ? response.OutFile ?? response.Content : page;
}
