using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using ParallelJobs.Engine;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// One named request of -Request: a URI template such as 'https://api/users/{0}/orders?since={Since}', or a hashtable
/// with such a Uri and Method, Headers, Body, ContentType. {0} is the entity itself and {Name} its Name property (a
/// hashtable's key), each URL-escaped (Uri.EscapeDataString); {{ and }} are literal braces.
/// </summary>
internal sealed class RequestTemplate
{
    // The template split into literal text (Name null) and placeholders.
    private readonly List<(string Text, string? Name)> _parts;
    private readonly IDictionary? _request;

    private RequestTemplate(string name, List<(string, string?)> parts, IDictionary? request)
    {
        Name = name;
        _parts = parts;
        _request = request;
    }

    public string Name { get; }

    /// <summary>Reads one entry of -Request; throws ArgumentException for a template that cannot be read.</summary>
    public static RequestTemplate Parse(string name, object? value)
    {
        value = value is PSObject pso ? pso.BaseObject : value;
        IDictionary? request = null;
        object? uri = value;
        if (value is IDictionary table)
        {
            request = table;
            uri = Find(table, "Uri") ?? Find(table, "Url");
        }

        uri = uri is PSObject wrapped ? wrapped.BaseObject : uri;
        string? text = uri switch
        {
            string s => s,
            Uri u => u.OriginalString,
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"-Request: '{name}' needs a URI template (a string), or a hashtable with a Uri template.");
        }

        return new RequestTemplate(name, Split(name, text!), request);
    }

    /// <summary>The request for one entity: the template filled in, as WebRequestSpec reads it.</summary>
    public object Expand(object? entity)
    {
        var uri = new StringBuilder();
        foreach ((string text, string? placeholder) in _parts)
        {
            uri.Append(placeholder is null ? text : Uri.EscapeDataString(ValueOf(entity, placeholder)));
        }

        if (_request is null)
        {
            return uri.ToString();
        }

        var request = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in _request)
        {
            request[entry.Key] = entry.Value;
        }

        request.Remove("Url");
        request["Uri"] = uri.ToString();
        return request;
    }

    private string ValueOf(object? entity, string placeholder)
    {
        object? value = entity is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : entity;
        if (placeholder != "0")
        {
            value = value switch
            {
                null => null,
                IDictionary table => Find(table, placeholder),
                _ => PSObject.AsPSObject(value).Properties[placeholder]?.Value,
            };
            if (value is null)
            {
                throw new ItemOperationException(ErrorIds.WebInvalidInput, ErrorCategory.InvalidArgument,
                    $"-Request '{Name}': the entity has no {placeholder} property (or it is null) for the template's {{{placeholder}}}.")
                { Retryable = false };
            }
        }

        value = value is PSObject inner ? inner.BaseObject : value;
        return value is null ? string.Empty : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
    }

    private static object? Find(IDictionary table, string key)
    {
        if (table.Contains(key))
        {
            return table[key];
        }

        // An [ordered] dictionary or a case-sensitive one: match the key as PowerShell would, ignoring case.
        foreach (DictionaryEntry entry in table)
        {
            if (string.Equals(entry.Key as string, key, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value;
            }
        }

        return null;
    }

    private static List<(string, string?)> Split(string name, string template)
    {
        var parts = new List<(string, string?)>();
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                throw new ArgumentException($"-Request '{name}': a '}}' at position {i} closes nothing; write '}}}}' for a literal brace.");
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            int end = template.IndexOf('}', i + 1);
            string placeholder = end < 0 ? string.Empty : template.Substring(i + 1, end - i - 1).Trim();
            if (end < 0 || !IsPlaceholder(placeholder))
            {
                throw new ArgumentException($"-Request '{name}': '{{' at position {i} starts no {{0}} or {{PropertyName}}; write '{{{{' for a literal brace.");
            }

            parts.Add((literal.ToString(), null));
            literal.Clear();
            parts.Add((string.Empty, placeholder));
            i = end;
        }

        parts.Add((literal.ToString(), null));
        return parts;
    }

    private static bool IsPlaceholder(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return text == "0" || !char.IsDigit(text[0]);
    }
}
