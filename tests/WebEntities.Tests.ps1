# Invoke-ParallelWebRequest -Request: one object per entity from several named requests (tests/TestServer's /api).

BeforeAll {
    Import-Module $env:PARALLELJOBS_MODULE -Force
    # The test runner sets 'Stop', which would turn each expected per-request failure into a stop of the run.
    $ErrorActionPreference = 'Continue'
    . (Join-Path $PSScriptRoot 'WebTestServer.ps1')
    $script:server = Start-WebTestServer
    $script:base = $server.BaseUri
    function New-Key { [guid]::NewGuid().ToString('n') }
}

AfterAll {
    Stop-WebTestServer $server
}

Describe 'Invoke-ParallelWebRequest -Request' {
    It 'writes one object per entity, in input order, with a property per request' {
        $ids = 5, 1, 4, 2, 3
        $entities = $ids | Invoke-ParallelWebRequest -ThrottleLimit 4 -Request ([ordered]@{
                Orders = "$base/api/orders/{0}?ms=30"
                Events = "$base/api/events/{0}"
            })
        $entities | Should -HaveCount 5
        $entities.Input | Should -Be $ids
        $entities.Orders.id | Should -Be ($ids | ForEach-Object { "$_" })
        $entities.Events.api | Should -Be (@('events') * 5)
        $entities[0].Orders.items | Should -Be @('orders-5-1', 'orders-5-2')
        $entities[0].PSObject.Properties.Name | Should -Be @('Input', 'Orders', 'Events', 'Errors', 'Responses')
        $entities[0].PSObject.TypeNames[0] | Should -Be 'ParallelJobs.ParallelWebEntity'
        $entities[0].Errors | Should -HaveCount 0
        $entities[0].Responses['Orders'] | Should -BeOfType ParallelJobs.ParallelWebResponse
        $entities[0].Responses['Orders'].StatusCode | Should -Be 200
    }

    It 'gives the same data as a hand-written join over ForEach-Object -Parallel and Invoke-RestMethod' {
        $ids = 1..6
        $ours = $ids | Invoke-ParallelWebRequest -Request @{ A = "$base/api/a/{0}"; B = "$base/api/b/{0}" }
        $theirs = $ids | ForEach-Object -Parallel {
            [pscustomobject]@{ Input = $_; A = Invoke-RestMethod "$using:base/api/a/$_"; B = Invoke-RestMethod "$using:base/api/b/$_" }
        } -ThrottleLimit 3 | Sort-Object Input
        ($ours | ForEach-Object { "$($_.Input):$($_.A.id):$($_.B.items -join '+')" }) |
            Should -Be ($theirs | ForEach-Object { "$($_.Input):$($_.A.id):$($_.B.items -join '+')" })
    }

    It 'orders the properties of a plain hashtable by name' {
        $entity = 1 | Invoke-ParallelWebRequest -Request @{ Zeta = "$base/api/z/{0}"; Alpha = "$base/api/a/{0}"; Mid = "$base/api/m/{0}" }
        $entity.PSObject.Properties.Name | Should -Be @('Input', 'Alpha', 'Mid', 'Zeta', 'Errors', 'Responses')
    }

    It 'fills {Name} from a property of the entity and URL-escapes every value' {
        $users = [pscustomobject]@{ Id = 'a b/c?d'; Region = 'eu&west' }, @{ Id = 7; Region = 'us' }
        $entities = $users | Invoke-ParallelWebRequest -Request @{ Profile = "$base/api/profile/{Id}?region={Region}" }
        $entities[0].Profile.raw | Should -Be '/api/profile/a%20b%2Fc%3Fd?region=eu%26west'
        $entities[1].Profile.raw | Should -Be '/api/profile/7?region=us'
        $entities[1].Input.Region | Should -Be 'us'
    }

    It 'fills {0} with the input itself and keeps literal {{ }} braces' {
        $entity = 'x y' | Invoke-ParallelWebRequest -Request @{ One = "$base/api/one/{0}?q={{lit}}" }
        # The braces reach the server as literal text (System.Uri escapes them on the wire).
        $entity.One.raw | Should -Match '^/api/one/x%20y\?q=(\{|%7B)lit(\}|%7D)$'
    }

    It 'keeps the other requests when one fails: $null, the error in Errors, and a non-terminating error naming entity and request' {
        $entities = 1, 2, 3 | Invoke-ParallelWebRequest -ErrorVariable failed -Request ([ordered]@{
                Orders = "$base/api/orders/{0}"
                Events = "$base/api/events/{0}?fail=2"
            }) 2>$null
        $entities | Should -HaveCount 3
        $entities[1].Orders.id | Should -Be '2'
        $entities[1].Events | Should -BeNullOrEmpty
        $entities[1].Errors | Should -HaveCount 1
        $entities[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebHttpError*'
        $entities[1].Errors[0].Exception.InnerException.Response.StatusCode | Should -Be 404
        $entities[0].Errors | Should -HaveCount 0
        $entities[2].Events.id | Should -Be '3'
        $failed | Should -HaveCount 1
        $failed[0].TargetObject | Should -Be 2
        $failed[0].ToString() | Should -Match 'Events: GET .*/api/events/2'
        $failed[0].ParallelJobItem.Index | Should -Be 1
    }

    It 'reports a property the entity lacks as a WebInvalidInput error of that request' {
        $entity = [pscustomobject]@{ Id = 1 } | Invoke-ParallelWebRequest -Request @{ Good = "$base/api/g/{Id}"; Bad = "$base/api/b/{Missing}" } 2>$null
        $entity.Good.id | Should -Be '1'
        $entity.Bad | Should -BeNullOrEmpty
        $entity.Errors[0].FullyQualifiedErrorId | Should -BeLike 'WebInvalidInput*'
        $entity.Errors[0].Exception.Message | Should -Match 'Missing'
    }

    It 'runs all requests of all entities under one throttle' {
        $null = Invoke-ParallelWebRequest "$base/api-concurrency?reset=1"
        $entities = 1..12 | Invoke-ParallelWebRequest -ThrottleLimit 4 -Request @{ A = "$base/api/a/{0}?ms=100"; B = "$base/api/b/{0}?ms=100"; C = "$base/api/c/{0}?ms=100" }
        $entities | Should -HaveCount 12
        $max = (Invoke-ParallelWebRequest "$base/api-concurrency").Content.max
        $max | Should -BeLessOrEqual 4
        $max | Should -BeGreaterOrEqual 2
    }

    It 'retries only the request that failed' {
        $key = New-Key
        $entity = $key | Invoke-ParallelWebRequest -RetryCount 2 -RetryDelay 0 -Request ([ordered]@{
                Counted = "$base/rate/{0}"
                Flaky   = "$base/retry/{0}?fails=1"
            })
        $entity.Flaky.attempt | Should -Be 2
        $entity.Responses['Flaky'].Attempts | Should -Be 2
        $entity.Errors | Should -HaveCount 0
        (Invoke-ParallelWebRequest "$base/rate-hits/$key").Content.count | Should -Be 1
    }

    It 'takes a hashtable template with its own method and body' {
        $entity = 9 | Invoke-ParallelWebRequest -Request @{ Post = @{ Uri = "$base/echo?id={0}"; Method = 'POST'; Body = 'hello'; ContentType = 'text/plain' } }
        $entity.Post.method | Should -Be 'POST'
        $entity.Post.body | Should -Be 'hello'
        $entity.Post.query | Should -Be '?id=9'
    }

    It 'writes the entity as the Output of -AsResult' {
        $results = 1, 2 | Invoke-ParallelWebRequest -AsResult -Request @{ A = "$base/api/a/{0}" }
        $results.Status | Should -Be @('Completed', 'Completed')
        $results[1].Output[0].A.id | Should -Be '2'
    }

    It 'refuses a template with a stray brace, a taken name or no request before sending anything' -TestCases @(
        @{ Request = @{ A = 'http://127.0.0.1:1/{0' } }
        @{ Request = @{ A = 'http://127.0.0.1:1/}' } }
        @{ Request = @{ A = 'http://127.0.0.1:1/{a-b}' } }
        @{ Request = @{ Errors = 'http://127.0.0.1:1/{0}' } }
        @{ Request = @{ Input = 'http://127.0.0.1:1/{0}' } }
        @{ Request = @{ A = 5 } }
        @{ Request = @{} }
    ) {
        param($Request)
        { 1 | Invoke-ParallelWebRequest -Request $Request -ErrorAction Stop } | Should -Throw -ErrorId 'WebRequestTemplateInvalid*'
    }

    It 'refuses -OutFile with -Request' {
        { 1 | Invoke-ParallelWebRequest -Request @{ A = "$base/api/a/{0}" } -OutFile (Join-Path $TestDrive 'x') } |
            Should -Throw -ErrorId 'WebParameterConflict*'
    }
}
