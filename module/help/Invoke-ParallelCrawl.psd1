@{
    Synopsis    = 'Crawls web pages in parallel, following links breadth-first to a depth, and writes one object per page in discovery order.'
    Description = @'
Invoke-ParallelCrawl is the crawl job: it fetches the start pages, extracts their links (the href of every a and area element, resolved against the page''s base element; not those in comments, scripts or styles) with a single forward scan of the HTML that builds no tree, so its cost grows only with the page''s length whatever the nesting and a timeout or Ctrl+C stops it at once (at most the first 8 MB of a page and 100,000 links are read), and follows them breadth-first up to -Depth links away, fetching pages in parallel on the worker pool with no runspace per page. Each page found becomes a new item of the same run, so pages are written in the order they were discovered, one ParallelJobs.ParallelCrawlPage each: Uri, Depth, Referrer, StatusCode, ContentType, Title, Links and Elapsed.

The crawl stays on the start pages' origins, the scheme, host and port of each: another port or scheme of the same host is another site (a test server on :8081 beside the site on :80, an admin port), so a link to it is listed in Links but not fetched, and one verbose line per origin says how to let the crawl in. -AllowHost widens the scope (see it below), for example -AllowHost example.com when http://example.com/ redirects to https://example.com/, or -AllowHost 'example.com:8081' for one more port. It never fetches a URL twice: links are resolved against the page (and its <base href>), and normalized before they are compared (scheme and host in lower case, the default port dropped, the fragment removed, dot segments resolved). Only http and https links are followed; mailto:, javascript: and the like are ignored.

robots.txt is honoured by default, as RFC 9309 says: it is fetched once per origin (following up to five redirects), its first 500 kibibytes are read, and the rules of the groups whose user-agent is the product token ParallelJobs (case-insensitive; "ParallelJobs/1.0" counts, "ParallelJobs-Beta" does not), else of the * groups, decide. Paths are compared percent-encoded on both sides (%7E and ~ are the same, hex case does not matter, non-ASCII characters are compared as UTF-8); the longest matching Allow or Disallow pattern wins and Allow wins a tie; * matches any characters and a final $ the end of the URL; /robots.txt itself is always allowed. A robots.txt that answers 4xx (404, 401, 403 ...) allows everything. One that answers 5xx or 429, cannot be connected to, or gives no answer within 30 s (or half of -ItemTimeoutSeconds when that is shorter) is unreachable, and an unreachable robots.txt disallows the whole origin: its pages are not fetched, one warning per origin says why, and after 5 minutes robots.txt is asked again for the links found from then on. -IgnoreRobots skips robots.txt altogether.

At most -ThrottleLimit pages are fetched at once (8 by default) and at most -MaxPerHost (4 by default) from any one host. Redirects are not followed silently: the redirecting page is written with its 3xx status, and its target is followed as a link, so it too is fetched only once.

What a crawl keeps: -IncludeContent puts the decoded text of every text page (HTML, XML, JSON, plain text; at most its first 8 MiB, with ContentTruncated saying when it was cut) in the Content property, and for an HTML page its readable text in Text (tags, comments, title, scripts and styles left out, entities decoded, white space collapsed, one line per paragraph, heading, list item or other block). -OutDirectory stores the body of every page that answers 2xx (any media type, streamed to disk, so its size does not matter to memory) under a path made from its URL, and OutFile on the result says where: host (and _port when not the default) / the URL's path segments / the file name; index.html for a URL that ends in /, .html added to an HTML page whose name has no extension, and a hash of the query string before the extension (page_1a2b3c4d5e6f7a8b.html for page.html?x=1). Segments are decoded and made safe for every file system: separators, control characters and <>:"|?* become _, names the file system would change or refuse (., .., trailing dots and spaces, CON, NUL, COM1 and the other reserved device names) get a _, and segments longer than 150 bytes are cut and given a hash, so no URL can name a file outside the folder. A page whose place is taken by a folder of the same name, or whose folder would be a file already stored, goes to host/_flat/<hash of the URL>. Each body is written to a temporary file beside its target and renamed over it once complete, so a file is never half-written and a page that fails midway leaves nothing behind; running the crawl again replaces the files. A file that cannot be written is that page''s CrawlStoreFailed error.

-Include and -Exclude filter the pages the crawl finds beyond the start pages (links, redirect targets and sitemap entries) by wildcard patterns matched as -like matches them, case-insensitive, against the whole normalized URL (https://example.com/docs/page.html?x=1): a URL that an -Exclude pattern matches is not fetched, and with -Include a URL must match one of its patterns to be fetched. A page that is not fetched yields no links, so the crawl does not pass through it either: -Include ''*/docs/*'' from https://example.com/docs/ stays in /docs/. The start pages you give are always fetched; pages still list every link in Links.

Pacing: -RatePerSecond starts at most that many requests per second to each origin, evenly spaced, and a robots.txt Crawl-delay (of the ParallelJobs group, else the * group; up to 60 s) spaces requests to its origin at least that far apart; the longer of the two applies. A 429 or 503 answer with Retry-After holds back every request to that origin for that long (up to an hour), for the rest of the crawl, not only the page that got it. A page waiting for its origin''s turn (a free -MaxPerHost slot, its rate, its Crawl-delay or a pause) has not started yet: the wait does not count against -ItemTimeoutSeconds.

-UseSitemap adds the pages of each start origin''s sitemaps as start pages (depth 0, with the sitemap as their Referrer), after the start page itself: the sitemaps named on robots.txt''s Sitemap lines, else /sitemap.xml. Sitemap index files are followed two levels deep, at most 50 sitemap files are read per origin, each up to 50 MiB (gzip-compressed ones are decompressed) and 50,000 URLs, and the XML is read with DTDs prohibited and no external entities. Only entries inside the crawl''s sites, and that -Include and -Exclude let through, are used; robots.txt applies to them as to any page.

-Process runs a script block for each fetched page on the worker pool, in a runspace each worker thread opens on its first page and keeps for the crawl, with the page (a ParallelCrawlPage) as $_ and as its first argument (param($page) or $args[0]); a script with a process block also gets it piped in. Its output replaces the page on the output, and is written in discovery order, like the pages; its errors, warnings, debug and information records go with that page. The script block runs in another runspace, so it does not see the caller''s variables and functions, but $using:name (and $using:list[0] and the like) reads a caller''s value, taken once when the crawl starts, as ForEach-Object -Parallel does; an undefined one stops the crawl before it fetches anything (UsingVariableIsUndefined). A terminating error in the script is that page''s ItemFailed error; the page''s links are still followed.

-Verbose writes two lines per request, worded as Invoke-WebRequest''s: WebRequest: v1.1 GET <url>, and WebResponse: <status> <reason> with <media type> payload with body size <size> (<bytes> bytes), the size left out when the body was not read and the server did not say. Sitemap requests are written the same way; robots.txt requests are not.

A page that answers 4xx is a result like any other (a broken link is worth reporting). A 429 or 5xx answer, and pages that get no answer, are per-item errors with stable ids (WebHttpError, WebConnectionRefused, WebDnsFailure, WebConnectionFailed, ItemTimedOut); -RetryCount retries them, honouring Retry-After. The other pages go on.
'@
    Parameters  = @{
        Uri                = 'The pages to start from, at depth 0. Their hosts are always in scope. From the pipeline, each string is one start page. A bare host name such as example.com means http.'
        Depth              = 'How many links away from a start page to follow. 0 fetches only the start pages; the default 2 fetches the start pages, the pages they link to, and the pages those link to.'
        AllowHost          = 'More sites the crawl may enter besides the start pages'' origins (scheme, host and port), as patterns with wildcards: a bare host such as www.example.com or *.example.com means that host on the default ports (http on 80, https on 443); host:port, such as ''example.com:8081'', adds that port in either scheme, and ''example.com:*'' every port; scheme://host:port, such as https://example.com:8443, adds that one origin. Links outside the scope are listed in Links but not fetched.'
        IgnoreRobots       = 'Fetches pages even when robots.txt disallows them, and does not fetch robots.txt at all.'
        MaxPerHost         = 'The most pages fetched at once from any one origin (scheme, host and port), to be polite to the server. The default is 4.'
        MaxPages           = 'Stops queuing new pages once this many pages, start pages included, have been queued, and writes one warning. By default only -Depth bounds the crawl.'
        IncludeContent     = 'Puts the decoded text of each text page (HTML, XML, JSON, plain text ...) in the Content property of its result, and the readable text of an HTML page in Text. Content is its first 8 MiB, decoded by the charset the server named (else by byte-order mark, else UTF-8), with ContentTruncated true when the page was longer. Other media types have no Content.'
        OutDirectory       = 'Stores the body of each page that answers 2xx in this folder (created if missing), under host/path from its URL (see the description), and puts the file''s full path in OutFile. Bodies are streamed to a temporary file and renamed into place when complete.'
        Include            = 'Wildcard patterns (as -like, case-insensitive) on the whole URL: pages beyond the start pages are fetched only when they match one of them. A page not fetched is not passed through either.'
        Exclude            = 'Wildcard patterns (as -like, case-insensitive) on the whole URL: pages beyond the start pages that match one of them are not fetched, even when -Include matches them too.'
        RatePerSecond      = 'The most requests started per second to each origin (scheme, host and port), evenly spaced, for example 2 for one request every half second. A robots.txt Crawl-delay longer than that spacing wins.'
        UseSitemap         = 'Reads each start origin''s sitemaps (robots.txt''s Sitemap lines, else /sitemap.xml, following sitemap index files two levels deep) and crawls their pages as start pages.'
        Process            = 'A script block run for each fetched page on the worker pool, with the page as $_ and as its first argument; its output is written in discovery order instead of the pages. It runs in a runspace of its worker thread and does not see the caller''s variables except through $using:.'
        ThrottleLimit      = 'How many pages are fetched at once in all, each on its own worker thread. The default is 8. It must be 1 or more.'
        Unordered          = 'Writes each page as soon as it is fetched, instead of in discovery order.'
        TimeoutSeconds     = 'Bounds the whole crawl. When it runs out, fetches in flight are cancelled, queued pages never start, the pages already fetched are written, and one RunTimedOut error is thrown. It must be above 0.'
        ItemTimeoutSeconds = 'The per-page timeout (and, with -Process, its script''s): a page (not counting the wait for its origin''s turn: a -MaxPerHost slot, robots.txt, -RatePerSecond, Crawl-delay) not fully received within this many seconds is cancelled and reported with an ItemTimedOut error. The default is 100. It must be above 0.'
        RetryCount         = 'How many more times to fetch a page that got a 429 or 5xx answer, a refused or dropped connection, or timed out. A DNS failure is not retried. The default is 0.'
        RetryDelay         = 'Seconds to wait before the first retry; each further retry waits twice as long, with random jitter of +/-50%, capped at 300 s. A Retry-After header makes the wait at least that long. The default is 1.'
        MaxFailures        = 'Stops queuing new pages once this many pages have failed (after their retries), lets the running ones finish, and then throws one MaxFailuresExceeded error that gives the counts. A percentage such as 10% counts against the pages finished so far, once at least ten have finished.'
        AsResult           = 'Writes one ParallelJobs.ParallelJobResult per page, in discovery order, instead of the pages: Index, Input (the ParallelJobs.CrawlTarget with Uri, Depth and Referrer), Output (the ParallelCrawlPage), Errors, Status, Attempts, StartTime and Duration. Errors then travel inside the results instead of the error stream.'
        LogPath            = 'Appends one JSON line per fetched page to this file, flushed as it ends: index, status, attempts, start, duration, error message and the page serialized with CliXml. An existing log is refused unless -Force is given. One run uses a log at a time: while a run holds it (through the file <log>.lock, removed when the run ends), a second run on the same log fails with LogInUse and changes nothing. A full disk stops the run with LogWriteFailed; the lines already written stay valid.'
        Resume             = 'Not supported by Invoke-ParallelCrawl: the pages a crawl finds are new items of the run, which a job log cannot replay. Using it is an error (CrawlResumeNotSupported).'
        Key                = 'A script block that gives each start page a stable identity for the job log, with the CrawlTarget in $_. Pages found by the crawl are logged under their index.'
        Force              = 'With -LogPath: starts a new log in place of an existing one.'
    }
    Defaults    = @{
        AllowHost          = 'None (only the start pages'' origins)'
        MaxPages           = 'None (no limit)'
        TimeoutSeconds     = 'None (no limit)'
        ItemTimeoutSeconds = '100'
        Key                = 'The input index'
        OutDirectory       = 'None (pages are not stored)'
        Include            = 'None (every page in scope)'
        Exclude            = 'None'
        RatePerSecond      = 'None (only -MaxPerHost and Crawl-delay pace requests)'
        Process            = 'None (the pages are written)'
    }
    Inputs      = 'System.String'
    Outputs     = 'ParallelJobs.ParallelCrawlPage, ParallelJobs.ParallelJobResult, or with -Process what its script block outputs'
    Notes       = @'
"Breadth-first" is the order pages are queued in: every link a page yields is queued behind the pages already queued. Pages run in parallel, so with more than one worker a page of depth 2 may start before the last page of depth 1 has finished; the Depth property is always the shortest path the crawl found first.

The robots.txt product token is ParallelJobs; requests carry the User-Agent ParallelJobs/<version>.
'@
    Examples    = @(
        @{
            Title   = 'Crawl a site two links deep'
            Code    = 'Invoke-ParallelCrawl -Uri https://docs.example.com/ -Depth 2 | Format-Table Depth, StatusCode, Title, Uri'
            Remarks = 'Fetches the start page, the pages it links to on docs.example.com and the pages those link to, 8 at a time and at most 4 at once from the host, honouring robots.txt. Pages come out in discovery order.'
        }
        @{
            Title   = 'Find broken links'
            Code    = @'
Invoke-ParallelCrawl https://www.example.com/ -Depth 3 -MaxPages 2000 |
    Where-Object StatusCode -ge 400 | Select-Object StatusCode, Uri, Referrer
'@
            Remarks = 'A 404 page is a result, with the Referrer that linked to it.'
        }
        @{
            Title   = 'Include a second host'
            Code    = 'Invoke-ParallelCrawl https://example.com/ -AllowHost www.example.com, *.cdn.example.com -Depth 1'
            Remarks = 'Links to www.example.com and any host under cdn.example.com (on their default ports) are followed as well; other hosts are listed in Links but not fetched.'
        }
        @{
            Title   = 'Include another port of the same host'
            Code    = "Invoke-ParallelCrawl http://localhost:8080/ -AllowHost 'localhost:8081' -Depth 2"
            Remarks = 'The start origin is http://localhost:8080; links to localhost:8081 are followed too. Without -AllowHost they would be out of scope, like any other site.'
        }
        @{
            Title   = 'Store a site on disk, politely'
            Code    = "Invoke-ParallelCrawl https://docs.example.com/ -Depth 5 -OutDirectory ./mirror -UseSitemap -Exclude '*/archive/*', '*.zip' -RatePerSecond 2 | Select-Object StatusCode, OutFile"
            Remarks = 'Pages go to ./mirror/docs.example.com/..., each written whole; sitemap entries are crawled too, nothing under /archive/ and no .zip file is fetched, and the host gets at most two requests a second (or fewer, if its robots.txt asks for a longer Crawl-delay).'
        }
        @{
            Title   = 'Extract data from each page on the worker pool'
            Code    = @'
Invoke-ParallelCrawl https://shop.example.com/ -Depth 2 -Include '*/product/*' -IncludeContent -Process {
    param($page)
    if ($page.Content -match '<span class="price">([^<]+)</span>') {
        [pscustomobject]@{ Uri = $page.Uri; Title = $page.Title; Price = $Matches[1] }
    }
}
'@
            Remarks = 'The script block runs for each page in the workers'' runspaces, and its objects come out in discovery order. -Include keeps the crawl to the start page and the product pages.'
        }
        @{
            Title   = 'A slow or flaky site'
            Code    = 'Invoke-ParallelCrawl https://slow.example.com/ -ItemTimeoutSeconds 20 -RetryCount 2 -MaxPerHost 2 -AsResult | Where-Object Status -ne Completed'
            Remarks = 'Each page gets 20 seconds, and pages that time out or answer 429 or 5xx are fetched up to twice more. The results list the pages that still failed.'
        }
    )
    Links       = @('Invoke-ParallelWebRequest', 'Invoke-ParallelJob')
}
