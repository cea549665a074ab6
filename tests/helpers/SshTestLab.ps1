<#
.SYNOPSIS
    Starts real SSH servers with the PowerShell subsystem on this machine, for the remote tests and the
    remote benchmark, and removes every trace of them afterwards.
.DESCRIPTION
    Start-SshTestLab needs Linux and root. It installs openssh-server with apt-get when /usr/sbin/sshd is
    missing, makes host and client keys and a known_hosts file in a temp folder (host-key checking stays
    on), and starts one `sshd -D` per host with its own config whose powershell subsystem runs the pwsh
    of this process. Each host gets its own network namespace, joined to this one by a veth pair with
    addresses in a private /24 used nowhere else; where namespaces are refused, the hosts are sshd
    processes on 127.0.0.1 with their own ports (Mode tells which). Stop-SshTestLab kills what it
    started (by process id), deletes the namespaces and the temp folder.
#>

function Install-SshServerIfMissing {
    if (Test-Path /usr/sbin/sshd) { return }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) { throw '/usr/sbin/sshd is missing and apt-get is not available to install openssh-server.' }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq 2>&1 | Out-Null
    & apt-get install -y -qq openssh-server 2>&1 | Out-Null
    if (-not (Test-Path /usr/sbin/sshd)) { throw 'apt-get could not install openssh-server.' }
}

function Invoke-LabNative {
    param([string] $File, [string[]] $Arguments)
    $output = & $File @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed ($LASTEXITCODE): $output" }
    $output
}

function Test-LabPort {
    param([string] $Address, [int] $Port)
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        $task = $client.ConnectAsync($Address, $Port)
        return $task.Wait(300) -and $client.Connected
    }
    catch { return $false }
    finally { $client.Dispose() }
}

function Remove-StaleSshTestLabs {
    # Labs left by a test process that died without cleaning up. Their folders name the owner's process
    # id; their sshd processes are taken down by the lab's own kill scripts.
    foreach ($dir in @(Get-ChildItem -Path /tmp -Directory -Filter 'pjlab.*' -ErrorAction Ignore)) {
        $owner = Get-Content (Join-Path $dir.FullName 'owner.pid') -ErrorAction Ignore
        if (-not $owner -or (Get-Process -Id ([int]$owner) -ErrorAction Ignore)) { continue }
        foreach ($kill in @(Get-ChildItem -Path $dir.FullName -Filter kill.sh -Recurse -ErrorAction Ignore)) { & sh $kill.FullName 2>$null }
        if (Test-Path (Join-Path $dir.FullName 'created-run-sshd')) { Remove-Item /run/sshd -Recurse -Force -ErrorAction Ignore }
        Remove-Item $dir.FullName -Recurse -Force -ErrorAction Ignore
    }

    # Namespaces: their names carry the owner's process id.
    $names = @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -match '^pjt(\d+)[a-z]$' })
    foreach ($name in $names) {
        $null = $name -match '^pjt(\d+)[a-z]$'
        if (-not (Get-Process -Id ([int]$Matches[1]) -ErrorAction Ignore)) {
            foreach ($id in @(& ip netns pids $name 2>$null)) { & kill -9 $id 2>$null }
            & ip netns delete $name 2>$null
        }
    }
}

