using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace ParallelJobs.Scripting;

/// <summary>
/// What a worker runspace's global state was when it was clean: the location, and every global variable
/// (object and value), function (object and body), alias (object and definition), drive and module. The
/// check between items only compares references in table order, a few reads per entry; the restore,
/// for the rare item that changed something, puts back exactly what changed.
/// </summary>
internal sealed class SessionSnapshot
{
    /// <summary>Marks a variable whose value is not compared: computed on each read, or set per batch by the driver.</summary>
    private static readonly object Unchecked = new();

    /// <summary>
    /// Values not compared: the driver script runs in the global scope, and PowerShell sets its automatic
    /// variables anew for each invocation; $PWD follows the location, which is compared and restored itself.
    /// </summary>
    private static readonly HashSet<string> NotCompared = new(StringComparer.OrdinalIgnoreCase)
    {
        "_", "PSItem", "this", "args", "input", "MyInvocation", "PSBoundParameters", "PSScriptRoot", "PSCommandPath", "PWD",
    };

    private readonly SessionTables _tables;
    private readonly PSDriveInfo? _drive;
    private readonly string? _driveLocation;
    private readonly ArrayList? _errors;
    private readonly string[] _variableNames;
    private readonly PSVariable[] _variables;
    private readonly object?[] _values;
    private readonly int _variableVersion;
    private readonly string[] _functionNames;
    private readonly FunctionInfo[] _functions;
    private readonly ScriptBlock[] _bodies;
    private readonly int _functionVersion;
    private readonly string[] _aliasNames;
    private readonly AliasInfo[] _aliases;
    private readonly string[] _definitions;
    private readonly int _aliasVersion;
    private readonly HashSet<string> _driveNames;
    private readonly HashSet<PSModuleInfo> _modules;

    private SessionSnapshot(SessionTables tables, ArrayList? errors)
    {
        _tables = tables;
        _errors = errors;
        _drive = tables.Drive.Current;
        _driveLocation = _drive?.CurrentLocation;

        Dictionary<string, PSVariable> variables = tables.Variables;
        _variableNames = new string[variables.Count];
        _variables = new PSVariable[variables.Count];
        _values = new object?[variables.Count];
        int i = 0;
        foreach (KeyValuePair<string, PSVariable> entry in variables)
        {
            PSVariable variable = entry.Value;
            _variableNames[i] = entry.Key;
            _variables[i] = variable;
            object? value = variable.GetType() == typeof(PSVariable) && !NotCompared.Contains(entry.Key) ? variable.Value : Unchecked;
            _values[i] = ReferenceEquals(value, variable.Value) ? value : Unchecked;
            i++;
        }

        _variableVersion = SessionTables.Version(variables);

        Dictionary<string, FunctionInfo> functions = tables.Functions;
        _functionNames = new string[functions.Count];
        _functions = new FunctionInfo[functions.Count];
        _bodies = new ScriptBlock[functions.Count];
        i = 0;
        foreach (KeyValuePair<string, FunctionInfo> entry in functions)
        {
            _functionNames[i] = entry.Key;
            _functions[i] = entry.Value;
            _bodies[i] = entry.Value.ScriptBlock;
            i++;
        }

        _functionVersion = SessionTables.Version(functions);

        Dictionary<string, AliasInfo> aliases = tables.Aliases;
        _aliasNames = new string[aliases.Count];
        _aliases = new AliasInfo[aliases.Count];
        _definitions = new string[aliases.Count];
        i = 0;
        foreach (KeyValuePair<string, AliasInfo> entry in aliases)
        {
            _aliasNames[i] = entry.Key;
            _aliases[i] = entry.Value;
            _definitions[i] = entry.Value.Definition;
            i++;
        }

        _aliasVersion = SessionTables.Version(aliases);
        _driveNames = new HashSet<string>(tables.Drives.Keys, StringComparer.OrdinalIgnoreCase);
        _modules = new HashSet<PSModuleInfo>(tables.Modules.Values);
    }

    public static SessionSnapshot Take(SessionTables tables, ArrayList? errors) => new(tables, errors);

