using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using ParallelJobs.Json;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Turns a -Body into request content the way Invoke-RestMethod does: a string as it is, bytes as they are,
/// a hashtable form-encoded (on GET it went into the query string already, see <see cref="FormEncode"/>),
/// and, with no Content-Type given, POST says application/x-www-form-urlencoded. Two choices of this module's
/// own: a hashtable whose Content-Type is JSON is sent as JSON, and a PSCustomObject or array as JSON
/// (Invoke-RestMethod would send its ToString() text, which no server can use).
/// </summary>
internal static class RequestBody
{
    private const string FormType = "application/x-www-form-urlencoded";

    public static HttpContent? Build(object? body, HttpMethod method, ref string? contentType)
    {
        if (body is null)
        {
            return null;
        }

        if (contentType is null && method == HttpMethod.Post && body is string or byte[] or IDictionary)
        {
            // As Invoke-RestMethod: a POST without a Content-Type is a form post.
            contentType = FormType;
        }

        switch (body)
        {
            case byte[] bytes:
                return new ByteArrayContent(bytes);
            case string text:
                return new ByteArrayContent(EncodingOf(contentType).GetBytes(text));
            case IDictionary table when !IsJson(contentType):
                contentType ??= FormType;
                return new ByteArrayContent(EncodingOf(contentType).GetBytes(FormEncode(table)));
            default:
                contentType ??= "application/json; charset=utf-8";
                return new ByteArrayContent(EncodingOf(contentType).GetBytes(PowerShellJsonWriter.Write(body)));
        }
    }

    /// <summary>key=value pairs joined by &amp;, each part URL-encoded, as Invoke-RestMethod writes a hashtable body.</summary>
    public static string FormEncode(IDictionary table)
    {
        var text = new StringBuilder();
        foreach (DictionaryEntry entry in table)
        {
            if (text.Length > 0)
            {
                text.Append('&');
            }

            text.Append(WebUtility.UrlEncode(TextOf(entry.Key))).Append('=');
            if (entry.Value is not null)
            {
                text.Append(WebUtility.UrlEncode(TextOf(entry.Value)));
            }
        }

        return text.ToString();
    }

    public static bool IsJson(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed))
        {
            return false;
        }

        return ResponseBody.IsJson(parsed.MediaType);
    }

    private static string TextOf(object? value) => value switch
    {
        null => string.Empty,
        PSObject pso => TextOf(pso.BaseObject),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>The charset the Content-Type names, else UTF-8 (as Invoke-RestMethod in PowerShell 7).</summary>
    private static Encoding EncodingOf(string? contentType)
    {
        if (contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed)
            && !string.IsNullOrEmpty(parsed.CharSet))
        {
            try
            {
                return Encoding.GetEncoding(parsed.CharSet.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: UTF-8, as for none.
            }
        }

        return new UTF8Encoding(false);
    }
}
