@{
    RootModule           = 'ParallelJobs.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f0c7a43-3b0e-4f57-9a52-2f3c1a9e6d21'
    Author               = 'ParallelJobs contributors'
    CompanyName          = 'ParallelJobs'
    Copyright            = '(c) ParallelJobs contributors. MIT License.'
    Description          = 'Run script blocks and built-in operations on many items in parallel, on a managed pool of worker runspaces, and get the results back in input order.'
    PowerShellVersion    = '5.1'
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
            Tags       = @('parallel', 'runspace', 'joblib', 'foreach', 'throttle', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri = 'https://example.invalid/ParallelJobs'
        }
    }
}