    /// <summary>The hot path, once per item: true when nothing an item can change at global level has changed.</summary>
    public bool IsIntact()
    {
        PSDriveInfo? drive = _tables.Drive.Current;
        if (!ReferenceEquals(drive, _drive) || !ReferenceEquals(drive?.CurrentLocation, _driveLocation)
            || (_errors is not null && _errors.Count != 0)
            || _tables.Modules.Count != _modules.Count || _tables.Drives.Count != _driveNames.Count)
        {
            return false;
        }

        Dictionary<string, PSVariable> variables = _tables.Variables;
        if (variables.Count != _variables.Length || SessionTables.Version(variables) != _variableVersion)
        {
            return false;
        }

        int i = 0;
        foreach (PSVariable variable in variables.Values)
        {
            object? value = _values[i];
            if (!ReferenceEquals(variable, _variables[i]) || (!ReferenceEquals(value, Unchecked) && !ReferenceEquals(variable.Value, value)))
            {
                return false;
            }

            i++;
        }

        Dictionary<string, FunctionInfo> functions = _tables.Functions;
        if (functions.Count != _functions.Length || SessionTables.Version(functions) != _functionVersion)
        {
            return false;
        }

        i = 0;
        foreach (FunctionInfo function in functions.Values)
        {
            if (!ReferenceEquals(function, _functions[i]) || !ReferenceEquals(function.ScriptBlock, _bodies[i]))
            {
                return false;
            }

            i++;
        }

        Dictionary<string, AliasInfo> aliases = _tables.Aliases;
        if (aliases.Count != _aliases.Length || SessionTables.Version(aliases) != _aliasVersion)
        {
            return false;
        }

        i = 0;
        foreach (AliasInfo alias in aliases.Values)
        {
            if (!ReferenceEquals(alias, _aliases[i]) || !ReferenceEquals(alias.Definition, _definitions[i]))
            {
                return false;
            }

            i++;
        }

        return true;
    }

    /// <summary>
    /// Puts back what changed. Removing modules and re-setting a function or alias changed in place go through
    /// PowerShell (<paramref name="runScript"/>), so that their own bookkeeping stays right; variables and
    /// the rest are put back in the tables directly.
    /// </summary>
    public void Restore(SessionState state, string? location, Action<string, object?[]> runScript)
    {
        var newModules = new List<PSModuleInfo>();
        foreach (PSModuleInfo module in _tables.Modules.Values)
        {
            if (!_modules.Contains(module))
            {
                newModules.Add(module);
            }
        }

        if (newModules.Count > 0)
        {
            // Removing a module also removes the commands and aliases it exported.
            runScript("param($m) $m | Remove-Module -Force -ErrorAction Ignore", new object?[] { newModules.ToArray() });
        }

        RestoreTable(_tables.Variables, _variableNames, _variables);
        for (int i = 0; i < _variables.Length; i++)
        {
            if (!ReferenceEquals(_values[i], Unchecked) && !ReferenceEquals(_variables[i].Value, _values[i]))
            {
                _variables[i].Value = _values[i];
            }
        }

        RestoreTable(_tables.Functions, _functionNames, _functions);
        for (int i = 0; i < _functions.Length; i++)
        {
            if (!ReferenceEquals(_functions[i].ScriptBlock, _bodies[i]))
            {
                runScript("param($n, $b) Set-Item -LiteralPath \"function:global:$n\" -Value $b -Force", new object?[] { _functionNames[i], _bodies[i] });
            }
        }

        RestoreTable(_tables.Aliases, _aliasNames, _aliases);
        for (int i = 0; i < _aliases.Length; i++)
        {
            if (!ReferenceEquals(_aliases[i].Definition, _definitions[i]))
            {
                runScript("param($n, $d) Set-Alias -Name $n -Value $d -Scope Global -Force", new object?[] { _aliasNames[i], _definitions[i] });
            }
        }

        foreach (string drive in new List<string>(_tables.Drives.Keys))
        {
            if (!_driveNames.Contains(drive))
            {
                runScript("param($n) Remove-PSDrive -LiteralName $n -Scope Global -Force -ErrorAction Ignore", new object?[] { drive });
            }
        }

        _errors?.Clear();

        PSDriveInfo? current = _tables.Drive.Current;
        string? target = location;
        if (!string.IsNullOrEmpty(target) && (!ReferenceEquals(current, _drive) || !ReferenceEquals(current?.CurrentLocation, _driveLocation)))
        {
            state.Path.SetLocation(WildcardPattern.Escape(target));
        }
    }

    /// <summary>Removes the entries that were not there and puts back the objects that were replaced or removed.</summary>
    private static void RestoreTable<TValue>(Dictionary<string, TValue> table, string[] names, TValue[] values)
        where TValue : class
    {
        var known = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        List<string>? added = null;
        foreach (string name in table.Keys)
        {
            if (!known.Contains(name))
            {
                (added ??= new List<string>()).Add(name);
            }
        }

        foreach (string name in added ?? (IEnumerable<string>)Array.Empty<string>())
        {
            table.Remove(name);
        }

        for (int i = 0; i < names.Length; i++)
        {
            if (!table.TryGetValue(names[i], out TValue? now) || !ReferenceEquals(now, values[i]))
            {
                table[names[i]] = values[i];
            }
        }
    }
}