function New-LabHost {
    param($Lab, [int] $Number, [string] $Address, [int] $Port, [string] $Namespace)
    $letter = [char]([int][char]'a' + $Number)
    $dir = Join-Path $Lab.Root "host-$letter"
    $null = New-Item -ItemType Directory -Path $dir
    Invoke-LabNative ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-f', "$dir/host_key") | Out-Null

    # The subsystem runs this very PowerShell (a dotnet tool, so through dotnet), with a host name of its own.
    $modules = Join-Path $dir 'modules'
    $null = New-Item -ItemType Directory -Path $modules
    $wrapper = Join-Path $dir 'pwsh-sshs.sh'
    $dotnet = (Get-Process -Id $PID).Path
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    Set-Content -Path $wrapper -Value @(
        '#!/bin/sh'
        "export PJLAB_HOST='$letter'"
        "export PSModulePath='$modules'"
        "exec '$dotnet' '$pwshDll' -sshs -NoLogo -NoProfile"
    )
    & chmod 755 $wrapper

    $config = Join-Path $dir 'sshd_config'
    Set-Content -Path $config -Value @(
        "Port $Port"
        "ListenAddress $Address"
        "HostKey $dir/host_key"
        "PidFile $dir/sshd.pid"
        "AuthorizedKeysFile $($Lab.Root)/authorized_keys"
        'PubkeyAuthentication yes'
        'PasswordAuthentication no'
        'KbdInteractiveAuthentication no'
        'PermitRootLogin prohibit-password'
        'StrictModes no'
        'UsePAM no'
        'MaxStartups 64'
        "Subsystem powershell $wrapper"
    )
    # How this host goes down: every process in its namespace, or its sshd's process tree, killed.
    $kill = Join-Path $dir 'kill.sh'
    Set-Content -Path $kill -Value $(if ($Namespace) {
            @('#!/bin/sh', "ip netns pids $Namespace | xargs -r kill -9")
        }
        else {
            @('#!/bin/sh', 'kill_tree() { for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill -9 "$1" 2>/dev/null; }',
                "[ -f '$dir/sshd.pid' ] && kill_tree `"`$(cat '$dir/sshd.pid')`"")
        })
    & chmod 755 $kill
    $hostKey = (Get-Content "$dir/host_key.pub" -Raw).Trim() -split ' '
    Add-Content -Path $Lab.KnownHosts -Value "[$Address]:$Port $($hostKey[0]) $($hostKey[1])"

    [pscustomobject]@{
        Letter    = $letter
        Address   = $Address
        Port      = $Port
        Name      = "${Address}:$Port"
        Namespace = $Namespace
        Config    = $config
        Modules   = $modules
        Log       = Join-Path $dir 'sshd.log'
        KillScript = $kill
        Process   = $null
    }
}

function Start-SshTestLabHost {
    <# Starts (or starts again, after Stop-SshTestLabHost) one host's sshd and waits until it listens. #>
    param($Lab, $LabHost)
    $sshdArgs = @('-D', '-f', $LabHost.Config, '-E', $LabHost.Log)
    $LabHost.Process = if ($LabHost.Namespace) {
        Start-Process -FilePath ip -ArgumentList (@('netns', 'exec', $LabHost.Namespace, '/usr/sbin/sshd') + $sshdArgs) -PassThru
    }
    else {
        Start-Process -FilePath /usr/sbin/sshd -ArgumentList $sshdArgs -PassThru
    }

    for ($i = 0; $i -lt 100; $i++) {
        if (Test-LabPort $LabHost.Address $LabHost.Port) { return }
        if ($LabHost.Process.HasExited) { break }
        Start-Sleep -Milliseconds 100
    }

    throw "sshd for $($LabHost.Name) did not start listening: $(Get-Content $LabHost.Log -Raw -ErrorAction Ignore)"
}

function Stop-SshTestLabHost {
    <# Kills one host's sshd and every session and subsystem process under it, as a machine going down. #>
    param($Lab, $LabHost)
    & sh $LabHost.KillScript 2>$null
    if ($LabHost.Process) {
        if (-not $LabHost.Process.WaitForExit(5000)) { & kill -9 $LabHost.Process.Id 2>$null }
    }
    Remove-Item (Join-Path (Split-Path $LabHost.Config) 'sshd.pid') -ErrorAction Ignore
}

function Start-LabWatcher {
    <# Takes a host down from outside, as soon as a file appears (an item creates it); gives up after 3 minutes. #>
    param($Lab, [string] $Flag, $LabHost)
    $script = Join-Path $Lab.Root "watch-$($LabHost.Letter).sh"
    Set-Content -Path $script -Value @(
        '#!/bin/sh'
        'i=0'
        "while [ `$i -lt 1800 ]; do [ -e '$Flag' ] && exec sh '$($LabHost.KillScript)'; sleep 0.1; i=`$((i+1)); done"
    )
    Start-Process -FilePath sh -ArgumentList $script -PassThru
}

