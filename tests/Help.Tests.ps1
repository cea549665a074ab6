# Get-Help for every cmdlet: each parameter has a description and a "Default value" line that says something.

BeforeDiscovery {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $script:commands = @(Get-Command -Module ParallelJobs -CommandType Cmdlet | ForEach-Object Name)
}

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters
}

Describe 'Get-Help of <_>' -ForEach $commands {
    It 'gives every parameter a description and a default value' {
        $command = Get-Command $_
        $help = Get-Help $_ -Full
        $names = $command.Parameters.Keys | Where-Object { $common -notcontains $_ }
        $problems = foreach ($name in $names) {
            $p = $help.parameters.parameter | Where-Object name -eq $name
            if (-not $p) { "-${name}: not in the help"; continue }
            if ([string]::IsNullOrWhiteSpace(($p.description.Text -join ''))) { "-${name}: no description" }
            if ([string]::IsNullOrWhiteSpace([string]$p.defaultValue)) { "-${name}: no default value" }
        }
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'Default values' {
    It 'shows the default of Invoke-ParallelJob -ThrottleLimit on its Default value line' {
        $text = Get-Help Invoke-ParallelJob -Parameter ThrottleLimit | Out-String -Width 300
        $text | Should -Match 'Default value\s+5 \(as ForEach-Object -Parallel'
    }

    It 'reads plain defaults from the cmdlet: <Command> -<Parameter> is <Value>' -ForEach @(
        @{ Command = 'Invoke-ParallelCrawl'; Parameter = 'Depth'; Value = '2' }
        @{ Command = 'Invoke-ParallelWebRequest'; Parameter = 'ThrottleLimit'; Value = '16' }
        @{ Command = 'Invoke-ParallelWebRequest'; Parameter = 'RetryDelay'; Value = '1' }
        @{ Command = 'Invoke-ParallelWebRequest'; Parameter = 'AsJson'; Value = 'False' }
        @{ Command = 'Invoke-ParallelWebRequest'; Parameter = 'InputObject'; Value = 'None' }
        @{ Command = 'Invoke-ParallelWebRequest'; Parameter = 'ItemTimeoutSeconds'; Value = '100' }
        @{ Command = 'Resize-Image'; Parameter = 'MaxPixels'; Value = '100000000' }
    ) {
        [string](Get-Help $Command -Parameter $Parameter).defaultValue | Should -BeExactly $Value
    }
}
