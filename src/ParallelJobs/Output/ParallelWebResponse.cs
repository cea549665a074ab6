using System;
using System.Collections.Generic;

namespace ParallelJobs;

/// <summary>One response written by Invoke-ParallelWebRequest.</summary>
public sealed class ParallelWebResponse
{
    internal ParallelWebResponse(Uri uri, string method, int statusCode, string? reasonPhrase, string? contentType,
        IDictionary<string, string> headers, object? content, TimeSpan elapsed, int attempts)
    {
        Uri = uri;
        Method = method;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        ContentType = contentType;
        Headers = headers;
        Content = content;
        Elapsed = elapsed;
        Attempts = attempts;
    }

    /// <summary>The URI that answered: the requested one, or where redirects led.</summary>
    public Uri Uri { get; }

    public string Method { get; }

    public int StatusCode { get; }

    public string? ReasonPhrase { get; }

    /// <summary>The media type of the body, without parameters such as charset.</summary>
    public string? ContentType { get; }

    /// <summary>Response and content headers, case-insensitive; repeated headers are joined with ", ".</summary>
    public IDictionary<string, string> Headers { get; }

    /// <summary>JSON parsed into objects, text as a string, or bytes for binary media types.</summary>
    public object? Content { get; }

    /// <summary>Time from sending the request to the end of the body, for the attempt that answered.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>How many attempts the item took, retries included.</summary>
    public int Attempts { get; }

    /// <summary>With -OutFile or -OutDirectory: the full path the body was written to (Content is then null).</summary>
    public string? OutFile { get; internal set; }

    /// <summary>The file behind <see cref="OutFile"/>, whose name may still change before the result is written.</summary>
    internal Operations.Web.DownloadedFile? Download { get; set; }

    public override string ToString() => $"{StatusCode} {Uri}";
}
