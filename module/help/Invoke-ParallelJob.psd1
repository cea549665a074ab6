@{
    Synopsis    = 'Runs a script block for each input item on a pool of worker runspaces, and writes the results in input order.'
    Description = @'
Invoke-ParallelJob is the PowerShell form of joblib's Parallel(n_jobs=N)(delayed(f)(x) for x in items). Each input item runs the script block in parallel, with $_ (and $PSItem) set to the item, and the results come back in input order, as if the loop had run sequentially, only faster. Output streams: an item's output is written as soon as it and every earlier item are done. -Unordered writes each result as soon as it completes.

Input is read as it arrives and only a bounded number of items ahead of the workers, so an endless input does not fill memory, and Select-Object -First stops the run early.

Workers are dedicated threads, each with its own runspace, at most -ThrottleLimit at a time. A runspace is reused for the worker's next item, but every item runs in a fresh scope: variables one item sets are never seen by the next. Runspaces are kept warm between calls (see Get-ParallelJobPool). Workers start in the caller's current file-system location.

Small, quick items are handed to a runspace in batches whose size adapts to the measured time per item, so the cost per item stays close to that of a sequential ForEach-Object. Slow items still go one at a time.

State reaches items through $using:name (the caller's variable, defined in each item's scope), -ArgumentList (bound to the script block's param() block), -Variable, -Function, -Module and -InitializationScript. Objects are passed by reference, not copied; an object changed by several items at once needs its own locking.

Errors, warnings, verbose, debug and information records that an item writes are written to the caller's streams on the pipeline thread, in order with the item's output; progress records are shown at once. Every error's TargetObject is a ParallelJobs.ParallelJobItem with the item's Index and Input, and its message starts with the item. One item's failure never stops the others, unless -ErrorAction Stop is given: then the first failure stops the run, the results of earlier items have already been written, and the error is thrown.

Without -ScriptBlock, each input that is a script block or a call made by New-ParallelCall runs as its own task.
'@
    Parameters  = @{
        ScriptBlock          = 'The script block to run for each input item, with $_ and $PSItem set to the item. It runs in a worker runspace, not the caller''s: reach the caller''s variables with $using:name, -Variable or -ArgumentList, and its functions with -Function. Without it, each input must be a script block or a ParallelCall made by New-ParallelCall.'
        InputObject          = 'The items to process. From the pipeline each object is one item. Passed as a parameter, a collection is enumerated, one item per element.'
        ThrottleLimit        = 'How many items run at once, one worker runspace each. The default is the number of processors. It must be 1 or more.'
        Unordered            = 'Writes each item''s results as soon as it completes, instead of in input order.'
        ArgumentList         = 'Arguments bound to the script block''s param() block for every item, by position. The item itself stays in $_.'
        Variable             = 'Variables to define in every worker runspace: names of the caller''s variables, or a hashtable of names and values.'
        Function             = 'Names of the caller''s functions to define in every worker runspace.'
        Module               = 'Modules to import in every worker runspace, by name or path. Each runspace imports them once, not once per item. A module that cannot be imported stops the run with one error that names it, before any item runs.'
        InitializationScript = 'A script block that runs once in each worker runspace before its first item, for example to load a large lookup table. Variables it sets are visible to every item on that runspace.'
        UseNewRunspace       = 'Runs every item in a brand-new runspace, which is closed afterwards. Runspaces are opened ahead on background threads while earlier items run. Slower than the default; use it when items change global state that must not leak.'
        BatchSize            = 'Hands this many items to a runspace at a time. By default the batch size adapts: it starts at 1 and doubles while batches finish in under 20 ms.'
    }
    Inputs      = 'System.Object'
    Outputs     = 'System.Object'
    Notes       = @'
Compared with ForEach-Object -Parallel: results are ordered by default; the cost per small item is a few microseconds instead of about 1.5 ms; runspaces are reused and kept warm; common parameters such as -ErrorAction, -ErrorVariable, -OutVariable and -PipelineVariable work; and the module also loads in Windows PowerShell 5.1.

Objects come back as the same .NET objects the items wrote, not serialized copies.
'@
    Examples    = @(
        @{
            Title   = 'The seed example: 20 slow items, 10 at a time, in order'
            Code    = @'
100..2000 | Where-Object { $_ % 100 -eq 0 } |
    Invoke-ParallelJob -ThrottleLimit 10 { Start-Sleep -Milliseconds 500; [math]::Sqrt($_) }
'@
            Remarks = 'Twenty items that each take half a second finish in about one second instead of ten, and the square roots come out in input order: 10, 14.14..., 17.32..., and so on.'
        }
        @{
            Title   = 'Resize every picture in a folder, 8 at a time'
            Code    = 'Get-ChildItem *.jpg | Invoke-ParallelJob -ThrottleLimit 8 { magick $_.FullName -resize 800x "small/$($_.Name)"; $_.Name }'
            Remarks = 'Workers start in the caller''s current location, so relative paths work as they would in a loop.'
        }
        @{
            Title   = 'Pass state with $using:, -ArgumentList, -Variable and -Function'
            Code    = @'
$factor = 3
function Format-Item { param($x) "item $x" }
1..5 | Invoke-ParallelJob -Function Format-Item -Variable @{ Prefix = '>' } -ArgumentList 10 {
    param($offset)
    "$Prefix $(Format-Item ($_ * $using:factor + $offset))"
}
'@
            Remarks = 'Writes "> item 13", "> item 16", ... in order.'
        }
        @{
            Title   = 'Load a module once per runspace'
            Code    = 'Get-Content users.txt | Invoke-ParallelJob -Module ActiveDirectory -ThrottleLimit 16 { Get-ADUser $_ }'
            Remarks = 'The module is imported once in each of the 16 runspaces, not once per user.'
        }
        @{
            Title   = 'Stop at the first failure'
            Code    = '1..100 | Invoke-ParallelJob -ErrorAction Stop { if ($_ -eq 42) { throw "bad item" }; $_ }'
            Remarks = 'Writes 1 to 41, then throws. No item after the failure starts.'
        }
        @{
            Title   = 'Find which item failed'
            Code    = @'
1..5 | Invoke-ParallelJob { if ($_ % 2) { Write-Error "odd: $_" } else { $_ } } -ErrorVariable failures 2>$null
$failures | ForEach-Object { $_.TargetObject.Index, $_.TargetObject.Input }
'@
            Remarks = 'Every error''s TargetObject is a ParallelJobs.ParallelJobItem naming the item''s index and input.'
        }
        @{
            Title   = 'Stream a huge input, stop early'
            Code    = 'Get-Content huge.csv | Invoke-ParallelJob { $_.ToUpper() } | Select-Object -First 10'
            Remarks = 'Input is read only a bounded number of items ahead of the workers, and the run stops as soon as ten results are out.'
        }
    )
    Links       = @('New-ParallelCall', 'Get-ParallelJobPool', 'Clear-ParallelJobPool', 'ForEach-Object')
}
