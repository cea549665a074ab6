@{
    RootModule           = 'ParallelJobs.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f0c7a43-3b0e-4f57-9a52-2f3c1a9e6d21'
    Author               = 'ParallelJobs contributors'
    CompanyName          = 'ParallelJobs'
    Copyright            = '(c) ParallelJobs contributors. MIT License.'
    Description          = 'Run script blocks and built-in operations on many items in parallel, on a managed pool of worker runspaces, and get the results back in input order.'
    PowerShellVersion    = '5.1'
    # Windows PowerShell 5.1 needs .NET Framework 4.7.2 or later: the module is built on netstandard2.0.
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('ParallelJobs.format.ps1xml')
    CmdletsToExport      = @(
        'Invoke-ParallelJob'
        'New-ParallelCall'
        'Get-ParallelJobPool'
        'Clear-ParallelJobPool'
        'Set-ParallelJobPool'
        'Invoke-ParallelWebRequest'
        'Invoke-ParallelCrawl'
        'Resize-Image'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            # PSCommand_<Name> for each exported cmdlet, so Find-PSResource -CommandName finds the module.
            Tags         = @(
                'parallel', 'runspace', 'joblib', 'foreach', 'throttle', 'http', 'crawler', 'image'
                'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS'
                'PSCommand_Invoke-ParallelJob'
                'PSCommand_New-ParallelCall'
                'PSCommand_Get-ParallelJobPool'
                'PSCommand_Clear-ParallelJobPool'
                'PSCommand_Set-ParallelJobPool'
                'PSCommand_Invoke-ParallelWebRequest'
                'PSCommand_Invoke-ParallelCrawl'
                'PSCommand_Resize-Image'
            )
            # The MIT text at NuGet's own address for the SPDX id; the package's nuspec names the LICENSE file it
            # carries (build.ps1 Package). No ProjectUri: the project has no public address yet.
            LicenseUri   = 'https://licenses.nuget.org/MIT'
            ReleaseNotes = @'
0.1.0: the first release. Invoke-ParallelJob (ordered parallel script blocks on a warm runspace pool, timeouts,
retries, failure limits, a resumable job log, -AsJob, SSH fan-out), New-ParallelCall, the pool cmdlets,
Invoke-ParallelWebRequest (JSON parsed as Invoke-RestMethod parses it, its -TimeoutSec, -MaximumRetryCount and
-RetryIntervalSec, POST and PATCH never resent unless asked), Invoke-ParallelCrawl and Resize-Image.
See CHANGELOG.md for the details.
'@
        }
    }
}
