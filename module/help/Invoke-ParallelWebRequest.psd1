@{
    Synopsis    = 'Sends many HTTP requests in parallel over one pooled connection set, and writes the responses in input order.'
    Description = @'
Invoke-ParallelWebRequest is the API-call job: one HTTP request per input item, run in C# on the worker pool with no runspace per item, so a thousand small requests cost little more than the network time. Each input is a URI (a string or a System.Uri), or an object or hashtable with a Uri property and optionally Method, Headers, Body and ContentType; what an item leaves out comes from the -Method, -Headers, -Body and -ContentType parameters.

All requests of a run share one HttpClient, so connections are pooled and kept alive between requests (on PowerShell 7 it runs on SocketsHttpHandler). At most -ThrottleLimit requests are in flight at once (16 by default), and at most -MaxPerHost to any one host.

Each response is a ParallelJobs.ParallelWebResponse with Uri, Method, StatusCode, ReasonPhrase, ContentType, Headers, Content, Elapsed and Attempts. A JSON body (application/json, text/json or any +json media type) is parsed by PowerShell's own converter, the one Invoke-RestMethod and ConvertFrom-Json use, so Content holds the same values they give: PSCustomObject and array values, and on PowerShell 7 [DateTime] for dates and [System.Numerics.BigInteger] for integers too big for [long], with comments, trailing commas and [double]::NaN accepted. An empty body is the empty string, as with Invoke-RestMethod. Text is a string; a binary body is a byte array. -AsJson parses every body as JSON, -Raw keeps every body as text.

Where it differs from Invoke-RestMethod: a JSON body that PowerShell's converter refuses (invalid JSON, keys that differ only in case, an empty key) is a WebInvalidJson error of that item, where Invoke-RestMethod falls back to returning the text; a body of another media type is never guessed at (Invoke-RestMethod tries XML and JSON on any body), and XML stays text.

Failures are per item and never stop the other requests. Every error has a stable id: WebConnectionRefused (nothing listens on the port), WebDnsFailure (the host name does not resolve), ItemTimedOut (no complete answer within -ItemTimeoutSeconds), WebInvalidJson (a JSON body that does not parse), WebHttpError (the server answered 400 or above, after any retries; the exception's InnerException.Response holds the response), WebConnectionFailed (any other network failure), WebInvalidInput (an item that is not a usable request), WebTooManyRedirects (more redirects than -MaximumRedirection, as a redirect loop gives), WebInsecureRedirect (a redirect from https to http, or to a scheme other than http and https, which is never followed), WebInvalidHeader (CR, LF or NUL in a header name or value, from -Headers, -ContentType, -UserAgent, a -WebSession or the item), WebResponseTooLarge (a body larger than -MaximumResponseSizeMB after decompression) and WebUnencryptedAuthentication (a password or token for an http URI without -AllowUnencryptedAuthentication). Before any request, WebAuthenticationInvalid says -Authentication, -Credential and -Token do not fit together. Every error's TargetObject is the item's input, and its ParallelJobItem property a ParallelJobs.ParallelJobItem with the item's Index and Input.

Retries use the module's common -RetryCount and -RetryDelay (or Invoke-RestMethod's names for them, -MaximumRetryCount and -RetryIntervalSec), but only for failures that another attempt can fix: 408, 429 and 5xx answers, refused or dropped connections and timeouts. A 404, a DNS failure, invalid JSON or a bad URI fails at once. Methods that are not idempotent (POST, PATCH and any method other than GET, HEAD, PUT, DELETE, OPTIONS and TRACE) are retried only when the request surely had no effect, after a refused connection, a DNS failure, a 408 or a 429; after a 5xx answer, a dropped connection or a timeout they are not sent again, so a record is never created twice. -RetryNonIdempotent retries them like the others. When a 429 or 5xx answer carries Retry-After (seconds or an HTTP date), the next attempt waits at least that long (at most 300 s); otherwise the wait is -RetryDelay doubled for each further attempt, with jitter. A retry waits in the run's queue, not on a worker, so other requests go on meanwhile.

Data per entity from several APIs: with -Request, each input is an entity (a user id, an item, an object), and -Request names the requests to send for it, as URI templates: -Request @{ Orders = 'https://api/users/{0}/orders'; Events = 'https://api/users/{0}/events' }. {0} is the input itself and {Name} its Name property (a hashtable's Name key), each URL-escaped with Uri.EscapeDataString, so an id with a space or a slash stays one path segment; {{ and }} are literal braces. A template may also be a hashtable with a Uri template and Method, Headers, Body or ContentType. All requests of all entities share the run: at most -ThrottleLimit requests are in flight (an entity's requests are sent one after another on its worker), -MaxPerHost and -RatePerSecond count every request. One PSCustomObject (type name ParallelJobs.ParallelWebEntity) is written per entity, in input order: Input (the entity), one property per request holding its parsed body (what Content holds for a single request; with -FollowRelLink and more than one page, an array of the pages' values in order, one per page as Invoke-RestMethod writes them; with -OutDirectory the file's path), Errors (the ErrorRecord of each request that failed, an empty array when none did) and Responses (each request's ParallelWebResponse by name). A request that fails leaves $null in its property, and the entity's other requests still run; its error, whose message starts with the request's name, is also written to the error stream with the entity as its TargetObject. Retries (-RetryCount) and the timeout (-ItemTimeoutSeconds, -TimeoutSec) apply to each request on its own: a retry sends only the request that failed. The properties follow the order of an [ordered] dictionary, or the names in alphabetical order for a plain hashtable. A name that is not usable, or a template with a stray brace, is a WebRequestTemplateInvalid error before any request; a template naming a property the entity lacks is a WebInvalidInput error of that request.

Pacing: -RatePerSecond N starts at most N requests per second to each host (host and port), evenly spaced (a token bucket holding one token), for APIs with a quota. Whatever the rate, an answer of 429 or 503 with Retry-After holds back every new request to that host, from every worker, for that long (at most 300 s), not only the retry of the request that got it.

Downloads: -OutFile writes the body of the one input to a file; -OutDirectory writes each body to its own file in a folder, named from the response's Content-Disposition, else the last segment of the URL. The body is streamed to a temporary file beside its target (.<name>.<random>.part) and renamed into place once it is whole, so a target is never half-written, and a failed, cut-off or too large body (-MaximumResponseSizeMB) leaves no file. A name from the server is reduced to one file name inside the folder: only its last component is kept (no .., no absolute or drive path), characters a file system refuses (< > : " / \ | ? * and control characters) become _, leading dots and trailing dots and spaces go, a Windows device name (CON, NUL, COM1, ...) gets a leading _, it is cut to 200 characters, and an empty name becomes download. When several items of a run would write the same name, the one earliest in the input keeps it and each later one gets its input position appended (report-3.pdf; with -Request the position and the request's name), whatever order they finish in: a later item that finished first is renamed before its result is written. With -Unordered, where a result may be written at once, the first to finish keeps the name instead. No file of the run overwrites another; a file left from an earlier run is replaced. The response's OutFile property holds the file's full path and Content is then null. An answer of 400 or above is not written to disk. -OutFile with a second input is a WebOutFileManyInputs error of that input, which is not sent.

Pages: -FollowRelLink fetches the page that a response's Link header names as rel="next", and so on, up to -MaximumFollowRelLink pages in all, as Invoke-RestMethod does; each page is written as its own ParallelWebResponse, in order, after the pages before it. A next page on the same origin (scheme, host and port) gets the Authorization header too, so a paginated API with a token works, where Invoke-RestMethod drops it on every next page unless -PreserveAuthorizationOnRedirect; a next page on another origin gets none, and one that would leave https for http is not followed (a warning says so). A later page that fails is an error of the item beside the pages before it.

-Verbose writes one line per request and one per response, worded as Invoke-RestMethod writes them (WebRequest: v1.1 GET https://host/path with query length 3, WebResponse: 200 OK with application/json payload with body size 149 B (149 bytes)), and a line per followed page and per Retry-After pause. The query string is left out, as there.
'@
    Parameters  = @{
        MaximumRedirection = 'How many redirects (301, 302, 303, 307, 308) a request follows, as Invoke-RestMethod''s -MaximumRedirection; one more is a WebTooManyRedirects error, so a redirect loop ends there, and 0 follows none. The redirects are followed by the module, not HttpClient: 303, and 301 or 302 after a POST, go on as GET without the body; 307 and 308 keep both. A redirect from https to http is never followed (WebInsecureRedirect), and the Authorization header (from -Authentication or -Headers) is not sent on after a redirect, as Invoke-RestMethod does. PowerShell 7.6''s Invoke-RestMethod, given no -MaximumRedirection, follows up to 50; its help and this cmdlet say 5.'
        MaximumResponseSizeMB = 'The most a response body may hold after decompression, in MB. The body is read as it arrives and reading stops at the cap with a WebResponseTooLarge error of that item (not retried), so a small gzip that inflates to gigabytes, or a body that never ends, costs no more memory than the cap. A Content-Length above the cap fails at once.'
        SkipCertificateCheck = 'Accepts any server certificate: self-signed, expired or for another name, as Invoke-RestMethod''s -SkipCertificateCheck. A warning says so once per run. Anyone on the network path can then read and change the requests and answers; use it only for test servers.'
        Credential = 'A PSCredential. With -Authentication None (the default) it answers the server''s challenge (Basic, Digest, NTLM or Negotiate), as Invoke-RestMethod -Credential does; with -Authentication Basic it is sent at once as a Basic Authorization header. Over http it needs -AllowUnencryptedAuthentication.'
        Authentication = 'As Invoke-RestMethod''s -Authentication: None, Basic (an Authorization header from -Credential, sent with the first request), Bearer or OAuth (an Authorization: Bearer header from -Token). Over http it needs -AllowUnencryptedAuthentication. The header is not sent on after a redirect.'
        Token = 'The bearer token, as a secure string, for -Authentication Bearer or OAuth.'
        AllowUnencryptedAuthentication = 'Sends -Credential, or the header of -Authentication, over http too. Without it an http request that would carry them fails with WebUnencryptedAuthentication, as Invoke-RestMethod refuses it.'
        UserAgent = 'The User-Agent header of every request, instead of ParallelJobs/<version> (or the -WebSession''s). A User-Agent in -Headers or an item''s Headers wins.'
        WebSession = 'A Microsoft.PowerShell.Commands.WebRequestSession, as Invoke-RestMethod -WebSession takes it (New-Object Microsoft.PowerShell.Commands.WebRequestSession, or the variable that Invoke-RestMethod -SessionVariable made). Its cookie jar is shared by every request of the run: cookies it holds are sent, and cookies the servers set are added to it, for later requests of the run and for the caller afterwards. Its Headers are sent with every request (-Headers and the item''s win on the same name), its UserAgent is used unless -UserAgent is given, and its Credentials answer challenges unless -Credential is given.'
        InputObject        = 'The requests: URIs (strings or System.Uri), or objects or hashtables with a Uri property and optionally Method, Headers (a hashtable), Body and ContentType. From the pipeline each object is one request; passed as a parameter (alias -Uri), a list is one request per element. A bare host name such as example.com means http.'
        Method             = 'The HTTP method of requests whose item does not name one: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE, MERGE (tab completes these) or any other method name. The default is GET.'
        Headers            = 'Headers sent with every request, as a hashtable of names and values. An item''s own Headers are added after these and win on the same name. A Content-Type header sets the body''s media type.'
        Body               = 'The body of requests whose item has no Body property. As Invoke-RestMethod does: a string is sent as it is (in UTF-8, or the charset the Content-Type names), a byte array as it is, and a hashtable is form-encoded (key=value&...) on POST, PUT and the like, and put into the query string on GET. A hashtable whose Content-Type is JSON (application/json or +json) is sent as JSON instead, and so are a PSCustomObject and an array (Invoke-RestMethod would send their ToString() text). JSON is written by PowerShell''s own serializer, as ConvertTo-Json -Depth 100 -Compress writes it (on Windows PowerShell 5.1 by the module''s own writer).'
        ContentType        = 'The media type of the body, for requests whose item does not give one (a Content-Type header does the same). By default, as Invoke-RestMethod: a POST is application/x-www-form-urlencoded, other methods send a string or bytes with no Content-Type, a form-encoded hashtable is application/x-www-form-urlencoded, and a body sent as JSON is application/json. Give application/json to send a JSON string.'
        AsJson             = 'Parses every response body as JSON, whatever its Content-Type says. A body that does not parse gives a WebInvalidJson error.'
        Raw                = 'Keeps every response body as text in Content, never parsing JSON. Cannot be combined with -AsJson.'
        SkipHttpErrorCheck = 'Writes responses with a status of 400 or above as results, as for any other status, instead of WebHttpError errors. Such responses are then never retried.'
        MaxPerHost         = 'The most connections, and so requests at once, to any one host (scheme, host and port). The default is -ThrottleLimit, so one host can use every worker.'
        TimeoutSec         = 'Invoke-RestMethod''s name for the per-request timeout, -ItemTimeoutSeconds, in whole seconds: an attempt without its whole response within this time fails with ItemTimedOut. 0 means no timeout, as for Invoke-RestMethod. It is a parameter of its own, so it never abbreviates the run-wide -TimeoutSeconds. Cannot be combined with -ItemTimeoutSeconds.'
        MaximumRetryCount  = 'Invoke-RestMethod''s name for -RetryCount: how many more times to try a request that failed in a way a retry can fix. Unlike Invoke-RestMethod, which retries any 304 and 4xx answer too, only 408, 429, 5xx, connection failures and timeouts are retried, and POST and PATCH only as -RetryNonIdempotent says. Cannot be combined with -RetryCount.'
        RetryIntervalSec   = 'Invoke-RestMethod''s name for -RetryDelay, in whole seconds. With -MaximumRetryCount and neither this nor -RetryDelay, the first retry waits 5 s as with Invoke-RestMethod. Unlike Invoke-RestMethod''s fixed interval, each further retry waits twice as long, with jitter, and a Retry-After header on a 429 or 5xx answer makes the wait at least that long. Cannot be combined with -RetryDelay.'
        RetryNonIdempotent = 'Retries POST, PATCH and other methods that are not idempotent after a 5xx answer, a dropped connection or a timeout too, as GET, HEAD, PUT, DELETE, OPTIONS and TRACE are. Without it such a request is sent again only when it surely had no effect (a refused connection, a DNS failure, a 408 or a 429). Use it only when the server makes repeats harmless, for example with an idempotency key.'
        ThrottleLimit      = 'How many requests are in flight at once, each on its own worker thread. The default is 16. It must be 1 or more.'
        Unordered          = 'Writes each response as soon as it arrives, instead of in input order.'
        TimeoutSeconds     = 'Bounds the whole run. When it runs out, requests in flight are cancelled, requests not yet sent never start, the responses already finished are written, and one RunTimedOut error is thrown. It must be above 0.'
        ItemTimeoutSeconds = 'The per-request timeout: one attempt that has not received its whole response within this many seconds is cancelled and reported with an ItemTimedOut error (Status TimedOut with -AsResult); with -RetryCount it is tried again. The default is 100, as HttpClient''s. It must be above 0.'
        RetryCount         = 'How many more times to try a request that failed in a way a retry can fix: a 408, 429 or 5xx answer, a refused or dropped connection, or a timeout (for POST and PATCH see -RetryNonIdempotent). A 404, a DNS failure or invalid JSON is not retried. The default is 0. Retries are announced on the verbose stream; -AsResult and the response''s Attempts property record how many attempts a request took.'
        RetryDelay         = 'Seconds to wait before the first retry; each further retry waits twice as long, with random jitter of +/-50%, capped at 300 s. A Retry-After header on the answer makes the wait at least that long. The default is 1.'
        MaxFailures        = 'Stops sending new requests once this many have failed (after their retries), lets the ones in flight finish, and then throws one MaxFailuresExceeded error that gives the counts. A percentage such as 10% counts against the requests finished so far, once at least ten have finished.'
        AsResult           = 'Writes one ParallelJobs.ParallelJobResult per request, in input order, instead of the responses: Index, Input, Output (the ParallelWebResponse), Errors, Status (Completed, Failed, TimedOut, Skipped), Attempts, StartTime, Duration (all attempts together) and LastAttemptDuration. Errors then travel inside the results instead of the error stream.'
        LogPath            = 'Appends one JSON line per finished request to this file, flushed as it ends: index, key, status, attempts, start, duration, error message and the response serialized with CliXml. The first line names the job. An existing log is refused unless -Resume or -Force is given. One run uses a log at a time: while a run holds it (through the file <log>.lock, removed when the run ends), a second run on the same log fails with LogInUse and changes nothing. A full disk stops the run with LogWriteFailed; the lines already written stay valid.'
        Resume             = 'With -LogPath: skips the requests the log records as completed, writes their logged responses (deserialized) in their place, and sends only the rest. A log written with another -Method, -Body or content mode is refused unless -Force is given. Each entry records a fingerprint (a hash) of its item''s input: an entry whose input differs from this run''s item with the same key (a log of 1..6 resumed with 6..1 and index keys) is refused with LogInputMismatch; with -Force such items run again instead. A blank line is ignored; a damaged line, or logged output that is not valid CliXml, fails with LogCorrupt and names its line.'
        Request            = 'Named request templates, for data per entity: a hashtable (or [ordered] dictionary) of names and URI templates, such as @{ Orders = ''https://api/users/{0}/orders''; Events = ''https://api/users/{Id}/events'' }. Each input is then an entity: {0} is replaced by the input itself and {Name} by its Name property, URL-escaped. A value may also be a hashtable with a Uri template and Method, Headers, Body or ContentType. One object is written per entity with Input, one property per name (the parsed body, $null when that request failed), Errors and Responses. The names Input, Errors and Responses are taken. Cannot be combined with -OutFile.'
        RatePerSecond      = 'Starts at most this many requests per second to any one host (host and port), evenly spaced across the whole run, redirects and retries included; for example 20 for an API with a quota of 20 per second. Fractions are allowed (0.5 is one request every two seconds). Without it requests are not paced, but a 429 or 503 with Retry-After still pauses new requests to its host. A request waits for its turn on its worker before its attempt begins, so the wait does not count toward -ItemTimeoutSeconds (with -Request, toward that request''s timeout); a redirect or a next page of -FollowRelLink waits within its item''s time.'
        OutFile            = 'Writes the response body to this file instead of Content, streamed to a temporary file beside it and renamed into place when whole (an existing file is replaced). For one input only: a second input is a WebOutFileManyInputs error; use -OutDirectory for many. The response''s OutFile property holds the full path.'
        OutDirectory       = 'Writes each response body to its own file in this folder (created if missing), named from Content-Disposition or the URL''s last segment and made safe (no path traversal, no invalid characters or device names). Two items that would write the same name get different files: the one earlier in the input keeps the name and the later one''s name has its input position appended (with -Unordered, the first to finish keeps it). Each response''s OutFile property holds the full path.'
        FollowRelLink      = 'Follows the Link header''s rel="next" page of each response, as Invoke-RestMethod -FollowRelLink does, and writes every page as its own response, in order, up to -MaximumFollowRelLink pages. Cannot be combined with -OutFile or -OutDirectory.'
        MaximumFollowRelLink = 'With -FollowRelLink, the most pages fetched for one request, the first page included, as Invoke-RestMethod counts them.'
        Key                = 'A script block that gives each request a stable identity for the job log, with the item in $_, for example { $_ } for a list of URIs. By default the key is the input index. A request whose key fails or repeats an earlier key is not sent and gets a KeyFailed or DuplicateKey error.'
        Force              = 'With -LogPath: starts a new log in place of an existing one, or, with -Resume, accepts a log written for different settings.'
    }
    Defaults    = @{
        MaximumRedirection = '5'
        MaximumResponseSizeMB = '100'
        SkipCertificateCheck = 'False (certificates are checked)'
        Credential         = 'None'
        Authentication     = 'None'
        Token              = 'None'
        AllowUnencryptedAuthentication = 'False'
        UserAgent          = 'ParallelJobs/<module version>, or the -WebSession''s'
        WebSession         = 'None (no cookies are kept)'
        Method             = 'GET'
        ContentType        = 'Depends on the body: see -Body'
        MaxPerHost         = 'The -ThrottleLimit'
        TimeoutSeconds     = 'None (no limit)'
        ItemTimeoutSeconds = '100'
        TimeoutSec         = '100 (that of -ItemTimeoutSeconds)'
        RetryIntervalSec   = '5 (with -MaximumRetryCount; else -RetryDelays 1)'
        Key                = 'The input index'
        Request            = 'None (each input is one request)'
        RatePerSecond      = 'None (not paced; Retry-After pauses still apply)'
        OutFile            = 'None (bodies go to Content)'
        OutDirectory       = 'None (bodies go to Content)'
        FollowRelLink      = 'False'
        MaximumFollowRelLink = 'No limit'
    }
    Inputs      = 'System.String, System.Uri, System.Collections.Hashtable, System.Management.Automation.PSObject'
    Outputs     = 'ParallelJobs.ParallelWebResponse; with -Request a PSCustomObject per entity (ParallelJobs.ParallelWebEntity); ParallelJobs.ParallelJobResult with -AsResult'
    Notes       = @'
Compared with ForEach-Object -Parallel { Invoke-RestMethod $_ }: no runspace is created per item, connections are pooled across the whole run, results are ordered, and retries honour Retry-After without holding a worker.

Timeouts are per attempt: -ItemTimeoutSeconds 10 -RetryCount 2 (or -TimeoutSec 10 -MaximumRetryCount 2) gives each of up to three attempts ten seconds. -TimeoutSeconds bounds the whole run.

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
            Remarks = 'Each hashtable body is form-encoded (name=...&mail=...), as Invoke-RestMethod would send it; add ContentType = ''application/json'' to the item (or -ContentType application/json) to send it as JSON. The Authorization header goes with every request. A POST is not sent again after a 5xx answer or a timeout unless -RetryNonIdempotent is given.'
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
        @{
            Title   = 'Gather data per user from three APIs into one object per user'
            Code    = @'
$users = 101, 102, 103
$users | Invoke-ParallelWebRequest -ThrottleLimit 50 -RatePerSecond 20 -Request ([ordered]@{
    Transactions = 'https://payments.example.com/users/{0}/transactions'
    ItemsBought  = 'https://shop.example.com/api/orders?user={0}'
    Events       = 'https://events.example.com/attendees/{0}/events'
}) | ForEach-Object {
    [pscustomobject]@{ User = $_.Input; Spent = ($_.Transactions.amount | Measure-Object -Sum).Sum; Items = @($_.ItemsBought).Count; Events = @($_.Events).Count; Failed = $_.Errors.Count }
}
'@
            Remarks = 'The seed''s job: for each user id, their transactions, the items they bought and the events they attended, from three different APIs, in one object per user and in the order of the ids. All nine requests share the 50 workers, and each host gets at most 20 requests a second. If the events API fails for one user, that user''s Events is $null, the error is in Errors (and on the error stream), and Transactions and ItemsBought are still there. {0} is the id; with objects as input, {Id} takes their Id property.'
        }
        @{
            Title   = 'Download files into a folder, at most 5 per second per host'
            Code    = @'
Get-Content file-urls.txt | Invoke-ParallelWebRequest -OutDirectory ./downloads -RatePerSecond 5 -RetryCount 3 |
    Select-Object StatusCode, OutFile
'@
            Remarks = 'Each body is streamed to disk and appears under its name only once it is complete. A name from Content-Disposition such as ../../etc/passwd is saved as passwd inside ./downloads.'
        }
        @{
            Title   = 'Read every page of a paginated API'
            Code    = @'
Invoke-ParallelWebRequest 'https://api.example.com/items?page=1' -FollowRelLink -MaximumFollowRelLink 50 | ForEach-Object Content
'@
            Remarks = 'Follows Link: <...>; rel="next" headers, as Invoke-RestMethod -FollowRelLink does, and writes the pages in order.'
        }
    )
    Links       = @('Invoke-ParallelCrawl', 'Invoke-ParallelJob', 'Invoke-RestMethod')
}
