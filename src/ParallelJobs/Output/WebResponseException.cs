using System;

namespace ParallelJobs;

/// <summary>
/// The inner exception of a WebHttpError: the server answered with an error status. Its Response holds
/// the status code, headers and content, for scripts that want to look at what came back.
/// </summary>
public sealed class WebResponseException : Exception
{
    internal WebResponseException(string message, ParallelWebResponse response)
        : base(message)
    {
        Response = response;
    }

    public ParallelWebResponse Response { get; }

    public int StatusCode => Response.StatusCode;
}
