using System;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>Reads <c>$using:</c> values from the session state of the command's caller.</summary>
internal sealed class SessionCallerValues : ICallerValues
{
    private static readonly string[] ScopeQualifiers = { "global", "script", "local", "private", "variable" };

    private readonly SessionState _state;
    private readonly CommandInvocationIntrinsics _invoke;

    public SessionCallerValues(SessionState state, CommandInvocationIntrinsics invoke)
    {
        _state = state;
        _invoke = invoke;
    }

    public bool TryGetVariable(string name, out object? value)
    {
        int colon = name.IndexOf(':');
        if (colon > 0 && Array.FindIndex(ScopeQualifiers, q => string.Compare(q, 0, name, 0, colon, StringComparison.OrdinalIgnoreCase) == 0 && q.Length == colon) < 0)
        {
            // $using:env:FOO is a provider item; a missing one is $null in ForEach-Object -Parallel too, not an error.
            value = _state.PSVariable.GetValue(name);
            return true;
        }

        PSVariable? variable = _state.PSVariable.Get(name);
        value = variable?.Value;
        return variable is not null;
    }

    public object? Evaluate(string expression, string usingText, string variableName)
    {
        // Strict mode 1 makes an undefined variable an error, as ForEach-Object -Parallel's evaluation does; the
        // comma keeps a collection value whole instead of unrolling it into the output.
        ScriptBlock script = ScriptBlock.Create("& { Set-StrictMode -Version 1; $ErrorActionPreference = 'Stop'; ,(" + expression + ") }");
        Collection<PSObject> result;
        try
        {
            result = _invoke.InvokeScript(_state, script, Array.Empty<object>());
        }
        catch (RuntimeException ex) when (ex.ErrorRecord.FullyQualifiedErrorId.StartsWith("VariableIsUndefined", StringComparison.Ordinal))
        {
            throw new UsingVariableUndefinedException(usingText, variableName);
        }

        return result.Count == 0 ? null : result[0];
    }
}
