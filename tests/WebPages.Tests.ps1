# Invoke-ParallelWebRequest -FollowRelLink and -Verbose, beside Invoke-RestMethod.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    function Get-VerboseLines([scriptblock] $Block) {
        @(& $Block 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    }
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelWebRequest -FollowRelLink' {
    It 'writes every page in order, with the values Invoke-RestMethod -FollowRelLink gives' {
        $ours = Invoke-ParallelWebRequest "$base/pages/1?of=4" -FollowRelLink
        $theirs = Invoke-RestMethod "$base/pages/1?of=4" -FollowRelLink
        $ours | Should -HaveCount 4
        $ours.Uri.AbsoluteUri | Should -Be (1..4 | ForEach-Object { "$base/pages/$($_)?of=4" })
        # Invoke-RestMethod writes each page as one object (a JSON array page stays an array).
        @($theirs) | Should -HaveCount 4
        ($ours | ForEach-Object { $_.Content.value -join ',' }) | Should -Be ($theirs | ForEach-Object { $_.value -join ',' })
    }

    It 'stops at -MaximumFollowRelLink pages, counted as Invoke-RestMethod counts them' {
        $ours = Invoke-ParallelWebRequest "$base/pages/1?of=10" -FollowRelLink -MaximumFollowRelLink 3
        $theirs = Invoke-RestMethod "$base/pages/1?of=10" -FollowRelLink -MaximumFollowRelLink 3
        @($theirs) | Should -HaveCount 3
        ($ours | ForEach-Object { $_.Content.value -join ',' }) | Should -Be ($theirs | ForEach-Object { $_.value -join ',' })
    }

    It 'keeps each input''s pages together, in input order' {
        $ours = "$base/pages/1?of=3", "$base/pages/7?of=8" | Invoke-ParallelWebRequest -FollowRelLink -ThrottleLimit 2
        ($ours.Content | ForEach-Object value) | Should -Be @(11, 12, 21, 22, 31, 32, 71, 72, 81, 82)
    }

    It 'fetches only the first page without -FollowRelLink' {
        @(Invoke-ParallelWebRequest "$base/pages/1?of=4") | Should -HaveCount 1
    }

    It 'sends the Authorization header to next pages of the same origin only' {
        $headers = @{ Authorization = 'Bearer abc' }
        $same = Invoke-ParallelWebRequest "$base/pages/1?of=2" -FollowRelLink -Headers $headers
        ($same.Content | ForEach-Object auth) | Should -Be @($true, $true, $true, $true)
        $away = Invoke-ParallelWebRequest "$base/pages/1?of=2&other=http://localhost:$($server.Port)" -FollowRelLink -Headers $headers
        $away | Should -HaveCount 2
        ($away[1].Content | ForEach-Object auth) | Should -Be @($false, $false)
    }

    It 'puts all pages of a request of -Request into its property' {
        $entity = 1 | Invoke-ParallelWebRequest -FollowRelLink -Request @{ Pages = "$base/pages/{0}?of=3" }
        $theirs = Invoke-RestMethod "$base/pages/1?of=3" -FollowRelLink
        # One value per page, as Invoke-RestMethod writes them.
        $entity.Pages | Should -HaveCount 3
        ($entity.Pages | ForEach-Object { $_.value -join ',' }) | Should -Be ($theirs | ForEach-Object { $_.value -join ',' })
        $entity.Responses['Pages'] | Should -HaveCount 3
    }
}

Describe 'Invoke-ParallelWebRequest -Verbose' {
    It 'writes the request and response lines Invoke-RestMethod writes' -TestCases @(
        @{ Path = '/json/object?x=1'; Extra = @{} }
        @{ Path = '/echo'; Extra = @{ Method = 'Post'; Body = 'hello' } }
        @{ Path = '/echo'; Extra = @{ Method = 'Post'; Body = '{"a":1}'; ContentType = 'application/json' } }
        @{ Path = '/slow?ms=10'; Extra = @{} }
    ) {
        param($Path, $Extra)
        $ours = Get-VerboseLines { Invoke-ParallelWebRequest "$base$Path" @Extra -Verbose }
        $theirs = Get-VerboseLines { Invoke-RestMethod "$base$Path" @Extra -Verbose }
        # Invoke-RestMethod's body sizes of /echo differ with its own User-Agent; compare the words, not the numbers.
        ($ours | ForEach-Object { $_ -replace '\d+ B \([\d,]+ bytes\)', 'N' }) | Should -Be ($theirs | ForEach-Object { $_ -replace '\d+ B \([\d,]+ bytes\)', 'N' })
    }

    It 'writes nothing on the verbose stream without -Verbose' {
        Get-VerboseLines { Invoke-ParallelWebRequest "$base/text" } | Should -HaveCount 0
    }

    It 'writes one pair of lines per request, each beside its item, through the pipeline thread' {
        $lines = Get-VerboseLines { 1..6 | ForEach-Object { "$base/delay/$((6 - $_) * 20)?n=$_" } | Invoke-ParallelWebRequest -ThrottleLimit 6 -Verbose }
        $requests = @($lines | Where-Object { $_ -like 'WebRequest:*' })
        $requests | Should -HaveCount 6
        @($lines | Where-Object { $_ -like 'WebResponse: 200 OK*' }) | Should -HaveCount 6
        # Ordered output keeps each item's records with it.
        $requests | Should -Be (1..6 | ForEach-Object { "WebRequest: v1.1 GET $base/delay/$((6 - $_) * 20) with query length 3" })
    }

    It 'announces a followed page as Invoke-RestMethod does' {
        $ours = Get-VerboseLines { Invoke-ParallelWebRequest "$base/pages/1?of=2" -FollowRelLink -Verbose }
        $theirs = Get-VerboseLines { Invoke-RestMethod "$base/pages/1?of=2" -FollowRelLink -Verbose }
        $ours | Should -Be $theirs
    }
}
