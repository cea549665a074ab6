# Invoke-ParallelWebRequest -OutFile and -OutDirectory: bodies streamed to disk, never half-written, under safe names.

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    function New-Folder { $path = Join-Path $TestDrive ([guid]::NewGuid().ToString('n')); $null = New-Item -ItemType Directory $path; $path }
    function Get-Names([string] $Folder) { @(Get-ChildItem -LiteralPath $Folder -Force -Recurse | ForEach-Object { $_.FullName.Substring($Folder.Length + 1) } | Sort-Object) }
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelWebRequest -OutFile' {
    It 'writes the body to the file, as Invoke-WebRequest -OutFile does, and says where' {
        $folder = New-Folder
        $ours = Join-Path $folder 'ours.bin'
        $theirs = Join-Path $folder 'theirs.bin'
        $response = Invoke-ParallelWebRequest "$base/files/data.bin?kb=300" -OutFile $ours
        Invoke-WebRequest "$base/files/data.bin?kb=300" -OutFile $theirs
        $response.OutFile | Should -Be $ours
        $response.Content | Should -BeNullOrEmpty
        $response.StatusCode | Should -Be 200
        (Get-FileHash $ours).Hash | Should -Be (Get-FileHash $theirs).Hash
        (Get-Item $ours).Length | Should -Be (300 * 1024)
        Get-Names $folder | Should -Be @('ours.bin', 'theirs.bin')
    }

    It 'replaces a file that is there, and creates a missing folder' {
        $folder = New-Folder
        $path = Join-Path $folder 'sub/out.txt'
        $null = New-Item -ItemType Directory (Split-Path $path)
        Set-Content $path 'old content that is longer than the new one'
        $null = Invoke-ParallelWebRequest "$base/files/x.txt" -OutFile $path
        Get-Content $path -Raw | Should -Be 'file x.txt'
        $other = Join-Path $folder 'new/deeper/out.txt'
        $null = Invoke-ParallelWebRequest "$base/files/y.txt" -OutFile $other
        Get-Content $other -Raw | Should -Be 'file y.txt'
    }

    It 'refuses a second input (WebOutFileManyInputs) and sends only the first' {
        $folder = New-Folder
        $path = Join-Path $folder 'one.txt'
        $responses = "$base/files/first.txt", "$base/files/second.txt" | Invoke-ParallelWebRequest -OutFile $path -ErrorVariable failed 2>$null
        @($responses) | Should -HaveCount 1
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'WebOutFileManyInputs*'
        Get-Content $path -Raw | Should -Be 'file first.txt'
    }

    It 'refuses -OutFile with -OutDirectory and -FollowRelLink with either' -TestCases @(
        @{ Extra = @{ OutFile = 'a'; OutDirectory = 'b' } }
        @{ Extra = @{ OutFile = 'a'; FollowRelLink = $true } }
        @{ Extra = @{ OutDirectory = 'b'; FollowRelLink = $true } }
    ) {
        param($Extra)
        { Invoke-ParallelWebRequest "$base/text" @Extra } | Should -Throw -ErrorId 'WebParameterConflict*'
    }
}

