namespace ParallelJobs.Engine;

/// <summary>
/// Every error id the module gives an ErrorRecord, in one place. Users match on these
/// (<c>$_.FullyQualifiedErrorId</c>, <c>-ErrorAction</c> handlers, the help's lists), so an id is part of the
/// public contract: rename one only on purpose. ErrorIdsTests checks that they are unique and that every id the
/// help and README mention is here.
/// </summary>
internal static class ErrorIds
{
    // --- An item ---

    /// <summary>An item ran longer than -ItemTimeoutSeconds and was stopped.</summary>
    public const string ItemTimedOut = "ItemTimedOut";

    /// <summary>An item failed with an exception that carries no ErrorRecord of its own.</summary>
    public const string ItemFailed = "ItemFailed";

    /// <summary>The script runner itself failed under a batch; the items it did not get to fail with it.</summary>
    public const string WorkerFailed = "WorkerFailed";

    /// <summary>The -Key script block threw for an item, so the item was not run.</summary>
    public const string KeyFailed = "KeyFailed";

    /// <summary>An item's -Key repeats an earlier item's key, so the item was not run.</summary>
    public const string DuplicateKey = "DuplicateKey";

    // --- The run ---

    /// <summary>The whole run took longer than -TimeoutSeconds.</summary>
    public const string RunTimedOut = "RunTimedOut";

    /// <summary>The failure limit of -MaxFailures was reached, so no new item was started.</summary>
    public const string MaxFailuresExceeded = "MaxFailuresExceeded";

    /// <summary>-ErrorAction Stop with -AsResult: the run stopped at the first failed item.</summary>
    public const string StoppedAtFirstFailure = "StoppedAtFirstFailure";

    /// <summary>A -AsJob background job's run threw an exception that carries no ErrorRecord.</summary>
    public const string JobFailed = "JobFailed";

    // --- Parameters checked before any item runs ---

    /// <summary>-MaxFailures is below 1, or a percentage outside (0, 100].</summary>
    public const string InvalidMaxFailures = "InvalidMaxFailures";

    /// <summary>-Resume without -LogPath.</summary>
    public const string ResumeWithoutLog = "ResumeWithoutLog";

    /// <summary>-Sequential combined with -AsJob, -UseNewRunspace or -ItemTimeoutSeconds.</summary>
    public const string SequentialConflict = "SequentialConflict";

    /// <summary>A name given to -Function is not a function in the caller's session.</summary>
    public const string FunctionNotFound = "FunctionNotFound";

    /// <summary>A name given to -Variable is not a variable in the caller's session.</summary>
    public const string VariableNotFound = "VariableNotFound";

    /// <summary>A module path given to -Module does not exist.</summary>
    public const string ModuleNotFound = "ModuleNotFound";

    /// <summary>A <c>$using:</c> variable holds a script block, which cannot run in a worker.</summary>
    public const string UsingScriptBlockNotSupported = "UsingScriptBlockNotSupported";

    /// <summary>A $using: variable is not defined in the caller (the call stops before any item runs).</summary>
    public const string UsingVariableIsUndefined = "UsingVariableIsUndefined";

    /// <summary>A script block was given as data in -ArgumentList or -Variable, or in an input item.</summary>
    public const string ScriptBlockValueNotSupported = "ScriptBlockValueNotSupported";

    /// <summary>Without -ScriptBlock, an input is neither a script block nor a New-ParallelCall call.</summary>
    public const string InputNotRunnable = "InputNotRunnable";

    // --- Worker setup ---

    /// <summary>A -Module could not be imported into the worker runspaces.</summary>
    public const string ModuleImportFailed = "ModuleImportFailed";

    /// <summary>The -InitializationScript failed in a worker runspace.</summary>
    public const string InitializationScriptFailed = "InitializationScriptFailed";

    // --- The job log (-LogPath, -Resume) ---

    /// <summary>The log already exists and neither -Resume nor -Force was given.</summary>
    public const string LogExists = "LogExists";

    /// <summary>The log cannot be created or written.</summary>
    public const string LogNotWritable = "LogNotWritable";

    /// <summary>The log to resume from is not a valid job log (a bad line or no header).</summary>
    public const string LogCorrupt = "LogCorrupt";

    /// <summary>The log to resume from was written by a different job (another script block or settings).</summary>
    public const string LogMismatch = "LogMismatch";

