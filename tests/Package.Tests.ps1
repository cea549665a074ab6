# The package: build.ps1 Package writes a .nupkg that Install-PSResource installs from a local
# repository into a clean user profile, where the module imports and runs.

BeforeAll {
    $repoRoot = Split-Path $PSScriptRoot
    $packages = Join-Path $repoRoot 'out/packages'
    $version = (Import-PowerShellDataFile (Join-Path $repoRoot 'ParallelJobs.psd1')).ModuleVersion

    # A throwaway profile: HOME and the XDG folders point here, so nothing touches the real user's modules.
    $profileRoot = Join-Path ([System.IO.Path]::GetTempPath()) ('pj-package-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $profileRoot

    # `dotnet pwsh` finds the restored local tool through dotnet's own state (DOTNET_CLI_HOME, else HOME) and the
    # NuGet packages folder; both stay where they are, while PowerShell's profile moves.
    $dotnetHome = if ($env:DOTNET_CLI_HOME) { $env:DOTNET_CLI_HOME } else { $HOME }
    $nugetPackages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        ((dotnet nuget locals global-packages --list | Select-Object -First 1) -replace '^global-packages:\s*', '').Trim()
    }

    # Runs `dotnet pwsh -File $Script` from the repository root (for the tool manifest) with $Environment
    # changes applied (a $null value removes the variable); returns exit code and output, bounded in time.
    function Invoke-ChildPwsh([string] $Script, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 300) {
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-File', $Script) { $start.ArgumentList.Add($argument) }
        $start.WorkingDirectory = $repoRoot
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        foreach ($name in $Environment.Keys) {
            if ($null -eq $Environment[$name]) { $null = $start.Environment.Remove($name) }
            else { $start.Environment[$name] = $Environment[$name] }
        }

        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
                $process.Kill($true)
                throw "dotnet pwsh -File $Script did not finish within $TimeoutSeconds s."
            }
            $process.WaitForExit()
            [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Errors = $stderr.Result }
        }
        finally {
            $process.Dispose()
        }
    }
}

AfterAll {
    if ($profileRoot -and (Test-Path $profileRoot)) {
        Remove-Item -Path $profileRoot -Recurse -Force
    }
}

Describe 'Manifest' {
    BeforeAll {
        $script:data = Import-PowerShellDataFile (Join-Path $repoRoot 'ParallelJobs.psd1')
        $script:psData = $data.PrivateData.PSData
    }

    It 'has no placeholder address, and a LicenseUri or ProjectUri only if it is a real https address' {
        (Get-Content (Join-Path $repoRoot 'ParallelJobs.psd1') -Raw) | Should -Not -Match 'example\.(invalid|com|org)|localhost'
        foreach ($key in 'ProjectUri', 'LicenseUri', 'IconUri') {
            if ($psData.ContainsKey($key)) { $psData[$key] | Should -Match '^https://' }
        }
    }

    It 'tags every exported cmdlet with a PSCommand_ tag, and both editions' {
        foreach ($name in $data.CmdletsToExport) { $psData.Tags | Should -Contain "PSCommand_$name" }
        $psData.Tags | Should -Contain 'PSEdition_Core'
        $psData.Tags | Should -Contain 'PSEdition_Desktop'
        @($psData.Tags | Where-Object { $_ -like 'PSCommand_*' }).Count | Should -Be @($data.CmdletsToExport).Count
    }

    It 'names .NET Framework 4.7.2 for Windows PowerShell and has release notes' {
        $data.DotNetFrameworkVersion | Should -Be '4.7.2'
        $psData.ReleaseNotes | Should -Match $data.ModuleVersion
    }

    It 'ships an MIT LICENSE with the copyright line the manifest has, and a CHANGELOG for this version' {
        $license = Get-Content (Join-Path $repoRoot 'LICENSE') -Raw
        $license | Should -Match '^MIT License'
        $data.Copyright | Should -Match 'MIT'
        $holder = ($data.Copyright -replace '^\(c\)\s*', '' -replace '\.\s*MIT License\.?$', '').Trim()
        $license | Should -Match ('Copyright \(c\) ' + [regex]::Escape($holder))
        Get-Content (Join-Path $repoRoot 'CHANGELOG.md') -Raw | Should -Match ('## ' + [regex]::Escape($data.ModuleVersion))
    }
}

