using System;
using System.Collections;
using System.Globalization;

namespace ParallelJobs.Remote;

/// <summary>
/// How to reach one host over SSH: what New-PSSession -HostName takes. Never holds a secret: the key
/// stays in its file, and ssh itself reads it.
/// </summary>
internal sealed class RemoteTarget
{
    /// <summary>How long New-PSSession may take to connect, in milliseconds, unless ConnectingTimeout says otherwise.</summary>
    public const int DefaultConnectingTimeout = 30000;

    public RemoteTarget(string hostName)
    {
        HostName = hostName;
    }

    public string HostName { get; }

    public string? UserName { get; set; }

    public string? KeyFilePath { get; set; }

    public int? Port { get; set; }

    public string? Subsystem { get; set; }

    public int ConnectingTimeout { get; set; } = DefaultConnectingTimeout;

    /// <summary>Where ssh connects, found once by <see cref="SshProbe"/>; an empty host when it cannot be checked.</summary>
    public (string Host, int Port)? ProbeEndpoint { get; set; }

    /// <summary>The caller's SSH options (ssh -o name=value), passed through as given.</summary>
    public Hashtable Options { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name results and messages use: the host, with its port when it is not 22.</summary>
    public string Name => Port is null or 22 ? HostName : FormatWithPort(HostName, Port.Value);

    /// <summary>Splits "user@host:port" (or "user@[::1]:port") as New-PSSession -HostName reads it.</summary>
    public static RemoteTarget Parse(string text, string? userName, int? port)
    {
        string host = text.Trim();
        string? user = userName;
        int at = host.LastIndexOf('@');
        if (at >= 0)
        {
            user = host.Substring(0, at);
            host = host.Substring(at + 1);
        }

        int? parsedPort = null;
        if (host.StartsWith("[", StringComparison.Ordinal))
        {
            int close = host.IndexOf(']');
            if (close > 0 && close + 1 < host.Length && host[close + 1] == ':')
            {
                parsedPort = ParsePort(host.Substring(close + 2), text);
            }

            host = close > 0 ? host.Substring(1, close - 1) : host;
        }
        else if (host.IndexOf(':') is int colon and > 0 && colon == host.LastIndexOf(':'))
        {
            // One colon is host:port; more than one is a bare IPv6 address.
            parsedPort = ParsePort(host.Substring(colon + 1), text);
            host = host.Substring(0, colon);
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"'{text}' names no host.");
        }

        if (user is { Length: 0 })
        {
            throw new ArgumentException($"'{text}' has an empty user name before '@'.");
        }

        return new RemoteTarget(host) { UserName = user, Port = parsedPort ?? port };
    }

    public static string FormatWithPort(string host, int port) =>
        (host.IndexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static int ParsePort(string text, string whole)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
        {
            throw new ArgumentException($"'{whole}' has no valid port after ':' (1 to 65535).");
        }

        return port;
    }
}
