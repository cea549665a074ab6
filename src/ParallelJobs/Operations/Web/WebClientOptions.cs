using System.Net;

namespace ParallelJobs.Operations.Web;

/// <summary>What Invoke-ParallelWebRequest's parameters change in the run's one HttpClient.</summary>
internal sealed class WebClientOptions
{
    public int MaxConnectionsPerHost { get; set; } = 16;

    /// <summary>Accept any server certificate (-SkipCertificateCheck).</summary>
    public bool SkipCertificateCheck { get; set; }

    /// <summary>Answers a server's Basic, Digest, NTLM or Negotiate challenge (-Credential without -Authentication).</summary>
    public ICredentials? Credentials { get; set; }

    /// <summary>A -WebSession's cookie jar: sent with, and filled by, every request of the run.</summary>
    public CookieContainer? Cookies { get; set; }
}
