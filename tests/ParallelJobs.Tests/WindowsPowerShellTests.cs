using System.Net;
using ParallelJobs.Operations.Web;
using ParallelJobs.Remote;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>What the module does differently on Windows PowerShell 5.1, decided by plain functions that run here too.</summary>
public class WindowsPowerShellTests
{
    [Theory]
    [InlineData(true, false, "-HostName")]
    [InlineData(false, true, "-SSHConnection")]
    public void SshRemotingNamesPowerShell7OnWindowsPowerShell(bool hostName, bool sshConnection, string parameter)
    {
        string? message = RemotePlan.SshRemotingUnavailable(hostName, sshConnection, windowsPowerShell: true);
        Assert.NotNull(message);
        Assert.StartsWith(parameter + " ", message);
        Assert.Contains("PowerShell 7", message);
    }

    [Fact]
    public void SshRemotingIsFineOnPowerShell7AndWithoutSsh()
    {
        Assert.Null(RemotePlan.SshRemotingUnavailable(true, true, windowsPowerShell: false));
        Assert.Null(RemotePlan.SshRemotingUnavailable(false, false, windowsPowerShell: true));
        // This test host is .NET, not the .NET Framework.
        Assert.Null(RemotePlan.SshRemotingUnavailable(true, false));
    }

#pragma warning disable CS0618, SYSLIB0014 // Ssl3 and Tls are obsolete: they are what powershell.exe starts with.
    [Theory]
    [InlineData(SecurityProtocolType.Ssl3 | SecurityProtocolType.Tls, SecurityProtocolType.Ssl3 | SecurityProtocolType.Tls | SecurityProtocolType.Tls12)]
    [InlineData(SecurityProtocolType.Tls12, SecurityProtocolType.Tls12)]
    [InlineData(SecurityProtocolType.Tls11 | SecurityProtocolType.Tls13, SecurityProtocolType.Tls11 | SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13)]
    [InlineData(SecurityProtocolType.SystemDefault, SecurityProtocolType.SystemDefault)]
    public void Tls12IsAddedAndNothingTakenAway(SecurityProtocolType current, SecurityProtocolType expected) =>
        Assert.Equal(expected, FrameworkTls.WithTls12(current));
#pragma warning restore CS0618, SYSLIB0014

    [Fact]
    public void Tls12LeavesServicePointManagerAloneOnDotNet()
    {
        SecurityProtocolType before = ServicePointManager.SecurityProtocol;
        FrameworkTls.EnsureTls12();
        Assert.Equal(before, ServicePointManager.SecurityProtocol);
    }
}
