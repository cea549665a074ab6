using System.Collections.Generic;
using System.Net;

namespace ParallelJobs.Operations.Web;

/// <summary>What <see cref="WebSessionReader"/> found in a session.</summary>
internal sealed class WebSessionValues
{
    public CookieContainer? Cookies { get; set; }

    public string? UserAgent { get; set; }

    public ICredentials? Credentials { get; set; }

    public List<KeyValuePair<string, string>> Headers { get; } = new();
}
