using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Threading;
using ParallelJobs.Commands;
using ParallelJobs.Scripting;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>A caller's runspace with every ParallelJobs cmdlet, shared by the hosting tests; releases the warm pool at the end.</summary>
public sealed class HostFixture : IDisposable
{
    public HostFixture()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        foreach (Type type in typeof(InvokeParallelJobCommand).Assembly.GetExportedTypes())
        {
            if (typeof(Cmdlet).IsAssignableFrom(type) && type.GetCustomAttribute<CmdletAttribute>() is { } cmdlet)
            {
                state.Commands.Add(new SessionStateCmdletEntry($"{cmdlet.VerbName}-{cmdlet.NounName}", type, null));
            }
        }

        Runspace = RunspaceFactory.CreateRunspace(state);
        Runspace.Open();
    }

    public Runspace Runspace { get; }

    public void Dispose()
    {
        Runspace.Dispose();
        WarmPool.Clear();
    }
}

/// <summary>The cmdlets hosted in this process, driven through the PowerShell API as a host application would.</summary>
public sealed class InProcessHostingTests : IClassFixture<HostFixture>, IDisposable
{
    private readonly HostFixture _host;
    private readonly Runspace? _previousDefault;

    public InProcessHostingTests(HostFixture host)
    {
        _host = host;
        _previousDefault = Runspace.DefaultRunspace;
        Runspace.DefaultRunspace = host.Runspace;
    }

    public void Dispose() => Runspace.DefaultRunspace = _previousDefault;

    [Fact]
    public void OutputEqualsTheSequentialResult()
    {
        object?[] sequential = Invoke("1..50 | ForEach-Object { $_ * 2 }", out _);

        object?[] parallel = Invoke("1..50 | Invoke-ParallelJob { $_ * 2 }", out List<ErrorRecord> errors);

        Assert.Empty(errors);
        Assert.Equal(50, parallel.Length);
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void UsingValuesReachTheWorkers()
    {
        _host.Runspace.SessionStateProxy.SetVariable("factor", 3);

        object?[] output = Invoke("1..5 | Invoke-ParallelJob { $_ * $using:factor }", out _);

        Assert.Equal(new object?[] { 3, 6, 9, 12, 15 }, output);
    }

    [Fact]
    public void AnItemErrorNamesItsItemAndKeepsItsOwnIdAndTarget()
    {
        object?[] output = Invoke(
            "1..10 | Invoke-ParallelJob { if ($_ -eq 4) { throw \"bad $_\" }; if ($_ -eq 7) { Write-Error \"soft $_\" }; $_ }",
            out List<ErrorRecord> errors);

        Assert.Equal(new object?[] { 1, 2, 3, 5, 6, 7, 8, 9, 10 }, output);
        Assert.Equal(2, errors.Count);

        ParallelJobItem thrown = ItemOf(errors[0]);
        Assert.Equal(3, thrown.Index);
        Assert.Equal(4, Unwrap(thrown.Input));
        Assert.Equal("bad 4", errors[0].Exception.Message);
        Assert.StartsWith("Item [3] 4", errors[0].ErrorDetails.Message);

        ParallelJobItem written = ItemOf(errors[1]);
        Assert.Equal(6, written.Index);
        Assert.Equal(7, Unwrap(written.Input));
        Assert.Equal("soft 7", errors[1].Exception.Message);
        // The item's own id and target, as it made them (ForEach-Object -Parallel keeps them too).
        Assert.Equal("Microsoft.PowerShell.Commands.WriteErrorException", errors[1].FullyQualifiedErrorId);
        Assert.Null(errors[1].TargetObject);
    }

    private static ParallelJobItem ItemOf(ErrorRecord error) =>
        Assert.IsType<ParallelJobItem>(PSObject.AsPSObject(error).Properties["ParallelJobItem"]?.Value);

    [Fact]
    public void StopReturnsWhileItemsSleep()
    {
        using var started = new CountdownEvent(2);
        _host.Runspace.SessionStateProxy.SetVariable("started", started);
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _host.Runspace;
        ps.AddScript("1..2 | Invoke-ParallelJob { $null = ($using:started).Signal(); Start-Sleep -Seconds 3600 } -ThrottleLimit 2");

        IAsyncResult running = ps.BeginInvoke();
        try
        {
            Assert.True(started.Wait(Bounded.Hang), "The items never started sleeping.");
            Bounded.Run(ps.Stop, "PowerShell.Stop()");

            Assert.True(running.AsyncWaitHandle.WaitOne(Bounded.Hang), "The pipeline did not end after Stop.");
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        }
        finally
        {
            // Should the assertions fail, leave no pipeline sleeping for an hour behind.
            if (ps.InvocationStateInfo.State == PSInvocationState.Running)
            {
                ps.BeginStop(null, null);
            }
        }
    }

    [Fact]
    public void WorkerRunspacesGoBackToTheWarmPoolAndClearClosesThem()
    {
        Invoke("1..4 | Invoke-ParallelJob { $_ } -ThrottleLimit 2", out _);

        IReadOnlyList<WorkerRunspace> idle = WarmPool.Snapshot();
        Assert.NotEmpty(idle);
        Assert.All(idle, r => Assert.True(r.IsUsable));

        Assert.Equal(idle.Count, WarmPool.Clear());

        Assert.Empty(WarmPool.Snapshot());
        Assert.All(idle, r => Assert.NotEqual(RunspaceState.Opened, r.Runspace.RunspaceStateInfo.State));
    }

    private object?[] Invoke(string script, out List<ErrorRecord> errors)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _host.Runspace;
        ps.AddScript(script);
        Collection<PSObject> output = Bounded.Run(() => ps.Invoke(), script);
        errors = ps.Streams.Error.ToList();
        return output.Select(o => o?.BaseObject).ToArray();
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
