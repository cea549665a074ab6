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

    public static HttpClient Create(int maxConnectionsPerHost, bool followRedirects) =>
        Create(new WebClientOptions { MaxConnectionsPerHost = maxConnectionsPerHost }, followRedirects);

    /// <summary>
    /// A client for <paramref name="options"/>. Invoke-ParallelWebRequest passes followRedirects: false and
    /// follows them itself, so that it can count them and refuse https to http.
    /// </summary>
    public static HttpClient Create(WebClientOptions options, bool followRedirects)
    {
        FrameworkTls.EnsureTls12();
        int maxConnectionsPerHost = options.MaxConnectionsPerHost;
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = followRedirects,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            UseCookies = options.Cookies is not null,
        };

        if (options.Cookies is not null)
        {
            handler.CookieContainer = options.Cookies;
        }

        if (options.Credentials is not null)
        {
            handler.Credentials = options.Credentials;
            handler.PreAuthenticate = false;
        }

        if (options.SkipCertificateCheck)
        {
            // Asked for by name (-SkipCertificateCheck), with a warning: any certificate is accepted.
            handler.ServerCertificateCustomValidationCallback = static (_, _, _, _) => true;
        }

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
