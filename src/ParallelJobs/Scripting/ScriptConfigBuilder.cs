using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using ParallelJobs.Engine;

namespace ParallelJobs.Scripting;

/// <summary>
/// Builds the <see cref="ScriptConfig"/> of a call from Invoke-ParallelJob's bound parameters and what it can
/// read from the caller's session, given as callbacks, so that it runs (and is tested) without a cmdlet.
/// Failures are <see cref="ScriptConfigException"/>s, which the cmdlet turns into terminating errors.
/// </summary>
internal sealed class ScriptConfigBuilder
{
    /// <summary>Reads a variable of the caller's session, for $using: and the preference variables.</summary>
    public Func<string, object?> ReadVariable { get; set; } = _ => null;

    /// <summary>Where the script block's <c>$using:</c> values come from.</summary>
    public ICallerValues Caller { get; set; } = NoCallerValues.Instance;

    /// <summary>Finds a caller variable by name for -Variable (its own spelling of the name is kept).</summary>
    public Func<string, PSVariable?> FindVariable { get; set; } = _ => null;

    /// <summary>Finds a caller function for -Function: its name and definition, or null.</summary>
    public Func<string, (string Name, string Definition)?> FindFunction { get; set; } = _ => null;

    /// <summary>Resolves a PowerShell path (relative to the caller's location) to a provider path.</summary>
    public Func<string, string> ResolvePath { get; set; } = path => path;

    public Func<string, bool> PathExists { get; set; } = path => File.Exists(path) || Directory.Exists(path);

