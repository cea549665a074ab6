using System;
using System.Collections;
using System.Management.Automation;
using System.Net.Http;
using ParallelJobs.Engine;
using ParallelJobs.Operations;
using ParallelJobs.Operations.Web;

namespace ParallelJobs.Commands;

/// <summary>
/// Invoke-ParallelWebRequest: sends one HTTP request per input item on the worker pool, with no runspace,
/// over one shared, pooled HttpClient, and writes the responses in input order. Retries (-RetryCount)
/// and timeouts (-ItemTimeoutSeconds) are the engine's; the operation says which failures are worth
/// retrying and how long the server asked to wait (Retry-After).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ParallelWebRequest")]
[OutputType(typeof(ParallelWebResponse), typeof(ParallelJobResult))]
public sealed class InvokeParallelWebRequestCommand : ParallelCommandBase
{
    /// <summary>As HttpClient's own default: a request with no answer after this long is given up.</summary>
    internal static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(100);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Alias("Uri")]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Method { get; set; }

    [Parameter]
    [ValidateNotNull]
    public IDictionary? Headers { get; set; }

    [Parameter]
    public object? Body { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ContentType { get; set; }

    [Parameter]
    public SwitchParameter AsJson { get; set; }

    [Parameter]
    public SwitchParameter Raw { get; set; }

    [Parameter]
    public SwitchParameter SkipHttpErrorCheck { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxPerHost { get; set; }

    protected override int DefaultThrottleLimit => 16;

    protected override string LogSignature =>
        $"{Method ?? "GET"}|{ContentMode}|{SkipHttpErrorCheck.IsPresent}|{Body}|{ContentType}";

    private WebContentMode ContentMode => AsJson ? WebContentMode.Json : Raw ? WebContentMode.Raw : WebContentMode.Auto;

    internal override void Configure(RunOptions options)
    {
        // -ItemTimeoutSeconds is the per-request timeout; without it, HttpClient's usual 100 s applies.
        options.ItemTimeout ??= DefaultRequestTimeout;
    }

    internal override IRunnerFactory CreateRunnerFactory(RunOptions options)
    {
        int perHost = MaxPerHost > 0 ? Math.Min(MaxPerHost, options.ThrottleLimit) : options.ThrottleLimit;
        HttpClient client = WebClientFactory.Create(perHost, followRedirects: true);
        var defaults = new WebRequestDefaults { Method = Method, Headers = Headers, Body = Body is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : Body, ContentType = ContentType };
        return new OperationRunnerFactory(new WebRequestOperation(client, defaults, ContentMode, SkipHttpErrorCheck));
    }

    protected override void BeginProcessing()
    {
        if (AsJson && Raw)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-AsJson parses every body as JSON and -Raw keeps every body as text: use one of them."),
                ErrorIds.AsJsonWithRaw, ErrorCategory.InvalidArgument, null));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null)
        {
            WriteError(new ErrorRecord(
                new ArgumentNullException(nameof(InputObject), "The input is null; give a URI, or an object with a Uri property."),
                ErrorIds.WebInvalidInput, ErrorCategory.InvalidArgument, null));
            return;
        }

        bool fromParameter = !MyInvocation.ExpectingInput;
        object value = InputObject.BaseObject;
        if (fromParameter && value is not string && value is not IDictionary && LanguagePrimitives.GetEnumerable(value) is { } many)
        {
            if (many is ICollection collection)
            {
                SetKnownTotal(collection.Count);
            }

            foreach (object? input in many)
            {
                Enqueue(input);
            }

            return;
        }

        Enqueue(InputObject);
    }
}
