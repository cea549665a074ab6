using System;
using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ParallelJobs.Remote;

/// <summary>
/// Checks that a host's SSH port takes connections before ssh is started for it. Besides a quicker,
/// cleaner answer for a host that is down, this avoids a crash in PowerShell 7.6: when ssh exits at once
/// (connection refused) before PowerShell has written its first message to it, the failed write is
/// flushed again on PowerShell's transport error thread, where nothing catches it, and the process ends.
/// The address and port are ssh's own (ssh -G applies ssh_config); hosts reached through a proxy, and
/// anything that cannot be checked, are left to ssh.
/// </summary>
internal static class SshProbe
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Null when the port answers or cannot be checked; else why the host cannot be reached.</summary>
    public static string? Check(RemoteTarget target, CancellationToken token)
    {
        (string Host, int Port)? endpoint = target.ProbeEndpoint ??= Resolve(target);
        if (endpoint is not { Host.Length: > 0 } found)
        {
            return null;
        }

        using var client = new TcpClient(found.Host.IndexOf(':') >= 0 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        try
        {
            Task connect = client.ConnectAsync(found.Host, found.Port);
            int wait = (int)Math.Min(ProbeTimeout.TotalMilliseconds, target.ConnectingTimeout);
            int index = Task.WaitAny(new[] { connect }, wait, token);
            if (index < 0 || !connect.IsFaulted)
            {
                // Connected, or no answer yet: ssh will wait with its own timeout, so it does not exit at once.
                return null;
            }

            Exception error = connect.Exception!.GetBaseException();
            return error is SocketException socket
                ? $"connecting to {RemoteTarget.FormatWithPort(found.Host, found.Port)}: {socket.Message}"
                : null;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            // A name that does not resolve here may still resolve for ssh: let ssh decide.
            return null;
        }
    }

    /// <summary>Where ssh would connect, from `ssh -G`; an empty host when it goes through a proxy or cannot be told.</summary>
    private static (string Host, int Port) Resolve(RemoteTarget target)
    {
        var arguments = new StringBuilder("-G");
        if (target.UserName is not null)
        {
            arguments.Append(" -l ").Append(Quote(target.UserName));
        }

        if (target.Port is { } port)
        {
            arguments.Append(" -p ").Append(port.ToString(CultureInfo.InvariantCulture));
        }

        foreach (DictionaryEntry option in SshConnector.SshOptions(target))
        {
            arguments.Append(" -o ").Append(Quote($"{option.Key}={option.Value}"));
        }

        arguments.Append(' ').Append(Quote(target.HostName));
        try
        {
            var start = new ProcessStartInfo("ssh", arguments.ToString())
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            using Process ssh = Process.Start(start)!;
            ssh.StandardInput.Close();
            Task<string> output = ssh.StandardOutput.ReadToEndAsync();
            Task<string> errors = ssh.StandardError.ReadToEndAsync();
            if (!ssh.WaitForExit((int)ResolveTimeout.TotalMilliseconds))
            {
                ssh.Kill();
                return (string.Empty, 0);
            }

            return ssh.ExitCode == 0 && output.Wait(ResolveTimeout) ? Parse(output.Result) : (string.Empty, 0);
        }
        catch (Exception)
        {
            return (string.Empty, 0);
        }
    }

    private static (string Host, int Port) Parse(string config)
    {
        string host = string.Empty;
        int port = 22;
        foreach (string line in config.Split('\n'))
        {
            string[] parts = line.Trim().Split(new[] { ' ' }, 2);
            if (parts.Length < 2)
            {
                continue;
            }

            switch (parts[0].ToLowerInvariant())
            {
                case "hostname":
                    host = parts[1];
                    break;
                case "port":
                    int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out port);
                    break;
                case "proxyjump" when !string.Equals(parts[1], "none", StringComparison.OrdinalIgnoreCase):
                case "proxycommand" when !string.Equals(parts[1], "none", StringComparison.OrdinalIgnoreCase):
                    return (string.Empty, 0);
            }
        }

        return (host, port);
    }

    /// <summary>One argument, quoted as .NET splits a command line (on every platform).</summary>
    private static string Quote(string value)
    {
        if (value.Length > 0 && value.IndexOfAny(new[] { ' ', '\t', '"', '\\' }) < 0)
        {
            return value;
        }

        var quoted = new StringBuilder("\"");
        int backslashes = 0;
        foreach (char c in value)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            quoted.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
