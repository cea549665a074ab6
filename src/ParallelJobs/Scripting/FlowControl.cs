using System;

namespace ParallelJobs.Scripting;

internal static class FlowControl
{
    /// <summary>break, continue, exit or return that left the item's script (PowerShell's exception types are internal).</summary>
    public static bool Is(Exception ex)
    {
        for (Type? type = ex.GetType(); type is not null; type = type.BaseType)
        {
            if (type.Name == "FlowControlException")
            {
                return true;
            }
        }

        return false;
    }
}
