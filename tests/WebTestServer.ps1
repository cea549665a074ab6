<#
.SYNOPSIS
    Builds and starts tests/TestServer (Kestrel on 127.0.0.1, a free port) for the web and crawl tests and
    the web benchmark. Dot-source this file, then Start-WebTestServer / Stop-WebTestServer.
#>

function Start-WebTestServer {
    [CmdletBinding()]
    param([int] $TimeoutSeconds = 120)

    $root = Split-Path $PSScriptRoot -Parent
    $project = Join-Path $PSScriptRoot 'TestServer/TestServer.csproj'
    $outDir = Join-Path $root 'out/TestServer'
    $output = & dotnet build $project -c Release -o $outDir --nologo -v q 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Building the test server failed:`n$($output -join "`n")" }

    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @((Join-Path $outDir 'TestServer.dll'), '--parent-pid', $PID, '--lifetime', 1800)) { $info.ArgumentList.Add([string]$a) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) -or $read.Result -notmatch '^LISTENING (\S+)') {
        $process.Kill()
        throw "The test server did not start within $TimeoutSeconds s (it said: '$($read.Result)')."
    }

    $uri = [uri]$Matches[1]
    [pscustomobject]@{
        Process = $process
        BaseUri = $uri.AbsoluteUri.TrimEnd('/')
        Port    = $uri.Port
    }
}

function Stop-WebTestServer {
    param($Server)
    if ($Server -and -not $Server.Process.HasExited) {
        $Server.Process.Kill()
        $null = $Server.Process.WaitForExit(10000)
    }
    if ($Server) { $Server.Process.Dispose() }
}

function Get-ClosedPort {
    # A port that was free a moment ago: connecting to it is refused.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $port
}
