using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Text;
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
[OutputType(typeof(ParallelWebResponse), typeof(PSObject), typeof(ParallelJobResult))]
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
    [ArgumentCompleter(typeof(HttpMethodCompleter))]
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

    /// <summary>
    /// Invoke-RestMethod's name for the per-request timeout (0: none). Being a parameter of its own, it is an
    /// exact match, so it never prefix-matches the run-wide -TimeoutSeconds.
    /// </summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>Invoke-RestMethod's name for -RetryCount.</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int MaximumRetryCount { get; set; }

    /// <summary>Invoke-RestMethod's name for -RetryDelay; with -MaximumRetryCount alone it is 5, as there.</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public int RetryIntervalSec { get; set; } = InvokeRestMethodRetryInterval;

    [Parameter]
    public SwitchParameter RetryNonIdempotent { get; set; }

    /// <summary>As Invoke-RestMethod: how many redirects a request follows; one more is a WebTooManyRedirects error.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int MaximumRedirection { get; set; } = WebRequestSettings.DefaultMaximumRedirection;

    /// <summary>The most a response body may hold after decompression, in MB; more is a WebResponseTooLarge error.</summary>
    [Parameter]
    [ValidateRange(1, 1024 * 1024)]
    public int MaximumResponseSizeMB { get; set; } = WebRequestSettings.DefaultMaximumResponseSizeMB;

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>As Invoke-RestMethod's -Authentication: None (the default), Basic (with -Credential), Bearer or OAuth (with -Token).</summary>
    [Parameter]
    [ValidateSet("None", "Basic", "Bearer", "OAuth", IgnoreCase = true)]
    public string Authentication { get; set; } = "None";

    [Parameter]
    [ValidateNotNull]
    public SecureString? Token { get; set; }

    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    [Parameter]
    [ValidateNotNull]
    public string? UserAgent { get; set; }

    /// <summary>
    /// A Microsoft.PowerShell.Commands.WebRequestSession, as Invoke-RestMethod takes it. Read through PSObject, so
    /// the module needs no reference to PowerShell's utility assembly.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public PSObject? WebSession { get; set; }

    /// <summary>
    /// Named request templates, one entity per input: @{ Orders = 'https://api/users/{0}/orders' } sends each
    /// template for each input and writes one object per input with a property per template.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? Request { get; set; }

    /// <summary>At most this many requests per second start to any one host (host and port), evenly spaced.</summary>
    [Parameter]
    [ValidateRange(0.001, 1000000.0)]
    public double RatePerSecond { get; set; }

    /// <summary>Writes the one response's body to this file (temporary file, then renamed into place).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>Writes each response's body to its own file in this folder, named from Content-Disposition or the URL.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutDirectory { get; set; }

    /// <summary>As Invoke-RestMethod: follows Link: rel="next" and writes every page.</summary>
    [Parameter]
    [Alias("FL")]
    public SwitchParameter FollowRelLink { get; set; }

    /// <summary>As Invoke-RestMethod: the most pages -FollowRelLink fetches for one request, the first one included.</summary>
    [Parameter]
    [Alias("ML")]
    [ValidateRange(1, int.MaxValue)]
    public int MaximumFollowRelLink { get; set; } = int.MaxValue;

    private const int InvokeRestMethodRetryInterval = 5;

    // -Request, read once at the start; and the per-request retry settings the entity operation applies itself.
    private List<RequestTemplate>? _templates;
    private int _entityRetryCount;
    private TimeSpan _entityRetryDelay;
    private TimeSpan? _entityTimeout;
    private string? _outFile;
    private long _inputs;

    protected override int DefaultThrottleLimit => 16;

    protected override string LogSignature =>
        $"{Method ?? "GET"}|{ContentMode}|{SkipHttpErrorCheck.IsPresent}|{Body}|{ContentType}"
        + (Request is null ? string.Empty : "|" + string.Join(";", Request.Keys.Cast<object>().Select(k => $"{k}={Request[k]}")));

    private WebContentMode ContentMode => AsJson ? WebContentMode.Json : Raw ? WebContentMode.Raw : WebContentMode.Auto;

    internal override void Configure(RunOptions options)
    {
        // -ItemTimeoutSeconds (or -TimeoutSec) is the per-request timeout; without it, HttpClient's usual 100 s applies.
        if (IsBound(nameof(TimeoutSec)))
        {
            options.ItemTimeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null;
        }
        else
        {
            options.ItemTimeout ??= DefaultRequestTimeout;
        }

        if (IsBound(nameof(MaximumRetryCount)))
        {
            options.RetryCount = MaximumRetryCount;
            if (!IsBound(nameof(RetryDelay)))
            {
                options.RetryDelay = TimeSpan.FromSeconds(RetryIntervalSec);
            }
        }
        else if (IsBound(nameof(RetryIntervalSec)))
        {
            options.RetryDelay = TimeSpan.FromSeconds(RetryIntervalSec);
        }

        if (_templates is not null)
        {
            // An entity's retries and timeouts are per request, inside its item: a retry of the whole item would
            // send its requests that succeeded again.
            _entityRetryCount = options.RetryCount;
            _entityRetryDelay = options.RetryDelay;
            _entityTimeout = options.ItemTimeout;
            options.RetryCount = 0;
            options.ItemTimeout = null;
        }
    }

    internal override IRunnerFactory CreateRunnerFactory(RunOptions options)
    {
        int perHost = MaxPerHost > 0 ? Math.Min(MaxPerHost, options.ThrottleLimit) : options.ThrottleLimit;
        var session = WebSession is null ? null : WebSessionReader.Read(WebSession);
        var clientOptions = new WebClientOptions
        {
            MaxConnectionsPerHost = perHost,
            SkipCertificateCheck = SkipCertificateCheck,
            Cookies = session?.Cookies,
            Credentials = Authentication == "None" && Credential is not null ? Credential.GetNetworkCredential() : session?.Credentials,
        };

        // Redirects are followed by the operation, which counts them and refuses https to http.
        HttpClient client = WebClientFactory.Create(clientOptions, followRedirects: false);
        var settings = new WebRequestSettings
        {
            MaximumRedirection = MaximumRedirection,
            MaximumResponseBytes = MaximumResponseSizeMB * 1024L * 1024L,
            UserAgent = UserAgent ?? session?.UserAgent,
            Authorization = AuthorizationHeader(),
            SendsSecret = Authentication != "None" || Credential is not null,
            AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            // Always there: without -RatePerSecond it paces nothing, but still holds the pauses Retry-After asks for.
            Pacer = new RatePacer(RatePerSecond),
            Verbose = VerboseWanted(),
            FollowRelLink = FollowRelLink,
            MaximumFollowRelLink = MaximumFollowRelLink,
            Download = _outFile is not null ? WebDownload.ToFile(_outFile)
                : OutDirectory is not null ? WebDownload.ToDirectory(GetUnresolvedProviderPathFromPSPath(OutDirectory), ordered: !Unordered) : null,
        };
        if (session is not null)
        {
            settings.SessionHeaders.AddRange(session.Headers);
        }

        var defaults = new WebRequestDefaults { Method = Method, Headers = Headers, Body = Body is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : Body, ContentType = ContentType };
        var resend = new WebResendPolicy(RetryNonIdempotent, options.RetryCount, options.ItemTimeout);
        var web = new WebRequestOperation(client, defaults, ContentMode, SkipHttpErrorCheck, resend, settings);
        if (_templates is not null)
        {
            return new OperationRunnerFactory(new WebEntityOperation(web, _templates, defaults, _entityRetryCount, _entityRetryDelay,
                _entityTimeout, RetryNonIdempotent));
        }

        // One request per item: its host's turn is waited for before the attempt begins, so the wait does not count
        // toward -ItemTimeoutSeconds (the engine's watchdog starts with the attempt). One item per batch, so that no
        // item waits behind another host's turn on the same worker.
        options.StartPacer = settings.Pacer;
        options.StartPacerKey = web.PaceKeyOf;
        web.PacedAtStart = true;
        if (RatePerSecond > 0)
        {
            options.BatchSize = 1;
        }

        return new OperationRunnerFactory(web);
    }

    /// <summary>-Verbose, or $VerbosePreference: the per-request lines cost nothing when nobody reads them.</summary>
    private bool VerboseWanted()
    {
        if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object? verbose))
        {
            return verbose is SwitchParameter { IsPresent: true } || verbose is true;
        }

        return LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
            && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    /// <summary>-Request's templates, in the order of an [ordered] dictionary, else by name.</summary>
    private List<RequestTemplate> ReadTemplates(IDictionary request)
    {
        var names = new List<string>();
        foreach (object key in request.Keys)
        {
            string name = (key is PSObject pso ? pso.BaseObject : key)?.ToString() ?? string.Empty;
            if (name.Trim().Length == 0 || ReservedEntityNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-Request: '{name}' cannot name a request: each name becomes a property of the result, beside {string.Join(", ", ReservedEntityNames)}."),
                    ErrorIds.WebRequestTemplateInvalid, ErrorCategory.InvalidArgument, request));
            }

            names.Add(name);
        }

        if (request is not OrderedDictionary)
        {
            names.Sort(StringComparer.OrdinalIgnoreCase);
        }

        var templates = new List<RequestTemplate>();
        foreach (string name in names)
        {
            try
            {
                templates.Add(RequestTemplate.Parse(name, request[name]));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.WebRequestTemplateInvalid, ErrorCategory.InvalidArgument, request));
            }
        }

        if (templates.Count == 0)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Request holds no request: give at least one name and URI template."),
                ErrorIds.WebRequestTemplateInvalid, ErrorCategory.InvalidArgument, request));
        }

        return templates;
    }

    private static readonly string[] ReservedEntityNames = { "Input", "Errors", "Responses" };

    /// <summary>The Authorization header of -Authentication Basic or Bearer, as Invoke-RestMethod writes it.</summary>
    private string? AuthorizationHeader()
    {
        switch (Authentication)
        {
            case "Basic":
                NetworkCredential basic = Credential!.GetNetworkCredential();
                string user = string.IsNullOrEmpty(basic.Domain) ? basic.UserName : basic.Domain + "\\" + basic.UserName;
                return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + basic.Password));
            case "Bearer":
            case "OAuth":
                return "Bearer " + new NetworkCredential(string.Empty, Token).Password;
            default:
                return null;
        }
    }

    /// <summary>-Authentication's needs, as Invoke-RestMethod checks them: Basic takes -Credential, Bearer takes -Token.</summary>
    private void CheckAuthentication()
    {
        Authentication = Authentication.Equals("oauth", StringComparison.OrdinalIgnoreCase) ? "OAuth"
            : char.ToUpperInvariant(Authentication[0]) + Authentication.Substring(1).ToLowerInvariant();
        string? problem = Authentication switch
        {
            "Basic" when Credential is null => "-Authentication Basic needs -Credential.",
            "Basic" when Token is not null => "-Authentication Basic takes -Credential, not -Token.",
            "Bearer" or "OAuth" when Token is null => $"-Authentication {Authentication} needs -Token.",
            "Bearer" or "OAuth" when Credential is not null => $"-Authentication {Authentication} takes -Token, not -Credential.",
            "None" when Token is not null => "-Token needs -Authentication Bearer (or OAuth).",
            _ => null,
        };
        if (problem is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), ErrorIds.WebAuthenticationInvalid, ErrorCategory.InvalidArgument, null));
        }
    }

    protected override void BeginProcessing()
    {
        if (AsJson && Raw)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-AsJson parses every body as JSON and -Raw keeps every body as text: use one of them."),
                ErrorIds.AsJsonWithRaw, ErrorCategory.InvalidArgument, null));
        }

        // Invoke-RestMethod's names and the module's own say the same thing: one of each pair, not both.
        Conflict(nameof(TimeoutSec), nameof(ItemTimeoutSeconds));
        Conflict(nameof(MaximumRetryCount), nameof(RetryCount));
        Conflict(nameof(RetryIntervalSec), nameof(RetryDelay));
        CheckAuthentication();
        Conflict(nameof(OutFile), nameof(OutDirectory), "-OutFile names one file and -OutDirectory a folder for many: give one of them.");
        Conflict(nameof(OutFile), nameof(Request), "-OutFile names one file, and -Request sends several requests per input: use -OutDirectory.");
        Conflict(nameof(FollowRelLink), nameof(OutFile), "-FollowRelLink writes several pages, which -OutFile cannot hold: leave one of them out.");
        Conflict(nameof(FollowRelLink), nameof(OutDirectory), "-FollowRelLink with -OutDirectory is not supported: leave one of them out.");
        if (Request is not null)
        {
            _templates = ReadTemplates(Request);
        }

        if (OutFile is not null)
        {
            _outFile = GetUnresolvedProviderPathFromPSPath(OutFile);
        }

        if (WebSession is not null && !WebSessionReader.IsSession(WebSession))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-WebSession takes a Microsoft.PowerShell.Commands.WebRequestSession (New-Object Microsoft.PowerShell.Commands.WebRequestSession, or Invoke-RestMethod's -SessionVariable), not a {WebSession.BaseObject.GetType().FullName}."),
                ErrorIds.WebInvalidInput, ErrorCategory.InvalidArgument, WebSession));
        }

        if (SkipCertificateCheck)
        {
            WriteWarning("-SkipCertificateCheck: server certificates are not checked in this run, so anyone on the network path can read and change its requests and answers.");
        }

        base.BeginProcessing();
    }

    private bool IsBound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    private void Conflict(string restMethodName, string ownName, string? message = null)
    {
        if (IsBound(restMethodName) && IsBound(ownName))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException(message ?? $"-{restMethodName} is Invoke-RestMethod's name for -{ownName}: give one of them."),
                ErrorIds.WebParameterConflict, ErrorCategory.InvalidArgument, null));
        }
    }

    /// <summary>-OutFile holds one body: the second input is refused (and sent nowhere) rather than overwrite the first.</summary>
    private void EnqueueRequest(object? input)
    {
        if (_outFile is not null && ++_inputs > 1)
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"-OutFile names one file ({_outFile}), and this is input {_inputs}: use -OutDirectory to save many responses."),
                ErrorIds.WebOutFileManyInputs, ErrorCategory.InvalidArgument, input));
            return;
        }

        Enqueue(input);
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
                EnqueueRequest(input);
            }

            return;
        }

        EnqueueRequest(InputObject);
    }
}
