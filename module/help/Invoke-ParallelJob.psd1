@{
    Synopsis    = 'Runs a script block for each input item on a pool of worker runspaces, and writes the results in input order.'
    Description = @'
Invoke-ParallelJob is the PowerShell form of joblib's Parallel(n_jobs=N)(delayed(f)(x) for x in items). Each input item runs the script block in parallel, with $_ (and $PSItem) set to the item, and the results come back in input order, as if the loop had run sequentially, only faster. Output streams: the oldest unfinished item's output and records are written as it produces them (as ForEach-Object -Parallel writes them), and a later item's as soon as every earlier item is done; -Unordered writes every item's as it produces them. With -AsResult, -RetryCount or -LogPath an item's output waits for its end (it is collected, may be run again, or must be logged).

Input is read as it arrives and only a bounded number of items ahead of the workers, so an endless input does not fill memory, and Select-Object -First stops the run early.

Workers are dedicated threads, each with its own runspace, at most -ThrottleLimit at a time. A runspace is reused for the worker's next item, but every item starts as in a runspace of its own: in a fresh scope, in the caller's current file-system location, with the caller's preference variables ($VerbosePreference, $DebugPreference, $ProgressPreference, $WhatIfPreference, $ConfirmPreference; an invalid value counts as PowerShell's default), and without the global or script variables, functions, aliases, drives, modules or $Error entries that an earlier item or an earlier call left: after each item whose script could change them (one that calls a command, for example) the worker checks and puts back what changed. Runspaces are kept warm between calls (see Get-ParallelJobPool).

Small, quick items are handed to a runspace in batches whose size adapts to the measured time per item, so the cost per item stays close to that of a sequential ForEach-Object. Slow items still go one at a time.

