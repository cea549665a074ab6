using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

public class ScriptConfigBuilderTests
{
    private readonly Dictionary<string, object?> _caller = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _functions = new(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void CarriesTheScriptFunctionsVariablesAndLocation()
    {
        _caller["factor"] = 3;
        _caller["Greeting"] = "hi";
        _functions["Format-Item"] = "param($x) \"item $x\"";
        ScriptConfigBuilder builder = Builder();
        builder.ScriptBlock = ScriptBlock.Create("$_ * $using:factor");
        builder.ArgumentList = new object?[] { 10 };
        builder.Function = new[] { "format-item" };
        builder.Variable = new object[] { "greeting", new Hashtable { ["Prefix"] = ">" } };
        builder.InitializationScript = ScriptBlock.Create("$cache = @{}");
        builder.Location = "/some/where";

        ScriptConfig config = builder.Build();

        Assert.Equal(new object?[] { 3 }, config.DefaultTask!.UsingValues);
        Assert.Equal(new object?[] { 10 }, config.DefaultTask.Arguments);
        Assert.Equal("param($x) \"item $x\"", config.Functions["Format-Item"]);
        Assert.Equal("hi", config.Variables["Greeting"]);
        Assert.Equal(">", config.Variables["Prefix"]);
        Assert.Equal("$cache = @{}", config.InitializationScript);
        Assert.Equal("/some/where", config.Location);
    }

    [Fact]
    public void AMissingFunctionVariableOrModuleFailsWithItsErrorId()
    {
        ScriptConfigBuilder function = Builder();
        function.Function = new[] { "No-Such" };
        ScriptConfigBuilder variable = Builder();
        variable.Variable = new object[] { "nosuch" };
        ScriptConfigBuilder module = Builder();
        module.Module = new[] { "./missing/Thing.psd1" };
        module.PathExists = _ => false;

        Assert.Equal("FunctionNotFound", Assert.Throws<ScriptConfigException>(() => function.Build()).ErrorId);
        ScriptConfigException missingVariable = Assert.Throws<ScriptConfigException>(() => variable.Build());
        Assert.Equal("VariableNotFound", missingVariable.ErrorId);
        Assert.IsType<ItemNotFoundException>(missingVariable.ToErrorRecord().Exception);
        ScriptConfigException missingModule = Assert.Throws<ScriptConfigException>(() => module.Build());
        Assert.Equal("ModuleNotFound", missingModule.ErrorId);
        Assert.Equal("./missing/Thing.psd1", missingModule.Target);
        Assert.IsType<FileNotFoundException>(missingModule.InnerException);
    }

    [Fact]
    public void AUsingScriptBlockFailsWithItsErrorId()
    {
        _caller["helper"] = ScriptBlock.Create("1");
        ScriptConfigBuilder builder = Builder();
        builder.ScriptBlock = ScriptBlock.Create("& $using:helper");

        ScriptConfigException ex = Assert.Throws<ScriptConfigException>(() => builder.Build());

        Assert.Equal("UsingScriptBlockNotSupported", ex.ErrorId);
        Assert.Equal("helper", ex.Target);
    }

    [Fact]
    public void ModulePathsAreResolvedLocallyButNotForARemoteTarget()
    {
        ScriptConfigBuilder local = Builder();
        local.Module = new[] { "Pester", "./mods/Mine.psd1" };
        local.ResolvePath = p => "/caller/" + p.TrimStart('.', '/');
        local.PathExists = p => p == "/caller/mods/Mine.psd1";
        ScriptConfigBuilder remote = Builder();
        remote.Module = new[] { "./mods/Mine.psd1" };
        remote.IsRemote = true;
        remote.PathExists = _ => false;

        Assert.Equal(new[] { "Pester", "/caller/mods/Mine.psd1" }, local.Build().Modules);
        Assert.Equal(new[] { "./mods/Mine.psd1" }, remote.Build().Modules);
    }

    [Fact]
    public void PreferencesFollowTheCallerAndTheCommonParameters()
    {
        _caller["VerbosePreference"] = ActionPreference.Continue;
        _caller["DebugPreference"] = "Inquire";
        _caller["WarningPreference"] = ActionPreference.Stop;
        _caller["WhatIfPreference"] = new SwitchParameter(true);
        _caller["ConfirmPreference"] = ConfirmImpact.Low;
        ScriptConfigBuilder builder = Builder();
        builder.BoundParameters["InformationAction"] = ActionPreference.Ignore;

        ScriptConfig config = builder.Build();

        Assert.Equal(ActionPreference.Continue, config.Variables["VerbosePreference"]);
        Assert.Equal(ActionPreference.Continue, config.Variables["DebugPreference"]);
        Assert.Equal(ActionPreference.Continue, config.Variables["WarningPreference"]);
        Assert.Equal(ActionPreference.Stop, config.CallerPreferences["WarningPreference"]);
        Assert.Equal(ActionPreference.Ignore, config.Variables["InformationPreference"]);
        Assert.Equal(ActionPreference.Continue, config.Variables["ErrorActionPreference"]);
        Assert.Equal(true, config.Variables["WhatIfPreference"]);
        Assert.Equal(ConfirmImpact.Low, config.Variables["ConfirmPreference"]);

        builder.BoundParameters["Verbose"] = new SwitchParameter(false);
        Assert.Equal(ActionPreference.SilentlyContinue, builder.Build().Variables["VerbosePreference"]);
    }

    [Fact]
    public void InvalidPreferencesCountAsPowerShellsDefaults()
    {
        _caller["VerbosePreference"] = "Invalid";
        _caller["DebugPreference"] = 42;
        _caller["WarningPreference"] = "Bogus";
        _caller["InformationPreference"] = "Bogus";
        _caller["ProgressPreference"] = new object();
        _caller["WhatIfPreference"] = "Bogus";
        _caller["ConfirmPreference"] = "Bogus";

        ScriptConfig config = Builder().Build();

        Assert.Equal(ActionPreference.SilentlyContinue, config.Variables["VerbosePreference"]);
        Assert.Equal(ActionPreference.SilentlyContinue, config.Variables["DebugPreference"]);
        Assert.Equal(ActionPreference.Continue, config.CallerPreferences["WarningPreference"]);
        Assert.Equal(ActionPreference.SilentlyContinue, config.CallerPreferences["InformationPreference"]);
        Assert.Equal(ActionPreference.Continue, config.Variables["ProgressPreference"]);
        // PowerShell reads $WhatIfPreference as a boolean: a non-empty string is true to it, too.
        Assert.Equal(true, config.Variables["WhatIfPreference"]);
        Assert.Equal(ConfirmImpact.High, config.Variables["ConfirmPreference"]);
    }

    private ScriptConfigBuilder Builder() => new()
    {
        ReadVariable = name => _caller.TryGetValue(name, out object? value) ? value : null,
        Caller = new DictionaryCaller(_caller),
        FindVariable = name => _caller.TryGetValue(name, out object? value) ? new PSVariable(Canonical(name), value) : null,
        FindFunction = name => _functions.TryGetValue(name, out string? definition) ? (Canonical(name), definition) : null,
    };

    /// <summary>The name as the caller spelled it when defining it, as a session lookup returns it.</summary>
    private string Canonical(string name)
    {
        foreach (string key in _caller.Keys)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        foreach (string key in _functions.Keys)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        return name;
    }

    /// <summary>$using: values from the test's dictionary (plain variables only, as these tests use).</summary>
    private sealed class DictionaryCaller : ICallerValues
    {
        private readonly IDictionary<string, object?> _values;

        public DictionaryCaller(IDictionary<string, object?> values) => _values = values;

        public bool TryGetVariable(string name, out object? value) => _values.TryGetValue(name, out value);

        public object? Evaluate(string expression, string usingText, string variableName) =>
            _values.TryGetValue(variableName, out object? value) ? value : throw new UsingVariableUndefinedException(usingText, variableName);
    }
}
