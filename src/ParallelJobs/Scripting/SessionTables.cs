using System;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace ParallelJobs.Scripting;

/// <summary>
/// The global scope's own tables of a runspace (variables, functions, aliases, drives) and its module table,
/// reached once through PowerShell's internals, so that a check between items costs a few reads instead of
/// a provider listing. Null when this PowerShell does not have them where expected.
/// </summary>
internal sealed class SessionTables
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private SessionTables(Dictionary<string, PSVariable> variables, Dictionary<string, FunctionInfo> functions,
        Dictionary<string, AliasInfo> aliases, Dictionary<string, PSDriveInfo> drives, Dictionary<string, PSModuleInfo> modules, DriveManagementIntrinsics drive)
    {
        Variables = variables;
        Functions = functions;
        Aliases = aliases;
        Drives = drives;
        Modules = modules;
        Drive = drive;
    }

    public Dictionary<string, PSVariable> Variables { get; }

    public Dictionary<string, FunctionInfo> Functions { get; }

    public Dictionary<string, AliasInfo> Aliases { get; }

    public Dictionary<string, PSDriveInfo> Drives { get; }

    /// <summary>The modules imported into the runspace's top-level session state (what Get-Module lists).</summary>
    public Dictionary<string, PSModuleInfo> Modules { get; }

    public DriveManagementIntrinsics Drive { get; }

    public static SessionTables? TryGet(SessionState state)
    {
        try
        {
            object? internalState = state.GetType().GetProperty("Internal", Instance)?.GetValue(state);
            object? global = internalState?.GetType().GetProperty("GlobalScope", Instance)?.GetValue(internalState);
            if (global is null)
            {
                return null;
            }

            Type scope = global.GetType();
            return scope.GetProperty("Variables", Instance)?.GetValue(global) is Dictionary<string, PSVariable> variables
                && scope.GetProperty("FunctionTable", Instance)?.GetValue(global) is Dictionary<string, FunctionInfo> functions
                && scope.GetMethod("GetAliases", Instance, null, Type.EmptyTypes, null)?.Invoke(global, null) is Dictionary<string, AliasInfo> aliases
                && scope.GetMethod("GetDrives", Instance, null, Type.EmptyTypes, null)?.Invoke(global, null) is Dictionary<string, PSDriveInfo> drives
                && internalState!.GetType().GetProperty("ModuleTable", Instance)?.GetValue(internalState) is Dictionary<string, PSModuleInfo> modules
                ? new SessionTables(variables, functions, aliases, drives, modules, state.Drive)
                : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// A dictionary's private version: it moves on every insertion of a new key (and, on .NET Framework, on
    /// every change), which catches a removal and re-creation that leaves the count as it was.
    /// </summary>
    public static int Version<TValue>(Dictionary<string, TValue> table) => VersionReader<TValue>.Read(table);

    private static class VersionReader<TValue>
    {
        public static readonly Func<Dictionary<string, TValue>, int> Read = Create();

        private static Func<Dictionary<string, TValue>, int> Create()
        {
            FieldInfo? field = typeof(Dictionary<string, TValue>).GetField("_version", Instance)
                ?? typeof(Dictionary<string, TValue>).GetField("version", Instance);
            if (field is null || field.FieldType != typeof(int))
            {
                return _ => 0;
            }

            try
            {
                ParameterExpression table = Expression.Parameter(typeof(Dictionary<string, TValue>), "table");
                return Expression.Lambda<Func<Dictionary<string, TValue>, int>>(Expression.Field(table, field), table).Compile();
            }
            catch (Exception)
            {
                return table => (int)field.GetValue(table)!;
            }
        }
    }
}
