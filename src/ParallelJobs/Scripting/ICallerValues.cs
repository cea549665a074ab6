namespace ParallelJobs.Scripting;

/// <summary>Where <c>$using:</c> values come from: the caller's session, or a stand-in in tests and the warm-up.</summary>
internal interface ICallerValues
{
    /// <summary>Reads a variable (scope- or drive-qualified names included); false when it is not defined.</summary>
    bool TryGetVariable(string name, out object? value);

    /// <summary>
    /// Evaluates a using expression's text (<c>$a[0]</c>, <c>$a.Count</c>) in the caller's scope, as
    /// ForEach-Object -Parallel does; throws <see cref="UsingVariableUndefinedException"/> for an undefined variable.
    /// </summary>
    object? Evaluate(string expression, string usingText, string variableName);
}
