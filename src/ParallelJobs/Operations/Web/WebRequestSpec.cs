using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net.Http;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// One request, read from an input item: a URI (string or Uri), or an object or hashtable with Uri and
/// optionally Method, Headers, Body and ContentType. What the item leaves out comes from the cmdlet's parameters.
/// </summary>
internal sealed class WebRequestSpec
{
    private static readonly char[] ControlChars = { '\r', '\n', '\0' };

    private WebRequestSpec(Uri uri)
    {
        Uri = uri;
    }

    public Uri Uri { get; private set; }

    public HttpMethod Method { get; private set; } = HttpMethod.Get;

    /// <summary>Headers in the order to apply them: the cmdlet's first, then the item's, so the item's win.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = new();

    public object? Body { get; private set; }

    public string? ContentType { get; private set; }

    /// <summary>True for a page that a rel="next" link found on another origin: the Authorization header stays behind.</summary>
    public bool DropAuthorization { get; private set; }

    /// <summary>The same request for the next page of -FollowRelLink.</summary>
    public WebRequestSpec ForPage(Uri uri, bool keepAuthorization)
    {
        var page = new WebRequestSpec(uri)
        {
            Method = Method,
            Body = Body,
            ContentType = ContentType,
            DropAuthorization = DropAuthorization || !keepAuthorization,
        };
        page.Headers.AddRange(Headers);
        return page;
    }

    public static WebRequestSpec From(object? input, WebRequestDefaults defaults)
    {
        object? value = input is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : input;
        object? uriValue;
        object? method = null;
        object? headers = null;
        object? body = null;
        object? contentType = null;
        bool hasBody = false;
        switch (value)
        {
            case null:
                throw Invalid("The input is null; give a URI, or an object with a Uri property.");
            case string or System.Uri:
                uriValue = value;
                break;
            case IDictionary table:
                uriValue = Lookup(table, "Uri") ?? Lookup(table, "Url");
                method = Lookup(table, "Method");
                headers = Lookup(table, "Headers");
                hasBody = table.Contains("Body");
                body = Lookup(table, "Body");
                contentType = Lookup(table, "ContentType");
                break;
            default:
                PSObject wrapped = PSObject.AsPSObject(value);
                uriValue = Property(wrapped, "Uri") ?? Property(wrapped, "Url");
                method = Property(wrapped, "Method");
                headers = Property(wrapped, "Headers");
                hasBody = wrapped.Properties["Body"] is not null;
                body = Property(wrapped, "Body");
                contentType = Property(wrapped, "ContentType");
                break;
        }

        if (uriValue is null)
        {
            throw Invalid($"The input has no Uri property: give a URI, or an object with Uri and optionally Method, Headers and Body.");
        }

        var spec = new WebRequestSpec(ParseUri(uriValue));
        string? methodText = Text(method) ?? defaults.Method;
        if (!string.IsNullOrWhiteSpace(methodText))
        {
            try
            {
                spec.Method = new HttpMethod(methodText!.Trim().ToUpperInvariant());
            }
            catch (FormatException)
            {
                throw Invalid($"'{methodText}' is not a valid HTTP method.");
            }
        }

        AddHeaders(spec.Headers, defaults.Headers);
        AddHeaders(spec.Headers, Unwrap(headers));
        spec.Body = hasBody ? Unwrap(body) : defaults.Body;
        spec.ContentType = Text(contentType) ?? defaults.ContentType;
        CheckHeader("Content-Type", spec.ContentType);
        if (spec.Body is IDictionary query && spec.Method == HttpMethod.Get)
        {
            // As Invoke-RestMethod: a hashtable body of a GET is its query string.
            spec.Uri = WithQuery(spec.Uri, RequestBody.FormEncode(query));
            spec.Body = null;
        }

        return spec;
    }

    private static Uri WithQuery(Uri uri, string query)
    {
        if (query.Length == 0)
        {
            return uri;
        }

        var builder = new UriBuilder(uri);
        string existing = builder.Query.TrimStart('?');
        builder.Query = existing.Length > 0 ? existing + "&" + query : query;
        return builder.Uri;
    }

    private static Uri ParseUri(object value)
    {
        if (Unwrap(value) is Uri given)
        {
            return CheckScheme(given, given.OriginalString);
        }

        string text = Text(value)?.Trim() ?? string.Empty;
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri))
        {
            // As Invoke-RestMethod does, a bare host name means http.
            if (text.Length == 0 || !Uri.TryCreate("http://" + text, UriKind.Absolute, out uri))
            {
                throw Invalid($"'{text}' is not a valid absolute URI.");
            }
        }

        return CheckScheme(uri!, text);
    }

    private static Uri CheckScheme(Uri uri, string text)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid($"'{text}' is not an http or https URI.");
        }

        return uri;
    }

    private static void AddHeaders(List<KeyValuePair<string, string>> into, object? headers)
    {
        switch (headers)
        {
            case null:
                return;
            case IDictionary table:
                foreach (DictionaryEntry entry in table)
                {
                    Add(into, Text(entry.Key), entry.Value);
                }

                return;
            case PSObject pso:
                foreach (PSPropertyInfo property in pso.Properties)
                {
                    Add(into, property.Name, property.Value);
                }

                return;
            default:
                throw Invalid($"Headers must be a hashtable or an object with one property per header, not a {headers.GetType().Name}.");
        }
    }

    private static void Add(List<KeyValuePair<string, string>> into, string? name, object? value)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid("A header has no name.");
        }

        value = Unwrap(value);
        if (value is IEnumerable many and not string)
        {
            foreach (object? one in many)
            {
                into.Add(Checked(name!, Text(one) ?? string.Empty));
            }

            return;
        }

        into.Add(Checked(name!, Text(value) ?? string.Empty));
    }

    private static KeyValuePair<string, string> Checked(string name, string value)
    {
        CheckHeader(name, value);
        return new KeyValuePair<string, string>(name, value);
    }

    /// <summary>
    /// Refuses CR, LF and NUL in a header's name or value, as Invoke-RestMethod does: sent as they are, they
    /// would end the header early and let the text after them become headers of its own.
    /// </summary>
    public static void CheckHeader(string name, string? value)
    {
        string? bad = HasControl(name) ? "name" : HasControl(value) ? "value" : null;
        if (bad is not null)
        {
            throw new ItemOperationException(ErrorIds.WebInvalidHeader, ErrorCategory.InvalidArgument,
                $"The {bad} of the header '{Printable(name)}' holds a carriage return, line feed or NUL character, which no header may hold.")
            { Retryable = false };
        }
    }

    private static bool HasControl(string? text) => text is not null && text.IndexOfAny(ControlChars) >= 0;

    private static string Printable(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0");

    private static object? Lookup(IDictionary table, string key) => table.Contains(key) ? table[key] : null;

    private static object? Property(PSObject value, string name) => value.Properties[name]?.Value;

    private static object? Unwrap(object? value) => value is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : value;

    private static string? Text(object? value) => Unwrap(value) switch
    {
        null => null,
        string s => s,
        object other => Convert.ToString(other, CultureInfo.InvariantCulture),
    };

    private static ItemOperationException Invalid(string message) =>
        new(ErrorIds.WebInvalidInput, ErrorCategory.InvalidArgument, message) { Retryable = false };
}

/// <summary>What the cmdlet's parameters give every request that does not say otherwise.</summary>
internal sealed class WebRequestDefaults
{
    public string? Method { get; set; }

    public IDictionary? Headers { get; set; }

    public object? Body { get; set; }

    public string? ContentType { get; set; }
}