    /// <summary>The cmdlet's bound parameters, for the common parameters -Verbose, -Debug and the *Action ones.</summary>
    public IDictionary<string, object?> BoundParameters { get; set; } = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);

    public ScriptBlock? ScriptBlock { get; set; }

    public object?[]? ArgumentList { get; set; }

    public object[]? Variable { get; set; }

    public string[]? Function { get; set; }

    public string[]? Module { get; set; }

    public ScriptBlock? InitializationScript { get; set; }

    public bool UseNewRunspace { get; set; }

    /// <summary>Remotely a module is looked up on the host, where a local path means nothing.</summary>
    public bool IsRemote { get; set; }

    /// <summary>The caller's current file-system location.</summary>
    public string? Location { get; set; }

    public ScriptConfig Build()
    {
        var config = new ScriptConfig
        {
            UseNewRunspace = UseNewRunspace,
            InitializationScript = InitializationScript?.ToString(),
            Location = Location,
            Modules = ResolveModules(),
        };

        if (ScriptBlock is not null)
        {
            try
            {
                config.DefaultTask = ScriptTaskBuilder.Build(ScriptBlock, Caller, ArgumentList);
            }
            catch (UsingScriptBlockException ex)
            {
                throw new ScriptConfigException(ErrorIds.UsingScriptBlockNotSupported, ErrorCategory.InvalidArgument, ex.VariableName, ex);
            }

            // An undefined $using: (UsingVariableUndefinedException) stops the call as it is, with its own record.
        }

        RefuseScriptBlocks("-ArgumentList", ArgumentList);

        foreach (string name in Function ?? Array.Empty<string>())
        {
            if (FindFunction(name) is not { } function)
            {
                throw new ScriptConfigException(ErrorIds.FunctionNotFound, ErrorCategory.ObjectNotFound, name,
                    new ItemNotFoundException($"The function '{name}' given to -Function was not found in the caller's session."));
            }

            config.Functions[function.Name] = function.Definition;
        }

        foreach (object entry in Variable ?? Array.Empty<object>())
        {
            AddVariables(config.Variables, entry is PSObject pso ? pso.BaseObject : entry);
        }

        foreach (KeyValuePair<string, object?> variable in config.Variables)
        {
            RefuseScriptBlocks("-Variable " + variable.Key, variable.Value);
        }

        AddPreferences(config);
        return config;
    }

    /// <summary>A script block bound for a worker stops the call (see <see cref="ScriptBlockValues"/>).</summary>
    private static void RefuseScriptBlocks(string what, object? value)
    {
        if (ScriptBlockValues.Find(value) is { } where)
        {
            throw new ScriptBlockValueException(what, where, value);
        }
    }

    private void AddVariables(IDictionary<string, object?> variables, object entry)
    {
        if (entry is IDictionary table)
        {
            foreach (DictionaryEntry pair in table)
            {
                variables[pair.Key.ToString()!] = pair.Value;
            }

            return;
        }

        string name = entry.ToString()!;
        PSVariable variable = FindVariable(name) ?? throw new ScriptConfigException(ErrorIds.VariableNotFound, ErrorCategory.ObjectNotFound, name,
            new ItemNotFoundException($"The variable '{name}' given to -Variable was not found in the caller's session."));
        variables[variable.Name] = variable.Value;
    }

    /// <summary>
    /// Workers see the caller's stream preferences, so -Verbose and -Debug reach the items. Warnings and
    /// information are always collected (unless Ignore'd) and written by the cmdlet, where the caller's
    /// preference decides whether they show, and -WarningVariable / -InformationVariable still get them.
    /// A preference the caller set to something that is not a valid value counts as PowerShell's default for
    /// it, as PowerShell itself reads it (so it breaks the call no more than it breaks ForEach-Object).
    /// </summary>
    private void AddPreferences(ScriptConfig config)
    {
        ActionPreference warning = EffectivePreference("WarningAction", "WarningPreference", ActionPreference.Continue);
        ActionPreference information = EffectivePreference("InformationAction", "InformationPreference", ActionPreference.SilentlyContinue);
        var preferences = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["VerbosePreference"] = SwitchPreference("Verbose", "VerbosePreference"),
            ["DebugPreference"] = SwitchPreference("Debug", "DebugPreference"),
            ["ProgressPreference"] = EffectivePreference("ProgressAction", "ProgressPreference", ActionPreference.Continue),
            ["WhatIfPreference"] = ReadWhatIf(),
            ["ConfirmPreference"] = ReadEnum("ConfirmPreference", ConfirmImpact.High, ConfirmImpact.High),
        };

        foreach (KeyValuePair<string, object?> preference in preferences)
        {
            config.Variables[preference.Key] = preference.Value;
            config.CallerPreferences[preference.Key] = preference.Value;
        }

        config.Variables["WarningPreference"] = warning == ActionPreference.Ignore ? warning : ActionPreference.Continue;
        config.Variables["InformationPreference"] = information == ActionPreference.Ignore ? information : ActionPreference.Continue;
        config.CallerPreferences["WarningPreference"] = warning;
        config.CallerPreferences["InformationPreference"] = information;

        // Errors are always collected in the worker and written by the cmdlet, where the caller's preference applies.
        config.Variables["ErrorActionPreference"] = ActionPreference.Continue;
    }

    private ActionPreference SwitchPreference(string parameter, string variable)
    {
        if (BoundParameters.TryGetValue(parameter, out object? value))
        {
            return LanguagePrimitives.IsTrue(value) ? ActionPreference.Continue : ActionPreference.SilentlyContinue;
        }

        ActionPreference preference = ReadEnum(variable, ActionPreference.SilentlyContinue, ActionPreference.SilentlyContinue);
        return preference == ActionPreference.Inquire ? ActionPreference.Continue : preference;
    }

    private ActionPreference EffectivePreference(string parameter, string variable, ActionPreference invalid)
    {
        if (BoundParameters.TryGetValue(parameter, out object? value) && value is not null)
        {
            return LanguagePrimitives.ConvertTo<ActionPreference>(value);
        }

        return ReadEnum(variable, ActionPreference.Continue, invalid);
    }

    /// <summary>
    /// The caller's preference: <paramref name="missing"/> when it is not set, <paramref name="invalid"/> when
    /// it holds what is not a defined value of <typeparamref name="T"/> (PowerShell then uses its default).
    /// </summary>
    private T ReadEnum<T>(string variable, T missing, T invalid)
        where T : struct
    {
        object? value = ReadVariable(variable);
        if (value is null)
        {
            return missing;
        }

        try
        {
            T converted = LanguagePrimitives.ConvertTo<T>(value);
            return Enum.IsDefined(typeof(T), converted) ? converted : invalid;
        }
        catch (Exception ex) when (ex is InvalidCastException or ArgumentException)
        {
            return invalid;
        }
    }

    /// <summary>$WhatIfPreference as PowerShell reads it: anything that converts to a boolean, else false.</summary>
    private bool ReadWhatIf()
    {
        object? value = ReadVariable("WhatIfPreference");
        return value is not null && LanguagePrimitives.TryConvertTo(value, out bool whatIf) && whatIf;
    }

    private IReadOnlyList<string> ResolveModules()
    {
        var modules = new List<string>();
        foreach (string module in Module ?? Array.Empty<string>())
        {
            bool looksLikePath = module.IndexOfAny(new[] { '/', '\\' }) >= 0 || module.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)
                || module.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase) || module.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
            if (!looksLikePath || IsRemote)
            {
                modules.Add(module);
                continue;
            }

            string path = ResolvePath(module);
            if (!PathExists(path))
            {
                throw new ScriptConfigException(ErrorIds.ModuleNotFound, ErrorCategory.ObjectNotFound, module,
                    new FileNotFoundException($"The module '{module}' given to -Module was not found at '{path}'.", path));
            }

            modules.Add(path);
        }

        return modules;
    }
}
