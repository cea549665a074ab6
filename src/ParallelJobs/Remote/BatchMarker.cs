using System.Management.Automation;

namespace ParallelJobs.Remote;

/// <summary>What <c>__pjRunBatch</c> writes between items: the end of one (and its error), or a task the session lost.</summary>
internal static class BatchMarker
{
    public const string ItemEnd = "__pjItemEnd";
    public const string Error = "__pjError";
    public const string Missing = "__pjMissing";

    /// <summary>The end of an item that did not throw: a string no script writes by chance (it starts with U+0001).</summary>
    public const string PlainEnd = "\u0001__pjItemEnd";

    /// <summary>True when <paramref name="value"/> ended an item; <paramref name="error"/> is its terminating error, if any.</summary>
    public static bool IsItemEnd(PSObject value, out object? error)
    {
        error = null;
        if (value.BaseObject is string text)
        {
            return text == PlainEnd;
        }

        if (value.BaseObject is not PSCustomObject || value.Properties[ItemEnd] is null)
        {
            return false;
        }

        error = value.Properties[Error]?.Value;
        return true;
    }

    /// <summary>The end of a batch a worker process's serve pipeline ran (see Workers.ProcessScripts.Serve).</summary>
    public const string BatchEnd = "\u0001__pjBatchEnd";

    /// <summary>A worker process's answer to the reset after a call: it is back as it came.</summary>
    public const string ResetDone = "\u0001__pjResetDone";

    public static bool IsResetDone(PSObject value) => value.BaseObject is string text && text == ResetDone;

    public const string SetupFailed = "__pjSetupFailed";

    public static bool IsBatchEnd(PSObject value) => value.BaseObject is string text && text == BatchEnd;

    /// <summary>True when the run's setup failed in the process; <paramref name="error"/> is why.</summary>
    public static bool IsSetupFailed(PSObject value, out object? error)
    {
        error = value.BaseObject is PSCustomObject ? value.Properties[SetupFailed]?.Value : null;
        return error is not null;
    }

    /// <summary>True when the session no longer holds the default task; the batch stopped before that item.</summary>
    public static bool IsMissing(PSObject value) => value.BaseObject is PSCustomObject && value.Properties[Missing] is not null;
}
