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
        TimeoutSeconds       = 'Bounds the whole run. When it runs out, running items are stopped, items not yet started never start, the results already finished are written, and one RunTimedOut error is thrown. It must be above 0.'
        ItemTimeoutSeconds   = 'Stops any single item that runs longer than this, even one in Start-Sleep 3600 or a tight loop, and reports it with an ItemTimedOut error (Status TimedOut with -AsResult). Every other item goes on. It must be above 0. Code stuck inside a single .NET method call cannot be interrupted until that call returns.'
        RetryCount           = 'Runs an item that threw, wrote an error or timed out up to this many more times. Each attempt starts in a clean scope; -AsResult records the number of attempts. Retries are announced on the verbose stream.'
        RetryDelay           = 'Seconds to wait before the first retry; each further retry waits twice as long, with random jitter of +/-50%, capped at 300 s. The default is 1.'
        MaxFailures          = 'Stops starting new items once this many items have failed (after their retries), lets the running ones finish, and then throws one MaxFailuresExceeded error that gives the counts. A percentage such as 10% counts against the items finished so far, once at least ten have finished.'
        AsResult             = 'Writes one ParallelJobs.ParallelJobResult per item, in input order, instead of the items'' output: Index, Input, Output, Errors, Status (Completed, Failed, TimedOut, Cancelled, Skipped), Attempts, StartTime, Duration and Host. Errors then travel inside the results instead of the error stream.'
        LogPath              = 'Appends one JSON line per finished item to this file, flushed as the item ends: index, key, status, attempts, start, duration, error message and the output serialized with CliXml. The first line names the job. An existing log is refused unless -Resume or -Force is given.'
        Resume               = 'With -LogPath: skips the items the log records as completed, writes their logged output in their place, and runs only the rest, so the output equals that of an uninterrupted run. Logged output comes back deserialized. A log whose last line was cut off by a crash is read up to that line, with a warning. A log written for another script block is refused unless -Force is given.'
        Key                  = 'A script block that gives each item a stable identity for the job log, with the item in $_, for example { $_.FullName }. By default the key is the input index. An item whose key fails or repeats an earlier key is not run and gets a KeyFailed or DuplicateKey error, with or without -LogPath.'
        Force                = 'With -LogPath: starts a new log in place of an existing one, or, with -Resume, accepts a log written for a different script block.'
        Sequential           = 'Runs the items one at a time in the caller''s own session, on the pipeline thread, with the same ordering, retries, logging and result objects, as joblib''s n_jobs=1 does. Pester Mocks of functions the script block calls, and debugger breakpoints in it, apply (when it has no $using:). Use it to test automation that calls Invoke-ParallelJob. -Module and -InitializationScript are not applied: the caller''s session is used as it is. A running item cannot be stopped from outside there, so -ItemTimeoutSeconds, -AsJob and -UseNewRunspace are refused with -Sequential, and -TimeoutSeconds takes effect between items.'
        AsJob                = 'Returns a background job at once (after reading the input) that Get-Job, Wait-Job, Receive-Job (results in input order) and Stop-Job (which stops every running item) understand, as Start-ThreadJob does.'
        JobName              = 'The name of the job that -AsJob returns.'
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
            Title   = 'Survive flaky items: time out, retry, keep a record'
            Code    = @'
Get-Content servers.txt |
    Invoke-ParallelJob -ThrottleLimit 20 -ItemTimeoutSeconds 30 -RetryCount 2 -RetryDelay 5 -MaxFailures 10% -AsResult {
        Test-Connection $_ -Count 1 -ErrorAction Stop
    } | Where-Object Status -ne Completed
'@
            Remarks = 'An item that hangs is stopped after 30 s; a failed one is tried twice more, 5 s and then about 10 s later. If more than 10% of the finished items fail, no new items start. The results show which servers failed and how many attempts each took.'
        }
        @{
            Title   = 'Resume after a crash'
            Code    = @'
Get-ChildItem photos -Filter *.jpg |
    Invoke-ParallelJob -LogPath photos.jsonl -Resume -Key { $_.FullName } { Optimize-Photo $_ }
'@
            Remarks = 'The first run creates photos.jsonl. If it is interrupted, run the same line again: items the log records as completed are not run again, their logged output is written in place, and only the rest run.'
        }
        @{
            Title   = 'Run in the background'
            Code    = @'
$job = 1..100 | Invoke-ParallelJob -AsJob { Start-Sleep -Milliseconds 100; $_ * 2 }
$job | Wait-Job | Receive-Job
'@
            Remarks = 'Receive-Job returns 2, 4, 6, ... in input order. Stop-Job stops every running item.'
        }
        @{
            Title   = 'Test automation with Pester: -Sequential'
            Code    = @'
Mock Get-Remote { 'mocked' }
$result = 1..3 | Invoke-ParallelJob -Sequential { Get-Remote $_ }
$result | Should -Be @('mocked', 'mocked', 'mocked')
'@
            Remarks = 'With -Sequential the items run in the caller''s session, where Pester''s Mock applies.'
        }
        @{
            Title   = 'Stream a huge input, stop early'
            Code    = 'Get-Content huge.csv | Invoke-ParallelJob { $_.ToUpper() } | Select-Object -First 10'
            Remarks = 'Input is read only a bounded number of items ahead of the workers, and the run stops as soon as ten results are out.'
        }
    )
    Links       = @('New-ParallelCall', 'Get-ParallelJobPool', 'Clear-ParallelJobPool', 'ForEach-Object')
}