State reaches items through $using:name (the caller's variable, defined in each item's scope), -ArgumentList (bound to the script block's param() block), -Variable, -Function, -Module and -InitializationScript. Objects are passed by reference, not copied; an object changed by several items at once needs its own locking.

$using: works as in ForEach-Object -Parallel. It is read from the caller when the command starts, for the script block itself and for any script block nested in it that runs in the item (& { }, Where-Object, ForEach-Object without -Parallel). A script block given to a parallel or remote call inside the item (ForEach-Object -Parallel, Start-ThreadJob, Start-Job, Invoke-Command to another computer, Invoke-ParallelJob, New-ParallelCall) keeps its $using:, which that call reads from the item's variables: 1..2 | Invoke-ParallelJob { $o = $_; 1..2 | ForEach-Object -Parallel { "$using:o.$_" } } gives 1.1 1.2 2.1 2.2. $using:a[0] and $using:a.Count are evaluated whole in the caller; $using:env:NAME reads an environment variable ($null when it is not set). A $using: variable that is not defined in the caller stops the command before any item runs, with the error UsingVariableIsUndefined naming it (a variable that holds $null is fine).

Script blocks are not passed to items as data. A script block belongs to the session that created it, and run on a worker thread it would run against the caller's session. So a script block in a $using: value stops the command (UsingScriptBlockNotSupported, as ForEach-Object -Parallel refuses one); one in -ArgumentList or -Variable stops it too (ScriptBlockValueNotSupported); and an input item that is a script block is skipped with a ScriptBlockValueNotSupported error while the other items run (ForEach-Object -Parallel skips one the same way). This holds also for a script block inside an array, a list or a hashtable (four levels deep; the properties of other objects, [pscustomobject] included, are not searched), and with -Sequential, so that a script behaves the same in both modes. Pass the script block's text instead and call [scriptblock]::Create() in the item (the new block has no closure: it sees the item's variables, not the caller's), or define a function and pass it with -Function. Without -ScriptBlock, input script blocks are the tasks themselves and run from their text.

The script block runs per item as it would as the script of a ForEach-Object -Parallel item: begin, process and end blocks, dynamicparam, param() defaults, [CmdletBinding()] with $PSCmdlet, return, and exit, break or continue outside a loop (which end the item, keeping the output written before them, never the caller's script or loop, also with -Sequential). Two differences, both on the side of what a loop would do: the process block sees the item as $_ and in $input (ForEach-Object -Parallel gives $null and an empty $input there), and $_ is the item in an advanced ([CmdletBinding()]) script block too. An advanced script block binds no pipeline input, as in ForEach-Object -Parallel; -ArgumentList goes to its parameters.

Errors, warnings, verbose, debug and information records that an item writes are written to the caller's streams on the pipeline thread, in order with the item's output; progress records are shown at once, under the run's own bar. That bar appears a quarter second into the run and is refreshed about twice a second, also while no item completes: done of total (or so far, while input may still bring more), running and failed items, the rate, the time elapsed and an estimate of the time left; under it the three oldest items that have run over a second, with their elapsed time. It follows $ProgressPreference and -ProgressAction. An item's error keeps its own exception, FullyQualifiedErrorId and TargetObject, as in ForEach-Object -Parallel; the item it came from is added as its ParallelJobItem property (a ParallelJobs.ParallelJobItem with Index, Input and Host), and the message the error view shows starts with the item. One item's failure never stops the others, unless -ErrorAction Stop is given: then the first failure stops the run, the results of earlier items have already been written, and the error is thrown.

Without -ScriptBlock, each input that is a script block or a call made by New-ParallelCall runs as its own task.

With -HostName, -SSHConnection or -Session the items run on remote hosts over PowerShell remoting over SSH, with no agent to install (-HostName and -SSHConnection need PowerShell 7 on the caller's side too: Windows PowerShell 5.1 has no SSH remoting, and says so with SshRemotingNeedsPowerShell7): each host needs only PowerShell 7 and an sshd with the line "Subsystem powershell /path/to/pwsh -sshs" in its sshd_config (on Windows, for example "Subsystem powershell c:/progra~1/powershell/7/pwsh.exe -sshs"). -ThrottleLimit is then the number of slots per host, and each slot is its own SSH connection with its own remote PowerShell process. Items go to whichever slot is free, so a slow host simply takes fewer items, and the results still come back in input order (or as they finish with -Unordered). $using:, -ArgumentList, -Variable, -Function, -InitializationScript and -Module work as they do locally; the item's input, the $using: values and the arguments travel serialized, as with Invoke-Command. Errors, warnings, verbose, debug, information and progress records reach the caller's streams: an error's ParallelJobItem property names the item's Index and its Host, warning, verbose and debug messages start with [index@host], information records get the tags ParallelJobs.Index=<index> and ParallelJobs.Host=<host>, and -AsResult fills in Host.

When a host drops in the middle of a run (sshd stopped, machine down, network cut), the items that were running on it go back in the queue and run on the hosts that are still up: none is lost, and -AsResult's Attempts counts the extra attempt. An item that was cut off may have done part of its work on the lost host, so remote items should be safe to run again. A host that cannot be reached at the start is reported once with a warning and the run goes on with the others. Only when no host is left does the run stop, with an AllHostsLost error that says how many items were not done; with -LogPath and -Resume, running the same command again does only those.

Give only one of -HostName, -SSHConnection and -Session. Mixing them, -UserName, -KeyFilePath, -Port or -Options without -HostName, or -UseNewRunspace or -Sequential with a remote target stops the command before anything runs, with the error RemoteParameterConflict.
'@
    # The forms Get-Help shows: one parameter set underneath, its exclusions checked when the command starts.
    Syntax      = @(
        @{ Omit = 'HostName', 'UserName', 'KeyFilePath', 'Port', 'Options', 'SSHConnection', 'Session' }
        @{ Omit = 'UseNewRunspace', 'Sequential', 'SSHConnection', 'Session'; Mandatory = 'HostName' }
        @{ Omit = 'UseNewRunspace', 'Sequential', 'HostName', 'UserName', 'KeyFilePath', 'Port', 'Options', 'Session'; Mandatory = 'SSHConnection' }
        @{ Omit = 'UseNewRunspace', 'Sequential', 'HostName', 'UserName', 'KeyFilePath', 'Port', 'Options', 'SSHConnection'; Mandatory = 'Session' }
    )
    Parameters  = @{
        ScriptBlock          = 'The script block to run for each input item, with $_ and $PSItem set to the item. It runs in a worker runspace, not the caller''s: reach the caller''s variables with $using:name, -Variable or -ArgumentList, and its functions with -Function. Without it, each input must be a script block or a ParallelCall made by New-ParallelCall. Its alias -Parallel lets a ForEach-Object -Parallel line convert by changing only the command name: -ThrottleLimit, -TimeoutSeconds (a bound on the whole run, as there; here it also ends with one RunTimedOut error), -AsJob and -UseNewRunspace have the same names and meanings.'
        InputObject          = 'The items to process. From the pipeline each object is one item. Passed as a parameter, a collection is enumerated, one item per element.'
        ThrottleLimit        = 'How many items run at once, one worker runspace each. The default is 5, as with ForEach-Object -Parallel: most script blocks wait on I/O (web calls, remote commands, files), and more of them at once than there are cores keeps those waits overlapping. For CPU-bound work give the number of cores, -ThrottleLimit ([Environment]::ProcessorCount): more only makes the items take turns. It must be 1 or more. With -HostName or -SSHConnection it is the number of slots per host, each its own SSH connection (default 4), so two hosts with -ThrottleLimit 8 run 16 items at once. With -Session each session is one slot, and -ThrottleLimit, if given, uses at most that many of each host''s sessions.'
        Unordered            = 'Writes each item''s output and records as it produces them, instead of in input order.'
        ArgumentList         = 'Arguments bound to the script block''s param() block for every item, by position. The item itself stays in $_.'
        Variable             = 'Variables to define in every worker runspace: names of the caller''s variables, or a hashtable of names and values.'
        Function             = 'Names of the caller''s functions to define in every worker runspace. Tab completes the names of the functions defined in your session. An item that calls one of your functions without it gets PowerShell''s own CommandNotFoundException error, with a message and a recommended action that name -Function.'
        Module               = 'Modules to import in every worker runspace, by name or path. Each runspace imports them once, not once per item. A module that cannot be imported stops the run with one error that names it, before any item runs. Remotely the module must be installed on each host (a path is a path on the host) and is imported once per slot; a host that cannot import it writes one RemoteModuleImportFailed error that names the module and the host, and the run goes on with the other hosts. Tab completes the names of the modules loaded in your session and those on the module path (Get-Module -ListAvailable), and a path when no name matches.'
        InitializationScript = 'A script block that runs once in each worker runspace before its first item, for example to load a large lookup table. Variables it sets are visible to every item on that runspace.'
        UseNewRunspace       = 'Runs every item in a brand-new runspace, which is closed as soon as the item is done. When the machine has more cores than -ThrottleLimit, the spare cores open the next runspaces ahead, on background threads, while earlier items run; otherwise each worker opens its own, which keeps fewer runspaces alive and the garbage collector''s work smaller. Slower than the default; use it when items change global state that must not leak.'
        UseProcess           = 'Runs each worker in a PowerShell process of its own, of the same edition and version as this one, through PowerShell''s out-of-process runspaces (what Start-Job uses), with the same throttling, ordering, batching, $using:, -ArgumentList, -Variable, -Function, -Module, -InitializationScript, retries, -MaxFailures, job log and -AsJob. Output, $using: values, arguments and -Variable values travel serialized, as with Start-Job: the caller gets deserialized objects. An item that ends its process ([Environment]::Exit, a crash, Stop-Process $PID) fails alone with WorkerProcessExited (the message gives the exit code), counts as a failed attempt for -RetryCount, and a new process takes the worker''s place. -ItemTimeoutSeconds kills the process of an item that does not stop within 0.4 s of its timeout; Ctrl+C kills what has not stopped after 1 s. Worker processes watch their caller and end when it ends, even when it is killed. Each worker process keeps one pipeline open, across calls while it waits in the pool, and each batch (the first of a call with the call''s setup) and the reset after the call are messages on it; a batch of several quick items comes back at once (each item on file as it ends, so an item that ends its process loses no other item''s result and none runs twice), so such an item''s output arrives when its batch ends; with -ItemTimeoutSeconds or -RatePerSecond items go one at a time, their output as written. Idle worker processes stay in the warm pool across calls. Worker processes start with DOTNET_TieredPGO=0 unless this session''s environment sets it (they compile less after they start), and remove it from their environment once started, so items see this session''s environment. Starting a process costs about half a second to a second; use it for work that must not share this process (modules that are not thread-safe, process-wide state, code that may crash) or allocation-heavy items, where separate processes also mean separate garbage collectors; runspace workers are faster for items of up to about 50 us of script work, worker processes for longer script-heavy items, where two runspaces in one process share one garbage collector and allocator (bench/Bench-BreakEven.ps1 on two cores, runspace workers against worker processes: 3.3x against 0.8x at 10 us, 1.6x against 1.5x at 50 us, 1.3x against 1.8x at 200 us, 1.4x against 2.0x at 1 ms, 1.3x against 2.2x at 5 ms; two independent pwsh got 1.8x to 2.0x there). $ParallelJob (refill) is not available in worker processes.'
        MaxItemsPerWorker    = 'With -UseProcess: replaces a worker process after it has run this many items (between items), as loky''s and web servers'' worker pools recycle workers, for code that leaks.'
        MaxWorkerMemoryMB    = 'With -UseProcess: replaces a worker process whose working set has grown past this many MB, checked between batches of items.'
        TimeoutSeconds       = 'Bounds the whole run. When it runs out, running items are stopped, items not yet started never start and input is no longer read (so an endless input ends here too), the results already finished are written (in order, past the items that did not finish), and one RunTimedOut error is thrown. Workers stuck in a call no stop reaches are given up on after 1 s, as with -ItemTimeoutSeconds. It must be above 0.'
        ItemTimeoutSeconds   = 'Stops any single item that runs longer than this, even one in Start-Sleep 3600 or a tight loop, and reports it with an ItemTimedOut error (Status TimedOut with -AsResult). Every other item goes on. It must be above 0. The output the item wrote before it was stopped is kept and written before its error. An item stuck where no PowerShell stop reaches it (a blocking .NET call such as [Threading.Thread]::Sleep, a socket read, a wait, or a tight loop in C#) is reported ItemTimedOut 0.5 s after its timeout anyway: its runspace is discarded and never reused, a fresh worker takes its place so the run goes on at full width, and its thread is left to end on its own as a background thread that does not keep the process alive. Until that call returns, its side effects may still happen (a file written, a request sent) after the item was reported timed out, and it may still use the CPU; nothing it does then reaches the results.'
        RetryCount           = 'Runs an item that threw, wrote an error or timed out up to this many more times. Each attempt starts in a clean scope; -AsResult records the number of attempts. Retries are announced on the verbose stream.'
        RetryDelay           = 'Seconds to wait before the first retry; each further retry waits twice as long, with random jitter of +/-50%, capped at 300 s. The default is 1.'
        MaxFailures          = 'Stops starting new items once this many items have failed (after their retries), lets the running ones finish, and then throws one MaxFailuresExceeded error that gives the counts. A percentage such as 10% counts against the items finished so far, once at least ten have finished.'
        AsResult             = 'Writes one ParallelJobs.ParallelJobResult per item, in input order, instead of the items'' output: Index, Input, Output, Errors, Status (Completed, Failed, TimedOut, Skipped), Attempts, StartTime, Duration (all attempts together), LastAttemptDuration and Host. Errors then travel inside the results instead of the error stream.'
        LogPath              = 'Appends one JSON line per finished item to this file, flushed as the item ends: index, key, status, attempts, start, duration, error message and the output serialized with CliXml. The first line names the job by a salted hash of its script block, arguments and settings, never the text of them (a request body stays out of the log), and each item records only a keyed hash of its input. The log never holds a secret in recoverable form: output that holds a System.Security.SecureString or PSCredential (as an output object or one of its direct properties) is not logged; its entry has the status NotLoggable and -Resume runs the item again. An existing log is refused unless -Resume or -Force is given. One run uses a log at a time: while a run holds it (through the file <log>.lock, removed when the run ends), a second run on the same log fails with LogInUse and changes nothing. A full disk stops the run with LogWriteFailed; the lines already written stay valid.'
        Resume               = 'With -LogPath: skips the items the log records as completed, writes their logged output in their place, and runs only the rest, so the output equals that of an uninterrupted run. Logged output comes back deserialized. A log whose last line was cut off by a crash is read up to that line, with a warning. A log written for another script block is refused unless -Force is given. Each entry records a fingerprint (a hash) of its item''s input: an entry whose input differs from this run''s item with the same key (a log of 1..6 resumed with 6..1 and index keys) is refused with LogInputMismatch; with -Force such items run again instead. A blank line is ignored; a damaged line, or logged output that is not valid CliXml, fails with LogCorrupt and names its line.'
        Key                  = 'A script block that gives each item a stable identity for the job log, with the item in $_, for example { $_.FullName }. By default the key is the input index. An item whose key fails or repeats an earlier key is not run and gets a KeyFailed or DuplicateKey error, with or without -LogPath.'
        Force                = 'With -LogPath: starts a new log in place of an existing one, or, with -Resume, accepts a log written for a different script block and runs again the items whose logged input differs from this run''s (LogInputMismatch).'
        Sequential           = 'Runs the items one at a time in the caller''s own session, on the pipeline thread, with the same ordering, retries, logging and result objects, as joblib''s n_jobs=1 does. Pester Mocks of functions the script block calls, and debugger breakpoints in it, apply (when it has no $using:, no begin, process or end block, no [CmdletBinding()] and no exit, break or continue outside a loop: those run from a rewritten copy of its text). Use it to test automation that calls Invoke-ParallelJob. -Module and -InitializationScript are not applied: the caller''s session is used as it is. A running item cannot be stopped from outside there, so -ItemTimeoutSeconds, -AsJob and -UseNewRunspace are refused with -Sequential, and -TimeoutSeconds takes effect between items.'
        AsJob                = 'Returns a background job (a Job2, as Start-ThreadJob''s) once the input has been read, which Get-Job, Wait-Job, Receive-Job (results in input order; -Wait -AutoRemoveJob works), Stop-Job and Remove-Job understand; StopJob() and StopJobAsync() stop every running item, and suspending is not supported. Its Command is the script block''s text. The job ends Failed, with the error as JobStateInfo.Reason (which Receive-Job writes as an error), when the run fails (-TimeoutSeconds, -MaxFailures, a setup failure) or an item fails with a terminating error or a timeout; errors an item only writes leave it Completed, as with Start-ThreadJob. With -AsResult the same holds: the results carry the errors, and an item that threw or timed out makes the job Failed. With -ErrorAction Stop the first error ends the job: the running items are stopped and that error, with its ParallelJobItem, is the Reason. The progress bar and the items'' Write-Progress records go to the job''s Progress stream.'
        JobName              = 'The name of the job that -AsJob returns.'
        RatePerSecond        = 'Starts at most this many items per second over the whole run, evenly spaced, as GNU parallel''s --delay: 20 starts an item every 50 ms, 0.5 one every two seconds. Retries count as starts. Items already running are not slowed; with a rate the batch size is 1 unless -BatchSize is given (a batch''s items still each wait their turn).'
        BatchSize            = 'Hands this many items to a runspace at a time. By default the batch size adapts: it starts at 1 and doubles while batches finish in under 20 ms (200 ms for -UseProcess, where a batch of several quick items comes back as one message). Remotely the default is 1: every item is its own round trip, so a free slot always takes the next item.'
        HostName             = 'Runs the items on these hosts over PowerShell remoting over SSH, as New-PSSession -HostName does, with -ThrottleLimit slots (SSH connections) per host. A name may carry a user and a port: user@host:port. The host name and port are what results carry in Host. Each host needs PowerShell 7 and "Subsystem powershell /path/to/pwsh -sshs" in its sshd_config. Sessions are opened when the run starts; afterwards they stay in the warm pool (Get-ParallelJobPool shows them as Kind SSH), reset, for the next call to the same host with the same user, key, port, options, -Module and -InitializationScript, until the idle timeout closes them. A pooled session that died meanwhile is opened again without a warning.'
        UserName             = 'With -HostName: the user to log on as on every host, unless a name says user@host.'
        KeyFilePath          = 'With -HostName: the private key file ssh authenticates with, as New-PSSession -KeyFilePath. Relative paths are resolved against the current location; the file must exist. Only its path is passed to ssh: the key is never read, logged or written by this module.'
        Port                 = 'With -HostName: the SSH port of every host, unless a name says host:port. The default is ssh''s own (22, or the Port in your ssh_config).'
        Options              = 'With -HostName: ssh options passed through to every connection as -o name=value, as New-PSSession -Options, for example @{ UserKnownHostsFile = ''~/.ssh/lab_hosts''; ServerAliveInterval = 5 }. Host-key checking stays as ssh is configured: this module never turns it off. Unless you set them, BatchMode=yes is added (ssh refuses rather than prompts for a password or an unknown host key in many connections at once; set BatchMode = ''no'' to allow prompts) and ServerAliveInterval=10 with ServerAliveCountMax=3 (a cut network is noticed within about 30 s).'
        SSHConnection        = 'Runs the items on remote hosts described by hashtables, one per host, with the keys New-PSSession -SSHConnection takes: HostName (or ComputerName), UserName, KeyFilePath (or IdentityFilePath), Port, Subsystem, ConnectingTimeout (milliseconds to wait for a connection, default 30000) and Options (a hashtable of ssh options, treated as -Options). Use it when hosts need different users, keys or ports. Each host gets -ThrottleLimit slots.'
        Session              = 'Runs the items in sessions you opened with New-PSSession (over SSH or WinRM); each session is one slot, and sessions to the same computer make one host. The sessions are never closed, and the variables and functions the run defines in them are removed (or restored) afterwards; what the items, -Module and -InitializationScript change stays, as with Invoke-Command -Session. A session that breaks cannot be reopened, so its slot is lost; the others go on.'
    }
    Defaults    = @{
        ThrottleLimit      = '5 (as ForEach-Object -Parallel; for CPU-bound work use [Environment]::ProcessorCount); 4 per host with -HostName or -SSHConnection'
        TimeoutSeconds     = 'None (no limit)'
        ItemTimeoutSeconds = 'None (no limit)'
        RatePerSecond      = 'None (items start as soon as a worker is free)'
        BatchSize          = 'Adaptive (starts at 1)'
        Port               = 'ssh''s own (22, or the Port in ssh_config)'
        Key                = 'The input index'
        JobName            = 'Job<n>, as Start-Job names jobs'
    }
    Inputs      = 'System.Object'
    Outputs     = 'System.Object'
    Notes       = @'
Compared with ForEach-Object -Parallel: results are ordered by default; the cost per small item is a few microseconds instead of about 1.5 ms; runspaces are reused and kept warm; common parameters such as -ErrorAction, -ErrorVariable, -OutVariable and -PipelineVariable work; and the module also loads in Windows PowerShell 5.1.

Objects come back as the same .NET objects the items wrote, not serialized copies, except from remote hosts: there, as with Invoke-Command, output, $using: values, arguments and -Variable values travel serialized, and the caller gets deserialized property bags (type names start with Deserialized.) with no methods, except for primitive types such as strings and numbers. The same holds for the output -Resume reads back from the job log.

Worker processes (-UseProcess) return deserialized objects too, as Start-Job does. Each item starts from the state the call's first item had, as in a runspace worker: a global variable, function, alias, drive, module, location, preference or $Error entry an earlier item left in the same process is put back; before a pooled process serves another call, it is reset to how the pool took it. On remote hosts (-HostName, -SSHConnection, -Session) the same holds within a session: each item starts from the state the call's first item had there, and between calls a pooled session goes back to how it was opened. -UseProcess cannot be combined with -Sequential, -UseNewRunspace or a remote target, and -MaxItemsPerWorker and -MaxWorkerMemoryMB need -UseProcess: otherwise the command stops with ProcessParameterConflict. A worker process that cannot be started stops the run with WorkerProcessStartFailed.

Remote items run one invocation each in their slot's session: global variables an item sets are seen by the next item on the same slot, as in a local runspace. Remote workers start in the user's home directory on the host, not the caller's location. $ParallelJob (refill) is not available remotely. An item whose sessions broke under it three times fails with RemoteSessionLost instead of being run again. Before ssh is started for a host, the host's SSH port (as ssh -G resolves it from your ssh_config; hosts behind ProxyJump or ProxyCommand are not checked) is tried with a plain TCP connection, so a host that is down is reported at once; a session that breaks is opened again once if the host still answers.

Setting up a host (once): install PowerShell 7 and OpenSSH server, add "Subsystem powershell /usr/bin/pwsh -sshs" (the path to your pwsh) to /etc/ssh/sshd_config, restart sshd, and put your public key in the user's ~/.ssh/authorized_keys. Check it with: New-PSSession -HostName host -UserName user -KeyFilePath ~/.ssh/id_ed25519 | Remove-PSSession. The host's key must be in your known_hosts (connect once with ssh, or ssh-keyscan after checking the fingerprint): with BatchMode on, an unknown host key is refused rather than asked about.
'@
    Examples    = @(
        @{
            Title   = 'Items that may crash, each worker in its own process'
            Code    = @'
Get-ChildItem *.dat | Invoke-ParallelJob -UseProcess -ThrottleLimit 4 -RetryCount 1 -MaxItemsPerWorker 100 {
    Import-LegacyData -Path $_.FullName   # a native library that sometimes takes its process down
}
'@
            Remarks = 'A file whose import crashes its worker process fails alone with WorkerProcessExited (and is tried once more, in a new process); the other results come back, deserialized, in input order, and the caller''s session is untouched. Each process is replaced after 100 items.'
        }
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
            Remarks = 'Every item starts in the caller''s current location, even after an earlier item moved, so relative paths work as they would in a loop.'
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
$failures | ForEach-Object { $_.ParallelJobItem.Index, $_.ParallelJobItem.Input }
'@
            Remarks = 'Every error''s ParallelJobItem property is a ParallelJobs.ParallelJobItem naming the item''s index and input; its TargetObject is what the item gave it.'
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
            Remarks = 'Receive-Job returns 2, 4, 6, ... in input order. Stop-Job stops every running item. $job.State is Failed, with the error in $job.JobStateInfo.Reason, when the run or an item failed.'
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
            Title   = 'Scale out to two hosts over SSH, 8 items at a time on each'
            Code    = @'
# Once per host: "Subsystem powershell /usr/bin/pwsh -sshs" in /etc/ssh/sshd_config, your key in authorized_keys.
Get-Content urls.txt |
    Invoke-ParallelJob -HostName build1, build2 -UserName ci -KeyFilePath ~/.ssh/ci_ed25519 -ThrottleLimit 8 -AsResult {
        param($timeout)
        (Invoke-WebRequest $_ -TimeoutSec $timeout).StatusCode
    } -ArgumentList 30 | Format-Table Index, Host, Status, Output
'@
            Remarks = 'Each host gets 8 SSH connections; free slots take the next URL, so the faster host does more. Results come back in input order with the host that ran each item. If build2 goes down halfway, its running items are run again on build1.'
        }
        @{
            Title   = 'Hosts with different users, keys and ports; keep a log to resume'
            Code    = @'
$hosts = @(
    @{ HostName = 'web1'; UserName = 'ops'; KeyFilePath = '~/.ssh/ops'; Options = @{ UserKnownHostsFile = '~/.ssh/lab_hosts' } }
    @{ HostName = '10.0.0.7'; Port = 2222; UserName = 'root'; KeyFilePath = '~/.ssh/lab' }
)
Get-Content files.txt | Invoke-ParallelJob -SSHConnection $hosts -Module MyTools -LogPath run.jsonl -Resume {
    Convert-MyFile -Path $_
}
'@
            Remarks = 'MyTools must be installed on each host. If every host is lost, the run stops with an error that says how many items were not done; run the same line again later to do only those.'
        }
        @{
            Title   = 'Use sessions you already have'
            Code    = @'
$sessions = New-PSSession -HostName node1, node1, node2, node2 -UserName me
1..100 | Invoke-ParallelJob -Session $sessions { "$_ on $(hostname)" }
$sessions | Remove-PSSession
'@
            Remarks = 'Four sessions make two slots on each node. Invoke-ParallelJob never closes sessions it was given.'
        }
        @{
            Title   = 'Stream a huge input, stop early'
            Code    = 'Get-Content huge.csv | Invoke-ParallelJob { $_.ToUpper() } | Select-Object -First 10'
            Remarks = 'Input is read only a bounded number of items ahead of the workers, and the run stops as soon as ten results are out.'
        }
    )
    Links       = @('New-ParallelCall', 'Get-ParallelJobPool', 'Clear-ParallelJobPool', 'ForEach-Object', 'New-PSSession', 'Invoke-Command')
}