    /// <summary>Writing an item to the job log failed with something other than a job-log error.</summary>
    public const string LogFailed = "LogFailed";

    /// <summary>Another run holds the job log (two runs of one log at once).</summary>
    public const string LogInUse = "LogInUse";

    /// <summary>-Resume: an item's input no longer matches what the log recorded for its key (without -Force).</summary>
    public const string LogInputMismatch = "LogInputMismatch";

    /// <summary>The job log could not be written (a full disk).</summary>
    public const string LogWriteFailed = "LogWriteFailed";

    /// <summary>The job log could not be read.</summary>
    public const string LogNotReadable = "LogNotReadable";

    // --- Remote hosts ---

    /// <summary>Remote parameters that cannot go together (two kinds of target, -HostName options without -HostName, ...).</summary>
    public const string RemoteParameterConflict = "RemoteParameterConflict";

    /// <summary>-HostName or -SSHConnection on Windows PowerShell 5.1, which has no SSH remoting.</summary>
    public const string SshRemotingNeedsPowerShell7 = "SshRemotingNeedsPowerShell7";

    /// <summary>A -HostName, -SSHConnection or -Session value that cannot be used as a target.</summary>
    public const string InvalidRemoteTarget = "InvalidRemoteTarget";

    /// <summary>-KeyFilePath names a file that does not exist.</summary>
    public const string KeyFileNotFound = "KeyFileNotFound";

    /// <summary>A -Module could not be imported on a remote host.</summary>
    public const string RemoteModuleImportFailed = "RemoteModuleImportFailed";

    /// <summary>The -InitializationScript failed on a remote host.</summary>
    public const string RemoteInitializationScriptFailed = "RemoteInitializationScriptFailed";

    /// <summary>The run's variables and functions could not be defined on a remote host.</summary>
    public const string RemoteSetupFailed = "RemoteSetupFailed";

    /// <summary>An item's remote session broke under it on every attempt it was given.</summary>
    public const string RemoteSessionLost = "RemoteSessionLost";

    /// <summary>No remote host is left to run the items that are not done.</summary>
    public const string AllHostsLost = "AllHostsLost";

    // --- Worker processes (-UseProcess) ---

    /// <summary>-UseProcess with a switch it cannot go with (-Sequential, -UseNewRunspace, a remote target).</summary>
    public const string ProcessParameterConflict = "ProcessParameterConflict";

    /// <summary>A worker process could not be started, or ended while it was prepared.</summary>
    public const string WorkerProcessStartFailed = "WorkerProcessStartFailed";

    /// <summary>The worker process ended (an exit, a crash, a kill) while it ran the item.</summary>
    public const string WorkerProcessExited = "WorkerProcessExited";

    // --- Web requests and crawls ---

    /// <summary>Nothing listens on the port (connection refused or connect failure).</summary>
    public const string WebConnectionRefused = "WebConnectionRefused";

    /// <summary>The host name does not resolve (DNS).</summary>
    public const string WebDnsFailure = "WebDnsFailure";

    /// <summary>A request got no response for another reason (TLS failure, connection reset, ...).</summary>
    public const string WebConnectionFailed = "WebConnectionFailed";

    /// <summary>The server answered 400 or above (and -SkipHttpErrorCheck was not given).</summary>
    public const string WebHttpError = "WebHttpError";

    /// <summary>-AsJson was given and a response body is not valid JSON.</summary>
    public const string WebInvalidJson = "WebInvalidJson";

    /// <summary>An input is not a usable request: null, no URI, a bad method or header.</summary>
    public const string WebInvalidInput = "WebInvalidInput";

    /// <summary>An Invoke-RestMethod parameter name given with the module's own name for it (-TimeoutSec with -ItemTimeoutSeconds, ...).</summary>
    public const string WebParameterConflict = "WebParameterConflict";

    /// <summary>-AsJson and -Raw given together.</summary>
    public const string AsJsonWithRaw = "AsJsonWithRaw";

    /// <summary>Invoke-ParallelCrawl was given -Resume, which a crawl cannot replay.</summary>
    public const string CrawlResumeNotSupported = "CrawlResumeNotSupported";

    /// <summary>Invoke-ParallelCrawl -OutDirectory could not write a page's file.</summary>
    public const string CrawlStoreFailed = "CrawlStoreFailed";

