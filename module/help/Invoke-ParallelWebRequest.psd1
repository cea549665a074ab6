@{
    Synopsis    = 'Sends many HTTP requests in parallel over one pooled connection set, and writes the responses in input order.'
    Description = @'
Invoke-ParallelWebRequest is the API-call job: one HTTP request per input item, run in C# on the worker pool with no runspace per item, so a thousand small requests cost little more than the network time. Each input is a URI (a string or a System.Uri), or an object or hashtable with a Uri property and optionally Method, Headers, Body and ContentType; what an item leaves out comes from the -Method, -Headers, -Body and -ContentType parameters.

All requests of a run share one HttpClient, so connections are pooled and kept alive between requests (on PowerShell 7 it runs on SocketsHttpHandler). At most -ThrottleLimit requests are in flight at once (16 by default), and at most -MaxPerHost to any one host.

Each response is a ParallelJobs.ParallelWebResponse with Uri, Method, StatusCode, ReasonPhrase, ContentType, Headers, Content, Elapsed and Attempts. As Invoke-RestMethod does, a JSON body (application/json, text/json or any +json media type) is parsed into PSCustomObject and array values; text is a string; a binary body is a byte array. -AsJson parses every body as JSON, -Raw keeps every body as text.

Failures are per item and never stop the other requests. Every error has a stable id: WebConnectionRefused (nothing listens on the port), WebDnsFailure (the host name does not resolve), ItemTimedOut (no complete answer within -ItemTimeoutSeconds), WebInvalidJson (a JSON body that does not parse), WebHttpError (the server answered 400 or above, after any retries; the exception's InnerException.Response holds the response), WebConnectionFailed (any other network failure) and WebInvalidInput (an item that is not a usable request). Every error's TargetObject is the item's input, and its ParallelJobItem property a ParallelJobs.ParallelJobItem with the item's Index and Input.

Retries use the module's common -RetryCount and -RetryDelay, but only for failures that another attempt can fix: 408, 429 and 5xx answers, refused or dropped connections and timeouts. A 404, a DNS failure, invalid JSON or a bad URI fails at once. When a 429 or 5xx answer carries Retry-After (seconds or an HTTP date), the next attempt waits at least that long (at most 300 s); otherwise the wait is -RetryDelay doubled for each further attempt, with jitter. A retry waits in the run's queue, not on a worker, so other requests go on meanwhile.
'@
    Parameters  = @{
        InputObject        = 'The requests: URIs (strings or System.Uri), or objects or hashtables with a Uri property and optionally Method, Headers (a hashtable), Body and ContentType. From the pipeline each object is one request; passed as a parameter (alias -Uri), a list is one request per element. A bare host name such as example.com means http.'
        Method             = 'The HTTP method of requests whose item does not name one. The default is GET.'
        Headers            = 'Headers sent with every request, as a hashtable of names and values. An item''s own Headers are added after these and win on the same name. A Content-Type header sets the body''s media type.'
        Body               = 'The body of requests whose item has no Body property. A string is sent as UTF-8 text, a byte array as it is, and a hashtable, PSCustomObject or array as JSON.'
        ContentType        = 'The media type of the body, for requests whose item does not give one. By default text/plain for a string, application/octet-stream for bytes and application/json for an object sent as JSON.'
        AsJson             = 'Parses every response body as JSON, whatever its Content-Type says. A body that does not parse gives a WebInvalidJson error.'
        Raw                = 'Keeps every response body as text in Content, never parsing JSON. Cannot be combined with -AsJson.'
        SkipHttpErrorCheck = 'Writes responses with a status of 400 or above as results, as for any other status, instead of WebHttpError errors. Such responses are then never retried.'
        MaxPerHost         = 'The most connections, and so requests at once, to any one host (scheme, host and port). The default is -ThrottleLimit, so one host can use every worker.'
        ThrottleLimit      = 'How many requests are in flight at once, each on its own worker thread. The default is 16. It must be 1 or more.'
        Unordered          = 'Writes each response as soon as it arrives, instead of in input order.'
        TimeoutSeconds     = 'Bounds the whole run. When it runs out, requests in flight are cancelled, requests not yet sent never start, the responses already finished are written, and one RunTimedOut error is thrown. It must be above 0.'
        ItemTimeoutSeconds = 'The per-request timeout: one attempt that has not received its whole response within this many seconds is cancelled and reported with an ItemTimedOut error (Status TimedOut with -AsResult); with -RetryCount it is tried again. The default is 100, as HttpClient''s. It must be above 0.'
        RetryCount         = 'How many more times to try a request that failed in a way a retry can fix: a 408, 429 or 5xx answer, a refused or dropped connection, or a timeout. A 404, a DNS failure or invalid JSON is not retried. The default is 0. Retries are announced on the verbose stream; -AsResult and the response''s Attempts property record how many attempts a request took.'
        RetryDelay         = 'Seconds to wait before the first retry; each further retry waits twice as long, with random jitter of +/-50%, capped at 300 s. A Retry-After header on the answer makes the wait at least that long. The default is 1.'
        MaxFailures        = 'Stops sending new requests once this many have failed (after their retries), lets the ones in flight finish, and then throws one MaxFailuresExceeded error that gives the counts. A percentage such as 10% counts against the requests finished so far, once at least ten have finished.'
        AsResult           = 'Writes one ParallelJobs.ParallelJobResult per request, in input order, instead of the responses: Index, Input, Output (the ParallelWebResponse), Errors, Status (Completed, Failed, TimedOut, Cancelled, Skipped), Attempts, StartTime and Duration. Errors then travel inside the results instead of the error stream.'
        LogPath            = 'Appends one JSON line per finished request to this file, flushed as it ends: index, key, status, attempts, start, duration, error message and the response serialized with CliXml. The first line names the job. An existing log is refused unless -Resume or -Force is given.'
        Resume             = 'With -LogPath: skips the requests the log records as completed, writes their logged responses (deserialized) in their place, and sends only the rest. A log written with another -Method, -Body or content mode is refused unless -Force is given.'
        Key                = 'A script block that gives each request a stable identity for the job log, with the item in $_, for example { $_ } for a list of URIs. By default the key is the input index. A request whose key fails or repeats an earlier key is not sent and gets a KeyFailed or DuplicateKey error.'
        Force              = 'With -LogPath: starts a new log in place of an existing one, or, with -Resume, accepts a log written for different settings.'
    }
    Inputs      = 'System.String, System.Uri, System.Collections.Hashtable, System.Management.Automation.PSObject'
    Outputs     = 'ParallelJobs.ParallelWebResponse, ParallelJobs.ParallelJobResult'
    Notes       = @'
Compared with ForEach-Object -Parallel { Invoke-RestMethod $_ }: no runspace is created per item, connections are pooled across the whole run, results are ordered, and retries honour Retry-After without holding a worker.

Timeouts are per attempt: -ItemTimeoutSeconds 10 -RetryCount 2 gives each of up to three attempts ten seconds. -TimeoutSeconds bounds the whole run.

The worker threads wait for their own request only; the network I/O itself is asynchronous and never blocks the .NET thread pool.
'@
    Examples    = @(
        @{
            Title   = 'Fetch a thousand API pages, 50 at a time, in order'
            Code    = @'
1..1000 | ForEach-Object { "https://api.example.com/items/$_" } |
    Invoke-ParallelWebRequest -ThrottleLimit 50 | ForEach-Object Content
'@
            Remarks = 'Each JSON body is parsed into an object, as Invoke-RestMethod would; the objects come out in the order of the item numbers.'
        }
        @{
            Title   = 'Survive rate limits: retry 429 and 5xx, honouring Retry-After'
            Code    = @'
Get-Content urls.txt |
    Invoke-ParallelWebRequest -RetryCount 4 -RetryDelay 0.5 -ItemTimeoutSeconds 15 -AsResult |
    Where-Object Status -ne Completed
'@
            Remarks = 'A request answered with 429 or 5xx is sent again after the server''s Retry-After, or after 0.5, 1, 2 and 4 seconds (with jitter). Each attempt has 15 seconds. The results list the requests that still failed, with their errors and attempt counts.'
        }
        @{
            Title   = 'POST a different body per item'
            Code    = @'
$users | ForEach-Object { @{ Uri = 'https://api.example.com/users'; Method = 'POST'; Body = @{ name = $_.Name; mail = $_.Mail } } } |
    Invoke-ParallelWebRequest -Headers @{ Authorization = "Bearer $token" } -ThrottleLimit 8
'@
            Remarks = 'Each hashtable body is sent as JSON with Content-Type application/json. The Authorization header goes with every request.'
        }
        @{
            Title   = 'Check which links are broken'
            Code    = @'
Get-Content links.txt | Invoke-ParallelWebRequest -Method HEAD -SkipHttpErrorCheck -ThrottleLimit 32 |
    Where-Object StatusCode -ge 400 | Format-Table StatusCode, Uri
'@
            Remarks = 'With -SkipHttpErrorCheck a 404 is a result like any other, so the table lists the broken links. Links whose host does not resolve still give WebDnsFailure errors.'
        }
        @{
            Title   = 'Tell failures apart by error id'
            Code    = @'
$uris | Invoke-ParallelWebRequest -ErrorVariable failed 2>$null | Out-Null
$failed | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | Format-Table Count, Name
'@
            Remarks = 'Counts the failures per kind: WebConnectionRefused, WebDnsFailure, ItemTimedOut, WebInvalidJson, WebHttpError.'
        }
    )
    Links       = @('Invoke-ParallelCrawl', 'Invoke-ParallelJob', 'Invoke-RestMethod')
}
