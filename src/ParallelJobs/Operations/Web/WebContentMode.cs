namespace ParallelJobs.Operations.Web;

/// <summary>How a response body becomes the Content property.</summary>
internal enum WebContentMode
{
    /// <summary>JSON media types are parsed, text is a string, binary is bytes.</summary>
    Auto,

    /// <summary>Every body is parsed as JSON (-AsJson).</summary>
    Json,

    /// <summary>Every body is text, never parsed (-Raw).</summary>
    Raw,
}
