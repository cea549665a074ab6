namespace ParallelJobs.Scripting;

/// <summary>A caller with no variables at all, for scripts that are known to use none (the warm-up).</summary>
internal sealed class NoCallerValues : ICallerValues
{
    public static readonly NoCallerValues Instance = new();

    public bool TryGetVariable(string name, out object? value)
    {
        value = null;
        return false;
    }

    public object? Evaluate(string expression, string usingText, string variableName) =>
        throw new UsingVariableUndefinedException(usingText, variableName);
}