Describe 'Invoke-ParallelWebRequest -OutDirectory' {
    It 'names each file from the last segment of its URL' {
        $folder = New-Folder
        $responses = 'a.txt', 'b.csv', 'deep/c.json' | ForEach-Object { "$base/files/$_" } | Invoke-ParallelWebRequest -OutDirectory $folder
        $responses.OutFile | Should -Be @('a.txt', 'b.csv', 'c.json' | ForEach-Object { Join-Path $folder $_ })
        Get-Content (Join-Path $folder 'c.json') -Raw | Should -Be 'file deep/c.json'
    }

    It 'keeps a hostile Content-Disposition name inside the folder: <Name> -> <Expected>' -TestCases @(
        @{ Name = '../../escape.txt'; Expected = 'escape.txt' }
        @{ Name = '..\..\win.txt'; Expected = 'win.txt' }
        @{ Name = '/etc/passwd'; Expected = 'passwd' }
        @{ Name = 'C:\Windows\evil.dll'; Expected = 'evil.dll' }
        @{ Name = '..'; Expected = 'download' }
        @{ Name = '.hidden'; Expected = 'hidden' }
        @{ Name = 'CON.txt'; Expected = '_CON.txt' }
        @{ Name = 'nul'; Expected = '_nul' }
        @{ Name = 'a<b>:c|d?e*.txt'; Expected = 'a_b__c_d_e_.txt' }
        @{ Name = "tab`tname.txt"; Expected = 'tab_name.txt' }
        @{ Name = 'trailing. . '; Expected = 'trailing' }
    ) {
        param($Name, $Expected)
        $folder = New-Folder
        $response = Invoke-ParallelWebRequest "$base/download?name=$([uri]::EscapeDataString($Name))" -OutDirectory $folder
        $response.OutFile | Should -Be (Join-Path $folder $Expected)
        Get-Names $folder | Should -Be @($Expected)
        Get-Content (Join-Path $folder $Expected) -Raw | Should -Be "body of $Name"
    }

    It 'reads an RFC 5987 filename* name' {
        $folder = New-Folder
        $response = Invoke-ParallelWebRequest "$base/download?star=1&name=$([uri]::EscapeDataString('caf' + [char]0xe9 + ' menu.pdf'))" -OutDirectory $folder
        Split-Path $response.OutFile -Leaf | Should -Be ('caf' + [char]0xe9 + ' menu.pdf')
    }

    It 'gives two items with the same name two files, the later one named after its input position' {
        $folder = New-Folder
        $uris = "$base/files/one/report.txt", "$base/files/two/report.txt", "$base/files/three/report.txt"
        $responses = $uris | Invoke-ParallelWebRequest -OutDirectory $folder -ThrottleLimit 1
        $responses.OutFile | Should -Be @('report.txt', 'report-1.txt', 'report-2.txt' | ForEach-Object { Join-Path $folder $_ })
        foreach ($response in $responses) {
            Get-Content $response.OutFile -Raw | Should -Be ('file ' + $response.Uri.AbsolutePath.Substring('/files/'.Length))
        }
    }

    It 'keeps the name for the earliest input even when a later one finishes first' {
        $folder = New-Folder
        $uris = "$base/files/slow/report.txt?ms=600", "$base/files/fast/report.txt", "$base/files/mid/report.txt?ms=200"
        $responses = $uris | Invoke-ParallelWebRequest -OutDirectory $folder -ThrottleLimit 3
        $responses.OutFile | Should -Be @('report.txt', 'report-1.txt', 'report-2.txt' | ForEach-Object { Join-Path $folder $_ })
        Get-Content (Join-Path $folder 'report.txt') -Raw | Should -Be 'file slow/report.txt'
        Get-Content (Join-Path $folder 'report-1.txt') -Raw | Should -Be 'file fast/report.txt'
        Get-Names $folder | Should -HaveCount 3
    }

    It 'lets the first to arrive keep the name with -Unordered (its result may already be written)' {
        $folder = New-Folder
        $uris = "$base/files/slow/report.txt?ms=600", "$base/files/fast/report.txt"
        $responses = $uris | Invoke-ParallelWebRequest -OutDirectory $folder -ThrottleLimit 2 -Unordered
        ($responses | Where-Object { $_.Uri.AbsolutePath -like '*fast*' }).OutFile | Should -Be (Join-Path $folder 'report.txt')
        ($responses | Where-Object { $_.Uri.AbsolutePath -like '*slow*' }).OutFile | Should -Be (Join-Path $folder 'report-0.txt')
    }

    It 'never overwrites another item''s file, however the requests interleave' {
        $folder = New-Folder
        $uris = 1..20 | ForEach-Object { "$base/files/n$_/same.txt" }
        $responses = $uris | Invoke-ParallelWebRequest -OutDirectory $folder -ThrottleLimit 8
        ($responses.OutFile | Sort-Object -Unique) | Should -HaveCount 20
        foreach ($response in $responses) {
            Get-Content $response.OutFile -Raw | Should -Be ('file ' + $response.Uri.AbsolutePath.Substring('/files/'.Length))
        }
    }

    It 'leaves no file, and no temporary file, when the body is cut off' {
        $folder = New-Folder
        $null = Invoke-ParallelWebRequest "$base/cut/broken.bin" -OutDirectory $folder -ErrorVariable failed 2>$null
        $failed | Should -HaveCount 1
        Get-Names $folder | Should -HaveCount 0
    }

    It 'stops at -MaximumResponseSizeMB and leaves no file' {
        $folder = New-Folder
        $null = Invoke-ParallelWebRequest "$base/files/big.bin?kb=2048" -OutDirectory $folder -MaximumResponseSizeMB 1 -ErrorVariable failed 2>$null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'WebResponseTooLarge*'
        Get-Names $folder | Should -HaveCount 0
    }

    It 'writes no file for an answer of 400 or above' {
        $folder = New-Folder
        $null = Invoke-ParallelWebRequest "$base/status/404" -OutDirectory $folder -ErrorVariable failed 2>$null
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
        Get-Names $folder | Should -HaveCount 0
    }

    It 'saves each request of an entity under -Request' {
        $folder = New-Folder
        # The first entity is slower, so the second would take a.txt first.
        $entities = @{ N = 1; Ms = 500 }, @{ N = 2; Ms = 0 } | Invoke-ParallelWebRequest -OutDirectory $folder -ThrottleLimit 2 -Request ([ordered]@{ A = "$base/files/{N}/a.txt?ms={Ms}"; B = "$base/files/{N}/b.txt" })
        # Both entities' A is named a.txt: the first entity keeps it, the second gets its position and the request's name.
        $entities.A | Should -Be @((Join-Path $folder 'a.txt'), (Join-Path $folder 'a-1-A.txt'))
        $entities[1].Responses['A'].OutFile | Should -Be (Join-Path $folder 'a-1-A.txt')
        Get-Content $entities[1].A -Raw | Should -Be 'file 2/a.txt'
        Get-Content $entities[1].B -Raw | Should -Be 'file 2/b.txt'
        Get-Names $folder | Should -HaveCount 4
    }
}
