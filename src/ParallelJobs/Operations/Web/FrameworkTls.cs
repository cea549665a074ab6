using System.Net;
using System.Threading;

namespace ParallelJobs.Operations.Web;

/// <summary>
/// TLS 1.2 for HttpClient on the .NET Framework (Windows PowerShell 5.1). There HttpClient goes through
/// ServicePointManager, and powershell.exe, built for an older framework, starts with SSL 3 and TLS 1.0 only,
/// which most servers now refuse. TLS 1.2 is added to what the session allows (process-wide, as
/// ServicePointManager is): nothing is taken away, and SystemDefault, where the operating system chooses
/// (TLS 1.3 included), is left as it is. On PowerShell 7 HttpClient ignores ServicePointManager, so nothing is done.
/// </summary>
internal static class FrameworkTls
{
    /// <summary>SecurityProtocolType.SystemDefault (.NET Framework 4.7 and later), which netstandard2.0 does not name.</summary>
    private const SecurityProtocolType SystemDefault = 0;

    private static int _ensured;

    /// <summary>Call before the first request; cheap to call again.</summary>
    public static void EnsureTls12()
    {
        // The .NET Framework's core library is mscorlib; .NET's is System.Private.CoreLib.
        if (typeof(object).Assembly.GetName().Name != "mscorlib" || Interlocked.Exchange(ref _ensured, 1) == 1)
        {
            return;
        }

        ServicePointManager.SecurityProtocol = WithTls12(ServicePointManager.SecurityProtocol);
    }

    /// <summary>The protocols to allow: <paramref name="current"/> and TLS 1.2, or SystemDefault unchanged.</summary>
    internal static SecurityProtocolType WithTls12(SecurityProtocolType current) =>
        current == SystemDefault ? current : current | SecurityProtocolType.Tls12;
}
