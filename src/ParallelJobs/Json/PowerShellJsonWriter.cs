using System;
using System.Reflection;

namespace ParallelJobs.Json;

/// <summary>
/// Writes a request body as JSON with PowerShell's own serializer, JsonObject.ConvertToJson, the code behind
/// ConvertTo-Json (here as ConvertTo-Json -Depth 100 -Compress), so dates, enums, PSCustomObjects and
/// hashtables come out as they would from a pipeline. It is reached by reflection, as
/// <see cref="PowerShellJson"/> reaches ConvertFromJson; where it is missing (Windows PowerShell 5.1, whose
/// ConvertTo-Json has no such method) the module's own <see cref="JsonWriter"/> serves.
/// </summary>
internal static class PowerShellJsonWriter
{
    /// <summary>ConvertTo-Json's own limit for -Depth.</summary>
    private const int Depth = 100;

    private static readonly Func<object?, string>? s_convert = FindConverter();

    public static bool IsAvailable => s_convert is not null;

    public static string Write(object? value) => s_convert is null ? JsonWriter.Write(value) : s_convert(value);

    private static Func<object?, string>? FindConverter()
    {
        try
        {
            Type? jsonObject = PowerShellJson.JsonObjectType;
            Type? contextType = jsonObject?.GetNestedType("ConvertToJsonContext", BindingFlags.Public);
            if (jsonObject is null || contextType is null)
            {
                return null;
            }

            ConstructorInfo? constructor = contextType.GetConstructor(new[] { typeof(int), typeof(bool), typeof(bool) });
            MethodInfo? method = jsonObject.GetMethod("ConvertToJson", BindingFlags.Public | BindingFlags.Static, null,
                new[] { typeof(object), contextType.MakeByRefType() }, null);
            if (constructor is null || method is null)
            {
                return null;
            }

            // maxDepth, enumsAsStrings: false, compressOutput: true; the context is a struct, made once and copied per call.
            object context = constructor.Invoke(new object[] { Depth, false, true });
            return value =>
            {
                try
                {
                    return (string)method.Invoke(null, new[] { value, context })!;
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
}
