using System;
using System.Net.Http;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Which methods may be sent twice. GET, HEAD, PUT, DELETE, OPTIONS and TRACE are idempotent (RFC 9110,
/// 9.2.2): a second copy does no more than the first. POST, PATCH and unknown methods are not, so once such
/// a request may have reached the server it is not sent again unless -RetryNonIdempotent says so.
/// </summary>
internal static class HttpMethodSafety
{
    private static readonly string[] Idempotent = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE" };

    public static bool IsIdempotent(HttpMethod method) =>
        Array.IndexOf(Idempotent, method.Method.ToUpperInvariant()) >= 0;
}
