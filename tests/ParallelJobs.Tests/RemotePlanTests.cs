using System;
using System.Collections;
using System.Linq;
using ParallelJobs.Remote;
using Xunit;

namespace ParallelJobs.Tests;

public class RemotePlanTests
{
    [Theory]
    [InlineData("build1", null, null, "build1", null)]
    [InlineData("ci@build1", "ci", null, "build1", null)]
    [InlineData("ci@build1:2222", "ci", 2222, "build1", "build1:2222")]
    [InlineData("[fe80::1]:2200", null, 2200, "fe80::1", "[fe80::1]:2200")]
    [InlineData("fe80::1", null, null, "fe80::1", null)]
    public void ParsesUserHostAndPort(string text, string? user, int? port, string host, string? name)
    {
        RemoteTarget target = RemoteTarget.Parse(text, null, null);

        Assert.Equal(host, target.HostName);
        Assert.Equal(user, target.UserName);
        Assert.Equal(port, target.Port);
        Assert.Equal(name ?? host, target.Name);
    }

    [Fact]
    public void NamePortWinsOverThePortParameter()
    {
        RemoteTarget target = RemoteTarget.Parse("me@web:2022", "other", 2222);

        Assert.Equal("me", target.UserName);
        Assert.Equal(2022, target.Port);
    }

    [Theory]
    [InlineData("web:0")]
    [InlineData("web:70000")]
    [InlineData("web:ssh")]
    [InlineData("@web")]
    [InlineData("me@")]
    public void RefusesBadNames(string text) => Assert.Throws<ArgumentException>(() => RemoteTarget.Parse(text, null, null));

    [Fact]
    public void InterleavesSlotsSoFewItemsSpreadOverHosts()
    {
        RemotePlan plan = RemotePlan.ForHostNames(new[] { "a", "b" }, null, null, null, null, 3);

        Assert.Equal(6, plan.Slots.Count);
        Assert.Equal(new[] { "a 1", "b 1", "a 2", "b 2", "a 3", "b 3" }, plan.Slots.Select(s => $"{s.Host.Name} {s.Number}"));
    }

    [Fact]
    public void RefusesTheSameHostTwice()
    {
        var ex = Assert.Throws<ArgumentException>(() => RemotePlan.ForHostNames(new[] { "a", "A" }, null, null, null, null, 2));
        Assert.Contains("-ThrottleLimit", ex.Message);
    }

    [Fact]
    public void ReadsConnectionHashtables()
    {
        var table = new Hashtable
        {
            ["HostName"] = "lab",
            ["Port"] = "2222",
            ["UserName"] = "root",
            ["KeyFilePath"] = "key",
            ["ConnectingTimeout"] = 5000,
            ["Options"] = new Hashtable { ["UserKnownHostsFile"] = "/tmp/kh" },
        };

        RemotePlan plan = RemotePlan.ForConnections(new[] { table }, path => "/resolved/" + path, 2);
        RemoteTarget target = plan.Hosts.Single().Target!;

        Assert.Equal("lab:2222", plan.Hosts[0].Name);
        Assert.Equal(2222, target.Port);
        Assert.Equal("root", target.UserName);
        Assert.Equal("/resolved/key", target.KeyFilePath);
        Assert.Equal(5000, target.ConnectingTimeout);
        Assert.Equal("/tmp/kh", target.Options["UserKnownHostsFile"]);
    }

    [Theory]
    [InlineData("Password")]
    [InlineData("Credential")]
    public void RefusesUnknownConnectionKeys(string key)
    {
        var table = new Hashtable { ["HostName"] = "lab", [key] = "x" };

        var ex = Assert.Throws<ArgumentException>(() => RemotePlan.ForConnections(new[] { table }, p => p, 1));
        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public void KeepsTheCallersSshOptionsAndNeverTurnsOffHostKeyChecking()
    {
        var target = new RemoteTarget("lab") { Port = 2222 };
        target.Options["BatchMode"] = "no";
        target.Options["StrictHostKeyChecking"] = "yes";

        Hashtable options = SshConnector.SshOptions(target);

        Assert.Equal("no", options["BatchMode"]);
        Assert.Equal("yes", options["StrictHostKeyChecking"]);
        Assert.Equal("2222", options["Port"]);
        Assert.Equal("10", options["ServerAliveInterval"]);
        Assert.False(SshConnector.SshOptions(new RemoteTarget("lab")).ContainsKey("StrictHostKeyChecking"));
        Assert.False(SshConnector.SshOptions(new RemoteTarget("lab")).ContainsKey("Port"));
    }

    [Theory]
    [InlineData(true, false, false, true, false, null)]
    [InlineData(false, false, false, false, true, null)]
    [InlineData(true, true, false, false, false, "give only one of them")]
    [InlineData(false, true, false, true, false, "go with -HostName")]
    [InlineData(false, false, true, false, true, "about local runspaces")]
    public void ParameterConflictsAreWhatParameterSetsWouldRefuse(bool hostName, bool sshConnection, bool session, bool hostOptions, bool localOnly, string? expected)
    {
        string? problem = RemotePlan.ParameterConflict(hostName, sshConnection, session, hostOptions, localOnly);

        if (expected is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(expected, problem);
        }
    }
}
