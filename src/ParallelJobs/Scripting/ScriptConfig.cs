using System;
using System.Collections.Generic;
using System.Linq;

namespace ParallelJobs.Scripting;

/// <summary>
/// Everything a worker runspace needs for one run. <see cref="PoolKey"/> covers only what is costly to
/// set up (modules and the initialization script); variables, functions and the location are applied
/// at the start of each run, so a warm runspace can serve any call with the same key.
/// </summary>
internal sealed class ScriptConfig
{
    public ScriptTask? DefaultTask { get; set; }

    public IReadOnlyList<string> Modules { get; set; } = Array.Empty<string>();

    public string? InitializationScript { get; set; }

    public IDictionary<string, string> Functions { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Global variables of the run, preference variables included.</summary>
    public IDictionary<string, object?> Variables { get; set; } = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The caller's own stream preferences, for items run in the caller's session (-Sequential).</summary>
    public IDictionary<string, object?> CallerPreferences { get; } = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);

    public string? Location { get; set; }

    public bool UseNewRunspace { get; set; }

    public string PoolKey => "modules=" + string.Join(";", Modules) + "\ninit=" + InitializationScript;

    public string Describe() =>
        (Modules.Count == 0 ? "no modules" : "modules: " + string.Join(", ", Modules.Select(m => System.IO.Path.GetFileNameWithoutExtension(m)))) +
        (InitializationScript is null ? string.Empty : "; with initialization script");
}
