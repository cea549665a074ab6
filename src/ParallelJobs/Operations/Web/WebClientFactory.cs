using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// Makes the one HttpClient a run shares. On PowerShell 7 HttpClientHandler is a thin shell over
/// SocketsHttpHandler, so connections are pooled and kept alive across items; MaxConnectionsPerServer is the
/// per-host limit. Timeouts come from the item's cancellation token (-ItemTimeoutSeconds), not the client.
/// </summary>
internal static class WebClientFactory
{
    public static readonly string UserAgent = "ParallelJobs/" + typeof(WebClientFactory).Assembly.GetName().Version?.ToString(3);

    public static HttpClient Create(int maxConnectionsPerHost, bool followRedirects)
    {
        FrameworkTls.EnsureTls12();
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = followRedirects,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            UseCookies = false,
        };

        try
        {
            handler.MaxConnectionsPerServer = maxConnectionsPerHost;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotImplementedException)
        {
            // Old .NET Framework builds: ServicePointManager's limit applies instead.
            ServicePointManager.DefaultConnectionLimit = Math.Max(ServicePointManager.DefaultConnectionLimit, maxConnectionsPerHost);
        }

        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.ExpectContinue = false;
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ParallelJobs", typeof(WebClientFactory).Assembly.GetName().Version?.ToString(3)));
        return client;
    }
}
