using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Turns what HttpClient throws, or an HTTP error status, into a per-item error with a stable id, and
/// says whether another attempt (-RetryCount) could help.
/// </summary>
internal static class WebFailure
{
    /// <summary>For a request that got no response at all.</summary>
    public static ItemOperationException FromException(Exception ex, HttpMethod method, Uri uri)
    {
        string what = $"{method} {uri}";
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                switch (socket.SocketErrorCode)
                {
                    case SocketError.ConnectionRefused:
                        return new ItemOperationException(ErrorIds.WebConnectionRefused, ErrorCategory.ConnectionError,
                            $"{what}: the connection was refused by {uri.Authority}; nothing is listening on that port.", ex);
                    case SocketError.HostNotFound:
                    case SocketError.NoData:
                        return new ItemOperationException(ErrorIds.WebDnsFailure, ErrorCategory.ResourceUnavailable,
                            $"{what}: the host name '{uri.Host}' could not be resolved (DNS).", ex) { Retryable = false };
                    case SocketError.TryAgain:
                        return new ItemOperationException(ErrorIds.WebDnsFailure, ErrorCategory.ResourceUnavailable,
                            $"{what}: the host name '{uri.Host}' could not be resolved for now (DNS server failure).", ex);
                }
            }

            if (e is WebException web)
            {
                // .NET Framework (Windows PowerShell 5.1) reports these through WebException.Status.
                switch (web.Status)
                {
                    case WebExceptionStatus.NameResolutionFailure:
                        return new ItemOperationException(ErrorIds.WebDnsFailure, ErrorCategory.ResourceUnavailable,
                            $"{what}: the host name '{uri.Host}' could not be resolved (DNS).", ex) { Retryable = false };
                    case WebExceptionStatus.ConnectFailure:
                        return new ItemOperationException(ErrorIds.WebConnectionRefused, ErrorCategory.ConnectionError,
                            $"{what}: could not connect to {uri.Authority}: {Innermost(ex).Message}", ex);
                }
            }

            if (e is AuthenticationException)
            {
                return new ItemOperationException(ErrorIds.WebConnectionFailed, ErrorCategory.SecurityError,
                    $"{what}: the secure connection failed: {Innermost(ex).Message}", ex) { Retryable = false };
            }
        }

        return new ItemOperationException(ErrorIds.WebConnectionFailed, ErrorCategory.ConnectionError,
            $"{what}: the request failed: {Innermost(ex).Message}", ex) { Retryable = ex is HttpRequestException or IOException or WebException };
    }

    /// <summary>For a response whose status is 400 or above. 408, 429 and 5xx are worth retrying.</summary>
    public static ItemOperationException FromStatus(ParallelWebResponse response, HttpMethod method, TimeSpan? retryAfter)
    {
        int code = response.StatusCode;
        bool transient = code == 408 || code == 429 || code >= 500;
        string snippet = response.Content is string text && text.Length > 0
            ? " Response: " + (text.Length > 200 ? text.Substring(0, 200) + "..." : text).Replace("\r", " ").Replace("\n", " ")
            : string.Empty;
        string reason = string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : $" ({response.ReasonPhrase})";
        var inner = new WebResponseException($"{method} {response.Uri}: the server answered {code}{reason}.{snippet}", response);
        return new ItemOperationException(ErrorIds.WebHttpError, code >= 500 ? ErrorCategory.ResourceUnavailable : ErrorCategory.InvalidOperation, inner.Message, inner)
        {
            Retryable = transient,
            RetryAfter = transient ? retryAfter : null,
        };
    }

    /// <summary>Retry-After as a wait from now: delta seconds, or an HTTP date.</summary>
    public static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}
