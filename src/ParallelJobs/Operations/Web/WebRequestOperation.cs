using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using ParallelJobs.Engine;
using ParallelJobs.Json;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Invoke-ParallelWebRequest's item: one HTTP request on the run's shared HttpClient. The worker is a
/// dedicated thread, so it waits for the async request in place; the request's own I/O runs on the
/// thread pool, which nothing here blocks. Timeouts and Ctrl+C arrive through the token.
/// </summary>
internal sealed class WebRequestOperation : IItemOperation, IDisposable
{
    private readonly HttpClient _client;
    private readonly WebRequestDefaults _defaults;
    private readonly WebContentMode _mode;
    private readonly bool _skipHttpErrorCheck;
    private readonly WebResendPolicy _resend;
    private readonly WebRequestSettings _settings;

    public WebRequestOperation(HttpClient client, WebRequestDefaults defaults, WebContentMode mode, bool skipHttpErrorCheck, WebResendPolicy resend,
        WebRequestSettings? settings = null)
    {
        _client = client;
        _defaults = defaults;
        _mode = mode;
        _skipHttpErrorCheck = skipHttpErrorCheck;
        _resend = resend;
        _settings = settings ?? new WebRequestSettings();
    }

    public IList? Execute(WorkItem item, ItemContext context, CancellationToken token)
    {
        WebRequestSpec spec = WebRequestSpec.From(item.Input, _defaults);
        return Fetch(spec, item, item.Attempts, item.Index.ToString(CultureInfo.InvariantCulture), (item.Index, 0), context, token,
            firstPaced: PacedAtStart);
    }

    /// <summary>
    /// True when the engine waits for the first request's host before the attempt begins (RunOptions.StartPacer with
    /// <see cref="PaceKeyOf"/>), so the wait for -RatePerSecond does not count toward the item's timeout.
    /// </summary>
    internal bool PacedAtStart { get; set; }

    /// <summary>The pacing key (host and port) of an item's first request, or null when the item is no usable request.</summary>
    internal string? PaceKeyOf(WorkItem item)
    {
        try
        {
            return WebRequestSpec.From(item.Input, _defaults).Uri.Authority;
        }
        catch (ItemOperationException)
        {
            return null;
        }
    }

    /// <summary>Waits for the host's turn (-RatePerSecond, Retry-After pauses) before a request that is not sent yet.</summary>
    internal void PaceFirst(Uri uri, CancellationToken token) => Pace(uri, token);

