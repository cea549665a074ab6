using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace ParallelJobs.Json;

/// <summary>
/// Parses a response body with PowerShell's own JSON converter, Microsoft.PowerShell.Commands.JsonObject
/// .ConvertFromJson, the one Invoke-RestMethod and ConvertFrom-Json call, so the values are theirs by
/// construction: on PowerShell 7 dates become DateTime, big integers BigInteger, comments, trailing commas
/// and NaN are accepted, and keys that differ only in case or are empty are refused. It is reached by
/// reflection from the assembly PowerShell has already loaded, so the module ships no JSON library of its own.
/// Where that converter cannot be found, the module's own strict <see cref="JsonParser"/> serves.
/// </summary>
internal static class PowerShellJson
{
    private static readonly Type? s_jsonObject = FindJsonObject();
    private static readonly ConvertFromJsonCall? s_convert = FindConverter();
    private static readonly Func<string, object?>? s_parseToken = FindTokenParser();

    private delegate object? ConvertFromJsonCall(string input, out ErrorRecord? error);

    /// <summary>Microsoft.PowerShell.Commands.JsonObject, or null where it cannot be found.</summary>
    internal static Type? JsonObjectType => s_jsonObject;

    /// <summary>True when PowerShell's converter was found (always in PowerShell 7 and 5.1 sessions).</summary>
    public static bool IsAvailable => s_convert is not null;

    /// <summary>
    /// The value Invoke-RestMethod would give for <paramref name="text"/> when it parses as JSON; throws
    /// <see cref="FormatException"/> with the converter's reason where Invoke-RestMethod would fall back to text.
    /// </summary>
    public static object? Parse(string text)
    {
        if (s_convert is null)
        {
            return JsonParser.Parse(text);
        }

        object? value;
        ErrorRecord? error;
        try
        {
            value = s_convert(text, out error);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new FormatException(ex.Message, ex);
        }

        if (error is not null)
        {
            throw new FormatException(error.Exception.Message, error.Exception);
        }

        if (value is null && !IsNullLiteral(text))
        {
            // The converter answers null for text with no value at all (only comments, say); Invoke-RestMethod
            // then checks the text really is the null literal, and otherwise does not take it as JSON.
            throw new FormatException("The text holds no JSON value.");
        }

        return value;
    }

    private static bool IsNullLiteral(string text)
    {
        if (s_parseToken is null)
        {
            return text.Trim().Equals("null", StringComparison.Ordinal);
        }

        try
        {
            s_parseToken(text);
            return true;
        }
        catch (Exception)
        {
            // Newtonsoft's reader throws its own JsonReaderException, a type this module does not reference.
            return false;
        }
    }

    private static ConvertFromJsonCall? FindConverter()
    {
        try
        {
            MethodInfo? method = s_jsonObject?.GetMethod("ConvertFromJson", BindingFlags.Public | BindingFlags.Static, null,
                new[] { typeof(string), typeof(ErrorRecord).MakeByRefType() }, null);
            return method is null ? null : (ConvertFromJsonCall)Delegate.CreateDelegate(typeof(ConvertFromJsonCall), method);
        }
        catch (Exception)
        {
            // A host without PowerShell's utility commands: the module's own parser is the fallback.
            return null;
        }
    }

    private static Func<string, object?>? FindTokenParser()
    {
        try
        {
            // PowerShell 7's converter runs on Newtonsoft.Json (5.1's on JavaScriptSerializer, with no such check).
            AssemblyName? newtonsoft = s_jsonObject?.Assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == "Newtonsoft.Json");
            Type? type = newtonsoft is null ? null : Assembly.Load(newtonsoft).GetType("Newtonsoft.Json.Linq.JToken", throwOnError: false);
            MethodInfo? method = type?.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);
            if (method is null)
            {
                return null;
            }

            return text =>
            {
                try
                {
                    return method.Invoke(null, new object[] { text });
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    throw ex.InnerException;
                }
            };
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>JsonObject from PowerShell's utility assembly: the loaded copy, else loaded by name as PowerShell would.</summary>
    private static Type? FindJsonObject()
    {
        const string assemblyName = "Microsoft.PowerShell.Commands.Utility";
        try
        {
            Assembly? assembly = AppDomain.CurrentDomain.GetAssemblies()
                .FirstOrDefault(a => string.Equals(a.GetName().Name, assemblyName, StringComparison.OrdinalIgnoreCase));
            if (assembly is null)
            {
                // PowerShell's assemblies share one version and key: on 5.1 the GAC needs the full name.
                string? fullName = typeof(PSObject).Assembly.FullName;
                assembly = Assembly.Load(fullName is null ? assemblyName : assemblyName + fullName.Substring(fullName.IndexOf(',')));
            }

            return assembly.GetType("Microsoft.PowerShell.Commands.JsonObject", throwOnError: false);
        }
        catch (Exception)
        {
            return null;
        }
    }
}
