using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
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

    public WebRequestOperation(HttpClient client, WebRequestDefaults defaults, WebContentMode mode, bool skipHttpErrorCheck)
    {
        _client = client;
        _defaults = defaults;
        _mode = mode;
        _skipHttpErrorCheck = skipHttpErrorCheck;
    }

    public IList? Execute(WorkItem item, ItemContext context, CancellationToken token)
    {
        WebRequestSpec spec = WebRequestSpec.From(item.Input, _defaults);
        using HttpRequestMessage request = BuildRequest(spec);
        long started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        byte[] bytes;
        try
        {
            response = _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).GetAwaiter().GetResult();
            bytes = response.Content is null ? Array.Empty<byte>() : response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not ItemOperationException)
        {
            throw WebFailure.FromException(ex, spec.Method, spec.Uri);
        }

        using (response)
        {
            TimeSpan elapsed = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency);
            int status = (int)response.StatusCode;
            MediaTypeHeaderValue? contentType = response.Content?.Headers.ContentType;
            Uri answered = response.RequestMessage?.RequestUri ?? spec.Uri;
            bool failed = status >= 400 && !_skipHttpErrorCheck;

            // An error page is kept as text for the error message: it is often not the JSON the caller expects.
            object? content = failed ? TextOf(bytes, contentType) : ReadContent(bytes, contentType, answered);
            var result = new ParallelWebResponse(answered, spec.Method.Method, status, response.ReasonPhrase, contentType?.MediaType,
                ReadHeaders(response), content, elapsed, item.Attempts);
            if (failed)
            {
                throw WebFailure.FromStatus(result, spec.Method, WebFailure.ReadRetryAfter(response));
            }

            return new object[] { result };
        }
    }

    public void Dispose() => _client.Dispose();

    private static HttpRequestMessage BuildRequest(WebRequestSpec spec)
    {
        var request = new HttpRequestMessage(spec.Method, spec.Uri);
        string? contentType = spec.ContentType;
        var contentHeaders = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, string> header in spec.Headers)
        {
            if (header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = header.Value;
                continue;
            }

            request.Headers.Remove(header.Key);
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                // Content-Length, Content-Encoding and the like belong to the body.
                contentHeaders.Add(header);
            }
        }

        request.Content = BuildContent(spec.Body, ref contentType);
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

    private static HttpContent? BuildContent(object? body, ref string? contentType)
    {
        switch (body)
        {
            case null:
                return null;
            case byte[] bytes:
                contentType ??= "application/octet-stream";
                return new ByteArrayContent(bytes);
            case string text:
                contentType ??= "text/plain; charset=utf-8";
                return new ByteArrayContent(new UTF8Encoding(false).GetBytes(text));
            default:
                contentType ??= "application/json; charset=utf-8";
                return new ByteArrayContent(new UTF8Encoding(false).GetBytes(JsonWriter.Write(body)));
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
            return null;
        }

        try
        {
            return JsonParser.Parse(text);
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
