using System;
using System.Management.Automation;
using ParallelJobs.Scripting;

namespace ParallelJobs.Commands;

/// <summary>Set-ParallelJobPool: how long idle runspaces are kept, and how many.</summary>
[Cmdlet(VerbsCommon.Set, "ParallelJobPool")]
public sealed class SetParallelJobPoolCommand : PSCmdlet
{
    /// <summary>Seconds an idle runspace is kept; 0 turns the warm pool off.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public double IdleTimeoutSeconds { get; set; } = -1;

    [Parameter]
    [ValidateRange(0, 1024)]
    public int MaxIdle { get; set; } = -1;

    protected override void EndProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(IdleTimeoutSeconds)))
        {
            WarmPool.IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds);
            if (IdleTimeoutSeconds == 0)
            {
                WarmPool.ClearAll();
            }
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(MaxIdle)))
        {
            WarmPool.MaxIdle = MaxIdle;
        }

        WarmPool.Reschedule();
    }
}