Describe 'Package' {
    Context 'build.ps1 Package' {
        It 'writes ParallelJobs.<version>.nupkg to out/packages' {
            Push-Location $repoRoot
            try {
                # The build's stderr is kept for the failure message, whatever the caller's preference.
                $ErrorActionPreference = 'Continue'
                $log = & dotnet pwsh -NoProfile -NonInteractive -File ./build.ps1 Package 2>&1
                $exitCode = $LASTEXITCODE
            }
            finally {
                Pop-Location
            }

            $exitCode | Should -Be 0 -Because ($log | Out-String)
            $nupkg = @(Get-ChildItem -Path $packages -Filter 'ParallelJobs.*.nupkg')
            $nupkg.Count | Should -Be 1
            $nupkg[0].Name | Should -Be "ParallelJobs.$version.nupkg"
            $nupkg[0].Length | Should -BeGreaterThan 0
        }

        It 'names the LICENSE it carries in its nuspec, and the MIT LicenseUri' {
            Add-Type -AssemblyName System.IO.Compression.FileSystem
            $zip = [System.IO.Compression.ZipFile]::OpenRead((Get-ChildItem -Path $packages -Filter 'ParallelJobs.*.nupkg')[0].FullName)
            try {
                $zip.GetEntry('LICENSE') | Should -Not -BeNullOrEmpty
                $reader = [System.IO.StreamReader]::new(($zip.Entries | Where-Object FullName -like '*.nuspec')[0].Open())
                try { [xml] $nuspec = $reader.ReadToEnd() } finally { $reader.Dispose() }
            }
            finally {
                $zip.Dispose()
            }

            $nuspec.package.metadata.license.type | Should -Be 'file'
            $nuspec.package.metadata.license.InnerText | Should -Be 'LICENSE'
            $nuspec.package.metadata.licenseUrl | Should -Be 'https://licenses.nuget.org/MIT'
        }
    }

    Context 'Install-PSResource from a local repository' {
        It 'installs into a clean profile, imports from there and runs' {
            Get-ChildItem -Path $packages -Filter 'ParallelJobs.*.nupkg' | Should -Not -BeNullOrEmpty -Because 'the Package test above builds it'

            $script = Join-Path $profileRoot 'install.ps1'
            Set-Content -Path $script -Value @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name PJLocal -Uri '$packages' -Trusted
'FOUNDBYCOMMAND: ' + (@(Find-PSResource -CommandName Invoke-ParallelJob -Repository PJLocal | ForEach-Object { `$_.ParentResource.Name }) -join ' ')
'FOUNDBYTAG: ' + (@(Find-PSResource -Tag joblib -Repository PJLocal).Name -join ' ')
Install-PSResource ParallelJobs -Repository PJLocal -TrustRepository -Scope CurrentUser
Import-Module ParallelJobs
'RESULT: ' + ((1..3 | Invoke-ParallelJob { `$_ * 2 }) -join ' ')
'MODULEBASE: ' + (Get-Module ParallelJobs).ModuleBase
"@

            # The XDG folders sit where XDG puts them by default under the throwaway HOME: PSResourceGet installs
            # CurrentUser modules to $HOME/.local/share/powershell/Modules whatever XDG_DATA_HOME says, while
            # pwsh looks in $XDG_DATA_HOME/powershell/Modules; with these values both mean the same folder.
            $folders = @{}
            foreach ($entry in @{ home = ''; data = '.local/share'; config = '.config'; cache = '.cache' }.GetEnumerator()) {
                $path = Join-Path (Join-Path $profileRoot 'home') $entry.Value
                $folders[$entry.Key] = (New-Item -ItemType Directory -Path $path -Force).FullName
            }

            $child = Invoke-ChildPwsh -Script $script -Environment @{
                HOME                = $folders.home
                XDG_DATA_HOME       = $folders.data
                XDG_CONFIG_HOME     = $folders.config
                XDG_CACHE_HOME      = $folders.cache
                NUGET_PACKAGES      = $nugetPackages
                DOTNET_CLI_HOME     = $dotnetHome
                PSModulePath        = $null
                PARALLELJOBS_MODULE = $null
            }

            $because = "the child wrote:`n$($child.Output)`n$($child.Errors)"
            $child.ExitCode | Should -Be 0 -Because $because
            $lines = $child.Output -split '\r?\n'
            $lines | Should -Contain 'RESULT: 2 4 6' -Because $because
            $lines | Should -Contain 'FOUNDBYTAG: ParallelJobs' -Because $because
            $lines | Should -Contain 'FOUNDBYCOMMAND: ParallelJobs' -Because $because
            $base = ($lines | Where-Object { $_ -like 'MODULEBASE: *' }) -replace '^MODULEBASE: ', ''
            $base | Should -Not -BeNullOrEmpty -Because $because
            [System.IO.Path]::GetFullPath($base) | Should -BeLike ([System.IO.Path]::GetFullPath($profileRoot) + '*') -Because 'the module must load from the installed copy'
        }
    }
}