function Start-SshTestLab {
    param([int] $HostCount = 2)
    if (-not $IsLinux) { throw 'The SSH test lab needs Linux.' }
    if ((& id -u) -ne '0') { throw 'The SSH test lab needs root (it starts sshd and network namespaces).' }
    Install-SshServerIfMissing
    Remove-StaleSshTestLabs

    $root = (& mktemp -d /tmp/pjlab.XXXXXX)
    Set-Content -Path (Join-Path $root 'owner.pid') -Value $PID
    $lab = [pscustomobject]@{
        Root          = $root
        KeyFile       = Join-Path $root 'client_key'
        KnownHosts    = Join-Path $root 'known_hosts'
        Mode          = 'netns'
        Hosts         = [System.Collections.Generic.List[object]]::new()
        Namespaces    = [System.Collections.Generic.List[string]]::new()
        CreatedRunDir = $false
    }
    try {
        Invoke-LabNative ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-f', $lab.KeyFile) | Out-Null
        Copy-Item "$($lab.KeyFile).pub" (Join-Path $root 'authorized_keys')
        $null = New-Item -ItemType File -Path $lab.KnownHosts
        if (-not (Test-Path /run/sshd)) {
            # sshd's privilege separation directory, normally made by the init system.
            $null = New-Item -ItemType Directory -Path /run/sshd
            $lab.CreatedRunDir = $true
            $null = New-Item -ItemType File -Path (Join-Path $root 'created-run-sshd')
        }

        $subnet = "10.213.$(1 + $PID % 250)"
        try {
            for ($i = 0; $i -lt $HostCount; $i++) {
                $letter = [char]([int][char]'a' + $i)
                $ns = "pjt$PID$letter"
                $outside = "pj$PID${letter}0"
                $inside = "pj$PID${letter}1"
                Invoke-LabNative ip @('netns', 'add', $ns) | Out-Null
                $lab.Namespaces.Add($ns)
                $local = "$subnet.$(1 + $i)"
                $remote = "$subnet.$(101 + $i)"
                Invoke-LabNative ip @('link', 'add', $outside, 'type', 'veth', 'peer', 'name', $inside) | Out-Null
                Invoke-LabNative ip @('link', 'set', $inside, 'netns', $ns) | Out-Null
                # Point-to-point addresses: each link routes one host address, nothing else changes here.
                Invoke-LabNative ip @('addr', 'add', $local, 'peer', $remote, 'dev', $outside) | Out-Null
                Invoke-LabNative ip @('link', 'set', $outside, 'up') | Out-Null
                Invoke-LabNative ip @('netns', 'exec', $ns, 'ip', 'addr', 'add', $remote, 'peer', $local, 'dev', $inside) | Out-Null
                Invoke-LabNative ip @('netns', 'exec', $ns, 'ip', 'link', 'set', $inside, 'up') | Out-Null
                Invoke-LabNative ip @('netns', 'exec', $ns, 'ip', 'link', 'set', 'lo', 'up') | Out-Null
                $lab.Hosts.Add((New-LabHost $lab $i $remote 2222 $ns))
            }
        }
        catch {
            Write-Warning "Network namespaces are not available ($_); the lab hosts are sshd processes on 127.0.0.1 instead."
            Remove-LabNamespaces $lab
            $lab.Hosts.Clear()
            Set-Content -Path $lab.KnownHosts -Value $null
            Get-ChildItem $root -Directory -Filter 'host-*' | Remove-Item -Recurse -Force
            $lab.Mode = 'loopback'
            for ($i = 0; $i -lt $HostCount; $i++) {
                $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
                $listener.Start()
                $port = $listener.LocalEndpoint.Port
                $listener.Stop()
                $lab.Hosts.Add((New-LabHost $lab $i '127.0.0.1' $port $null))
            }
        }

        foreach ($labHost in $lab.Hosts) { Start-SshTestLabHost $lab $labHost }
        return $lab
    }
    catch {
        Stop-SshTestLab $lab
        throw
    }
}

function Remove-LabNamespaces {
    param($Lab)
    foreach ($ns in $Lab.Namespaces) {
        foreach ($id in @(& ip netns pids $ns 2>$null)) { & kill -9 $id 2>$null }
        & ip netns delete $ns 2>$null
    }
    $Lab.Namespaces.Clear()
}

function Stop-SshTestLab {
    param($Lab)
    if (-not $Lab) { return }
    foreach ($labHost in $Lab.Hosts) { Stop-SshTestLabHost $Lab $labHost }
    Remove-LabNamespaces $Lab
    if ($Lab.CreatedRunDir) { Remove-Item /run/sshd -Recurse -Force -ErrorAction Ignore }
    if ($Lab.Root -and (Test-Path $Lab.Root)) { Remove-Item $Lab.Root -Recurse -Force -ErrorAction Ignore }
}

function Get-SshTestLabOptions {
    <# The ssh options every connection to the lab uses: its own known_hosts, checking left on. #>
    param($Lab)
    @{ UserKnownHostsFile = $Lab.KnownHosts; GlobalKnownHostsFile = '/dev/null' }
}