    /// <summary>
    /// One request, and with -FollowRelLink the pages its Link: rel="next" headers lead to, in order. A later page
    /// that fails is an error of the item beside the pages before it, as Invoke-RestMethod has written those by then.
    /// <paramref name="guardItem"/> is the engine's item whose timeout retries the request (null: the caller retries).
    /// </summary>
    internal List<object?> Fetch(WebRequestSpec spec, WorkItem? guardItem, int attempts, string owner, (long, int) position, ItemContext context, CancellationToken token,
        Action<ItemOperationException>? laterPageFailed = null, bool firstPaced = false)
    {
        var pages = new List<object?>();
        ParallelWebResponse page = FetchOne(spec, guardItem, attempts, owner, position, context, token, firstPaced);
        pages.Add(page);
        while (_settings.FollowRelLink && pages.Count < _settings.MaximumFollowRelLink
            && RelLink.Next(page.Headers, page.Uri) is { } next)
        {
            if (page.Uri.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
            {
                context.WriteWarning($"{page.Uri}: the next page {next} is not followed: it would leave https for http.");
                break;
            }

            if (_settings.Verbose)
            {
                context.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Following rel link {0}", next.AbsoluteUri));
            }

            try
            {
                page = FetchOne(spec.ForPage(next, keepAuthorization: IsSameOrigin(next, spec.Uri)), guardItem, attempts, owner, position, context, token);
            }
            catch (ItemOperationException ex)
            {
                if (laterPageFailed is not null)
                {
                    laterPageFailed(ex);
                }
                else
                {
                    context.WriteError(new ErrorRecord(ex, ex.ErrorId, ex.Category, guardItem?.Input ?? spec.Uri));
                }

                break;
            }

            pages.Add(page);
        }

        return pages;
    }

    private static bool IsSameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    private ParallelWebResponse FetchOne(WebRequestSpec spec, WorkItem? guardItem, int attempts, string owner, (long, int) position, ItemContext context, CancellationToken token,
        bool firstPaced = false)
    {
        CheckSecretScheme(spec.Uri);
        WebRequestSpec.CheckHeader("User-Agent", _settings.UserAgent);
        foreach (KeyValuePair<string, string> header in _settings.SessionHeaders)
        {
            WebRequestSpec.CheckHeader(header.Key, header.Value);
        }

        bool guarded = guardItem is not null && _resend.Guards(spec.Method);
        if (guarded)
        {
            // Only the engine's own timeout retries a request that was sent; for POST and PATCH that is one send too many.
            _resend.RefuseResend(guardItem!, spec);
        }

        using CancellationTokenSource? deadline = guarded ? _resend.StartDeadline(token) : null;
        CancellationToken requestToken = deadline?.Token ?? token;
        long started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        byte[] bytes;
        DownloadedFile? saved = null;
        Uri answered = spec.Uri;
        try
        {
            if (guarded)
            {
                _resend.Sending(guardItem!);
            }

            response = SendFollowingRedirects(spec, context, requestToken, firstPaced, out answered);
            try
            {
                if (_settings.Download is { } download && (int)response.StatusCode < 400)
                {
                    saved = download.Save(response, answered, owner, position, _settings.MaximumResponseBytes, requestToken);
                    bytes = Array.Empty<byte>();
                }
                else
                {
                    bytes = ReadBody(response, answered, requestToken);
                }
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (deadline is not null && deadline.IsCancellationRequested)
        {
            _resend.Settled(guardItem!);
            throw _resend.TimedOut(spec, ex);
        }
        catch (ItemOperationException)
        {
            Settle(guardItem);
            throw;
        }
        catch (Exception ex)
        {
            Settle(guardItem);
            throw _resend.Judge(WebFailure.FromException(ex, spec.Method, answered), spec.Method);
        }

        Settle(guardItem);
        using (response)
        {
            if (_settings.Verbose && saved is not null)
            {
                context.WriteVerbose($"File Name: {saved.Name}");
            }

            TimeSpan elapsed = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency);
            int status = (int)response.StatusCode;
            MediaTypeHeaderValue? contentType = response.Content?.Headers.ContentType;
            bool failed = status >= 400 && !_skipHttpErrorCheck;

            // An error page is kept as text for the error message: it is often not the JSON the caller expects.
            object? content = saved is not null ? null : failed ? TextOf(bytes, contentType) : ReadContent(bytes, contentType, answered);
            var result = new ParallelWebResponse(answered, spec.Method.Method, status, response.ReasonPhrase, contentType?.MediaType,
                ReadHeaders(response), content, elapsed, attempts);
            if (saved is not null)
            {
                result.Download = saved;
                _settings.Download!.Bind(saved, path => result.OutFile = path);
            }
            if (failed)
            {
                throw _resend.Judge(WebFailure.FromStatus(result, spec.Method, WebFailure.ReadRetryAfter(response)), spec.Method);
            }

            return result;
        }
    }

    private void Settle(WorkItem? guardItem)
    {
        if (guardItem is not null)
        {
            _resend.Settled(guardItem);
        }
    }

    /// <summary>
    /// Waits for the host's next start under -RatePerSecond, and for any pause a Retry-After of that host asked for.
    /// The key is host and port, as the per-host connection limit counts them.
    /// </summary>
    private void Pace(Uri uri, CancellationToken token)
    {
        if (_settings.Pacer is { } pacer && !pacer.Wait(uri.Authority, token))
        {
            token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A 429 or 503 with Retry-After holds back every later request to that host, not only this item's retry.</summary>
    private void PauseIfAsked(HttpResponseMessage response, Uri uri, ItemContext context)
    {
        int code = (int)response.StatusCode;
        if (_settings.Pacer is not { } pacer || code is not (429 or 503) || WebFailure.ReadRetryAfter(response) is not { } asked || asked <= TimeSpan.Zero)
        {
            return;
        }

        // A server may ask for hours; the run waits no longer than a retry would (ItemPolicy's cap).
        TimeSpan pause = asked < MaxPause ? asked : MaxPause;
        pacer.Pause(uri.Authority, pause);
        context.WriteVerbose(string.Format(CultureInfo.InvariantCulture,
            "{0} answered {1} with Retry-After: new requests to {2} wait {3:0.###} s.", uri, code, uri.Authority, pause.TotalSeconds));
    }

    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(300);

    /// <summary>-OutFile or -OutDirectory, or null.</summary>
    internal WebDownload? Download => _settings.Download;

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Sends the request and follows up to -MaximumRedirection redirects itself (HttpClient's own following
    /// stops silently at its limit and follows https to http). As Invoke-RestMethod and HttpClient: 303, and
    /// 301 or 302 after a POST, go on as GET without the body; 307 and 308 keep the method and body. The
    /// Authorization header is not sent on after a redirect, as Invoke-RestMethod does not.
    /// </summary>
    private HttpResponseMessage SendFollowingRedirects(WebRequestSpec spec, ItemContext context, CancellationToken token, bool firstPaced, out Uri answered)
    {
        Uri current = spec.Uri;
        HttpMethod method = spec.Method;
        bool withBody = true;
        for (int redirects = 0; ; redirects++)
        {
            HttpResponseMessage response;
            using (HttpRequestMessage request = BuildRequest(spec, method, current, withBody, redirected: redirects > 0 || spec.DropAuthorization))
            {
                if (redirects > 0 || !firstPaced)
                {
                    Pace(current, token);
                }

                if (_settings.Verbose)
                {
                    context.WriteVerbose(WebVerbose.Request(request, _settings.Download?.Describe()));
                }

                response = _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).GetAwaiter().GetResult();
            }

            if (_settings.Verbose)
            {
                context.WriteVerbose(WebVerbose.Response(response));
            }

            PauseIfAsked(response, current, context);

            int code = (int)response.StatusCode;
            Uri? location = response.Headers.Location;
            if (code is not (301 or 302 or 303 or 307 or 308) || location is null)
            {
                answered = current;
                return response;
            }

            response.Dispose();
            Uri next = location.IsAbsoluteUri ? location : new Uri(current, location);
            if (redirects >= _settings.MaximumRedirection)
            {
                throw new ItemOperationException(ErrorIds.WebTooManyRedirects, ErrorCategory.InvalidOperation,
                    $"{spec.Method} {spec.Uri}: redirected more than {_settings.MaximumRedirection} time(s) (-MaximumRedirection); the last answer was {code} to {next}.")
                { Retryable = false };
            }

            if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            {
                throw Insecure(spec, current, next, $"to a {next.Scheme} URI, which is not http or https");
            }

            if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
            {
                throw Insecure(spec, current, next, "from https to http, which would send the request and its answer unencrypted");
            }

            if (code == 303 ? method != HttpMethod.Head : code is 301 or 302 && method == HttpMethod.Post)
            {
                method = HttpMethod.Get;
                withBody = false;
            }

            current = next;
        }
    }

    private static ItemOperationException Insecure(WebRequestSpec spec, Uri from, Uri to, string why) =>
        new(ErrorIds.WebInsecureRedirect, ErrorCategory.SecurityError,
            $"{spec.Method} {spec.Uri}: {from} redirects to {to}; a redirect {why} is not followed.")
        { Retryable = false };

    /// <summary>As Invoke-RestMethod: a password or token goes over https only, unless -AllowUnencryptedAuthentication.</summary>
    private void CheckSecretScheme(Uri uri)
    {
        if (_settings.SendsSecret && !_settings.AllowUnencryptedAuthentication && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ItemOperationException(ErrorIds.WebUnencryptedAuthentication, ErrorCategory.SecurityError,
                $"{uri}: -Authentication and -Credential send their secret over https only; -AllowUnencryptedAuthentication sends it over http too.")
            { Retryable = false };
        }
    }

    /// <summary>
    /// Reads the body as it arrives, decompressed, and stops at -MaximumResponseSizeMB: a small gzip that inflates
    /// to gigabytes, or a body that never ends, costs no more memory than the cap.
    /// </summary>
    private byte[] ReadBody(HttpResponseMessage response, Uri uri, CancellationToken token)
    {
        if (response.Content is null)
        {
            return Array.Empty<byte>();
        }

        long cap = _settings.MaximumResponseBytes;
        long? declared = response.Content.Headers.ContentLength;
        if (declared > cap)
        {
            throw TooLarge(uri, cap, $"it declares {declared} bytes");
        }

        using Stream stream = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
        using var body = new MemoryStream(declared is > 0 ? (int)declared.Value : 0);
        byte[] chunk = new byte[81920];
        while (true)
        {
            int read = stream.ReadAsync(chunk, 0, chunk.Length, token).GetAwaiter().GetResult();
            if (read == 0)
            {
                break;
            }

            if (body.Length + read > cap)
            {
                throw TooLarge(uri, cap, "more arrived");
            }

            body.Write(chunk, 0, read);
        }

        return body.Length == body.Capacity ? body.GetBuffer() : body.ToArray();
    }

    internal static ItemOperationException TooLarge(Uri uri, long cap, string why) =>
        new(ErrorIds.WebResponseTooLarge, ErrorCategory.LimitsExceeded,
            string.Format(CultureInfo.InvariantCulture,
                "The response from {0} is larger than -MaximumResponseSizeMB ({1:0.###} MB after decompression): {2}. The rest was not read.",
                uri, cap / (1024.0 * 1024.0), why))
        { Retryable = false };

    private HttpRequestMessage BuildRequest(WebRequestSpec spec, HttpMethod method, Uri uri, bool withBody, bool redirected)
    {
        var request = new HttpRequestMessage(method, uri);
        string? contentType = spec.ContentType;
        var contentHeaders = new List<KeyValuePair<string, string>>();
        if (_settings.UserAgent is { } userAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        if (_settings.Authorization is { } authorization && !redirected)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (KeyValuePair<string, string> header in Concat(_settings.SessionHeaders, spec.Headers))
        {
            if (header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = header.Value;
                continue;
            }

            if (redirected && header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.Headers.Remove(header.Key);
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                // Content-Length, Content-Encoding and the like belong to the body.
                contentHeaders.Add(header);
            }
        }

        request.Content = withBody ? RequestBody.Build(spec.Body, method, ref contentType) : null;
        if (request.Content is not null)
        {
            if (contentType is not null)
            {
                request.Content.Headers.Remove("Content-Type");
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            foreach (KeyValuePair<string, string> header in contentHeaders)
            {
                request.Content.Headers.Remove(header.Key);
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return request;
    }

    private static IEnumerable<KeyValuePair<string, string>> Concat(List<KeyValuePair<string, string>> first, List<KeyValuePair<string, string>> second)
    {
        foreach (KeyValuePair<string, string> pair in first)
        {
            yield return pair;
        }

        foreach (KeyValuePair<string, string> pair in second)
        {
            yield return pair;
        }
    }

    private object? ReadContent(byte[] bytes, MediaTypeHeaderValue? contentType, Uri uri)
    {
        string? mediaType = contentType?.MediaType;
        bool parse = _mode == WebContentMode.Json || (_mode == WebContentMode.Auto && ResponseBody.IsJson(mediaType));
        if (!parse)
        {
            return _mode == WebContentMode.Raw || ResponseBody.IsText(mediaType) ? ResponseBody.Decode(bytes, contentType) : bytes;
        }

        string text = ResponseBody.Decode(bytes, contentType);
        if (text.Trim().Length == 0)
        {
            // As Invoke-RestMethod: an empty body is the empty string, not $null.
            return text;
        }

        try
        {
            return PowerShellJson.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new ItemOperationException(ErrorIds.WebInvalidJson, ErrorCategory.InvalidData,
                $"The response from {uri} is not valid JSON: {ex.Message} Use -Raw to get the text as it is.", ex)
            { Retryable = false };
        }
    }

    private static string? TextOf(byte[] bytes, MediaTypeHeaderValue? contentType) =>
        ResponseBody.IsText(contentType?.MediaType) ? ResponseBody.Decode(bytes, contentType) : null;

    private static IDictionary<string, string> ReadHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        if (response.Content is not null)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Content.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }
        }

        return headers;
    }
}