    // --- Resize-Image: per image ---

    /// <summary>The source image does not exist.</summary>
    public const string SourceNotFound = "SourceNotFound";

    /// <summary>The source path is a folder, not an image file.</summary>
    public const string SourceIsFolder = "SourceIsFolder";

    /// <summary>The source file cannot be read.</summary>
    public const string SourceUnreadable = "SourceUnreadable";

    /// <summary>The file is not an image, or is corrupt or truncated.</summary>
    public const string ImageInvalid = "ImageInvalid";

    /// <summary>Resize-Image: a source that is not a regular file (a FIFO, socket or device) is not opened.</summary>
    public const string SourceNotRegularFile = "SourceNotRegularFile";

    /// <summary>Resize-Image: two sources of one run would write the same output file.</summary>
    public const string DestinationCollision = "DestinationCollision";

    /// <summary>Resize-Image: -Force would replace an image this module did not write (it may be a source).</summary>
    public const string DestinationProtected = "DestinationProtected";

    /// <summary>Resize-Image: -Root without -Destination.</summary>
    public const string RootWithoutDestination = "RootWithoutDestination";

    /// <summary>The image header is over -MaxPixels or -MaxFrames, so it was not decoded.</summary>
    public const string ImageTooLarge = "ImageTooLarge";

    /// <summary>The resized copy would overwrite its own source or another source of the run.</summary>
    public const string DestinationIsSource = "DestinationIsSource";

    /// <summary>The destination file exists and -Force was not given.</summary>
    public const string DestinationExists = "DestinationExists";

    /// <summary>The resized image could not be written.</summary>
    public const string WriteFailed = "WriteFailed";

    // --- Resize-Image: before any image ---

    /// <summary>A -Mode that fills a box was given without both -Width and -Height.</summary>
    public const string SizeRequired = "SizeRequired";

    /// <summary>-Suffix cannot be part of a file name.</summary>
    public const string InvalidSuffix = "InvalidSuffix";

    /// <summary>A -Path or -Destination outside the file system.</summary>
    public const string NotFileSystemPath = "NotFileSystemPath";

    /// <summary>A -Path or -Destination that does not resolve.</summary>
    public const string PathNotResolved = "PathNotResolved";

    /// <summary>-Destination is a file, not a folder.</summary>
    public const string DestinationNotFolder = "DestinationNotFolder";

    /// <summary>No -Destination, -Suffix or -Format, so each source would be overwritten.</summary>
    public const string DestinationRequired = "DestinationRequired";

    // --- Invoke-ParallelWebRequest: redirects, headers, size, authentication ---

    /// <summary>A request was redirected more times than -MaximumRedirection allows (a redirect loop ends here).</summary>
    public const string WebTooManyRedirects = "WebTooManyRedirects";

    /// <summary>An https request was redirected to http, which is never followed.</summary>
    public const string WebInsecureRedirect = "WebInsecureRedirect";

    /// <summary>A header name or value (-Headers, -ContentType, -UserAgent, an item's Headers) holds CR, LF or NUL.</summary>
    public const string WebInvalidHeader = "WebInvalidHeader";

    /// <summary>A response body, after decompression, is larger than -MaximumResponseSizeMB.</summary>
    public const string WebResponseTooLarge = "WebResponseTooLarge";

    /// <summary>-Authentication or -Token would send a secret over http without -AllowUnencryptedAuthentication.</summary>
    public const string WebUnencryptedAuthentication = "WebUnencryptedAuthentication";

    /// <summary>-Authentication, -Credential and -Token were given in a combination that does not fit.</summary>
    public const string WebAuthenticationInvalid = "WebAuthenticationInvalid";

    // --- Invoke-ParallelWebRequest: entities, downloads ---

    /// <summary>-Request holds a name or URI template that cannot be used.</summary>
    public const string WebRequestTemplateInvalid = "WebRequestTemplateInvalid";

    /// <summary>-OutFile was given more than one input.</summary>
    public const string WebOutFileManyInputs = "WebOutFileManyInputs";

    /// <summary>An image's metadata chunks (a PNG's text or ICC profile) are larger, or inflate larger, than Resize-Image allows.</summary>
    public const string ImageMetadataTooLarge = "ImageMetadataTooLarge";
}
