<#
.SYNOPSIS
    Install a hallqueue part - the kiosk agent, a window's sign agent or the centre - as a
    Windows service that starts at boot and restarts when it fails.

.DESCRIPTION
    Python cannot answer the Service Control Manager by itself (a service must call
    StartServiceCtrlDispatcher within 30 s, or Windows kills it with error 1053), so the
    service is WinSW, a small MIT-licensed wrapper, that starts
    "python.exe -m queue_server <role> ..." and watches it:

      - it restarts the process 5, 10 and then every 30 seconds after it exits with an error
        (<onfailure>; the count is forgotten after an hour of running, <resetfailure>),
      - it stops it with Ctrl+C and waits 15 s (<stoptimeout>): the agents finish cleanly,
      - it keeps the process's output in rolled log files (logs\, 8 x 10 MB).

    WinSW is fetched from its GitHub release at install time, version pinned, and refused
    unless its SHA-256 is the one below. A hall without internet brings the same file on a
    USB stick: -WinSWPath. Why not the alternatives: "sc.exe create" pointing at python.exe
    is killed after 30 s (see above); pywin32's pythonservice.exe needs DLLs copied beside
    it and breaks in virtualenvs; NSSM has had no release since 2017; a scheduled task is
    not a service (no stop with Ctrl+C, restarts at most once a minute).

    Everything the service keeps is under %ProgramData%\hallqueue\<name>\ (the wrapper and
    its XML, which holds the device token; data\: the spool or the database; logs\). That
    folder is given an ACL of SYSTEM and Administrators only, inherited by every file the
    service creates in it: on Windows this, not a file mode, keeps the personal data and
    the token private.

    Run it from an elevated PowerShell. Running it again replaces the service (the data
    stays). Remove with uninstall-service.ps1.

.EXAMPLE
    .\install-service.ps1 -Role kiosk -Server http://10.0.0.5:8600 -Token $token -Printer COM3 -IdReader COM4

.EXAMPLE
    .\install-service.ps1 -Role sign -Server http://10.0.0.5:8600 -Token $token -Site city-hall -Counter 3 -Port COM5 -Address 3 -Evaluator 103

.EXAMPLE
    .\install-service.ps1 -Role centre -ListenPort 8600 -EdgeOf https://queue.city.example -Token $edgeToken
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidateSet('kiosk', 'sign', 'centre')]
    [string]$Role,

    # The centre's URL (kiosk, sign).
    [string]$Server,
    # The device token (kiosk, sign; the edge centre's token with -EdgeOf). Kept in the
    # service's environment, never on its command line.
    [string]$Token,
    # The site: checked against the kiosk's token; required by the sign agent.
    [string]$Site,

    # Kiosk: ports are COM3, COM4 ... or pyserial URLs (hwgrep://1A86:7523, socket://host:port);
    # `hallqueue device list-ports` shows them.
    [string]$Printer,
    [int]$PrinterBaud = 9600,
    [ValidateSet('58', '80')]
    [string]$Paper = '80',
    [string]$IdReader,
    [int]$IdReaderBaud = 115200,

    # Sign agent: the window, its RS-485 port, the sign's and the evaluator's addresses.
    [int]$Counter = 0,
    [string]$Port,
    [int]$Address = 1,
    [int]$Evaluator = 0,
    [int]$Baud = 9600,

    # Centre: where it listens, and the city centre it is a station's edge centre of.
    [string]$ListenHost = '0.0.0.0',
    [int]$ListenPort = 8600,
    [string]$EdgeOf,

    # python.exe of the virtualenv hallqueue is installed in (default: the one holding
    # this script, <venv>\Lib\site-packages\queue_server\deploy\windows\).
    [string]$Python,
    # The service's name (default hallqueue-kiosk, hallqueue-sign-<counter>, hallqueue-centre).
    [string]$Name,
    # A WinSW-x64.exe brought along for a PC without internet; checked like a download.
    [string]$WinSWPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$WinSWVersion = 'v2.12.0'
$WinSWUrl = "https://github.com/winsw/winsw/releases/download/$WinSWVersion/WinSW-x64.exe"
$WinSWSha256 = '05B82D46AD331CC16BDC00DE5C6332C1EF818DF8CEEFCD49C726553209B3A0DA'

function Need([string]$value, [string]$option) {
    if (-not $value) { throw "-Role $Role needs $option" }
}

function Escape([string]$text) { [System.Security.SecurityElement]::Escape($text) }

$identity = [Security.Principal.WindowsIdentity]::GetCurrent()
if (-not (New-Object Security.Principal.WindowsPrincipal($identity)).IsInRole(
        [Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this from an elevated PowerShell (Run as administrator).'
}

if (-not $Python) {
    $venv = (Resolve-Path (Join-Path $PSScriptRoot '..\..\..\..\..')).Path
    $Python = Join-Path $venv 'Scripts\python.exe'
}
if (-not (Test-Path -LiteralPath $Python)) {
    throw "python.exe not found at $Python (pass -Python C:\hallqueue\venv\Scripts\python.exe)"
}

# --- what the service runs -------------------------------------------------------------
$environment = [ordered]@{
    PYTHONUNBUFFERED = '1'  # log lines reach the log file as they happen
    PYTHONUTF8       = '1'  # Chinese in the logs is UTF-8, not the console's code page
}
switch ($Role) {
    'kiosk' {
        Need $Server '-Server'; Need $Token '-Token'; Need $Printer '-Printer'
        if (-not $Name) { $Name = 'hallqueue-kiosk' }
        $arguments = @('kiosk', '--server', $Server,
            '--printer-port', $Printer, '--printer-baud', "$PrinterBaud", '--width', $Paper)
        if ($IdReader) { $arguments += @('--reader-port', $IdReader, '--reader-baud', "$IdReaderBaud") }
        if ($Site) { $arguments += @('--site', $Site) }
        $environment['HALLQUEUE_KIOSK_TOKEN'] = $Token
    }
    'sign' {
        Need $Server '-Server'; Need $Token '-Token'; Need $Site '-Site'; Need $Port '-Port'
        if ($Counter -lt 1) { throw '-Role sign needs -Counter (the window number)' }
        if (-not $Name) { $Name = "hallqueue-sign-$Counter" }
        $arguments = @('sign', '--server', $Server, '--site', $Site, '--counter', "$Counter",
            '--serial-port', $Port, '--address', "$Address", '--serial-baud', "$Baud")
        if ($Evaluator -gt 0) { $arguments += @('--evaluator', "$Evaluator") }
        $environment['HALLQUEUE_SIGN_TOKEN'] = $Token
    }
    'centre' {
        if (-not $Name) { $Name = 'hallqueue-centre' }
        $arguments = @('serve', '--host', $ListenHost, '--port', "$ListenPort")
        if ($EdgeOf) {
            Need $Token '-Token'
            $arguments += @('--edge-of', $EdgeOf)
            $environment['HALLQUEUE_EDGE_TOKEN'] = $Token
        }
    }
}

$base = Join-Path $env:ProgramData "hallqueue\$Name"
$data = Join-Path $base 'data'
$logs = Join-Path $base 'logs'
if ($Role -eq 'kiosk') { $arguments += @('--spool', (Join-Path $data 'spool')) }
if ($Role -eq 'centre') { $arguments += @('--db', (Join-Path $data 'hallqueue.db')) }

# --- the folder, owner-only ----------------------------------------------------------------
New-Item -ItemType Directory -Force -Path $base, $data, $logs | Out-Null
# SYSTEM (S-1-5-18, the service's account) and Administrators (S-1-5-32-544) only, inherited
# by everything created inside; SIDs, so it works on a Chinese Windows too.
& icacls.exe $base /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls could not restrict $base" }

# --- the wrapper, checked ------------------------------------------------------------------
$wrapper = Join-Path $base "$Name.exe"
$fetched = Join-Path $base 'WinSW-x64.exe.download'
if ($WinSWPath) {
    Copy-Item -LiteralPath $WinSWPath -Destination $fetched -Force
} else {
    [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
    Invoke-WebRequest -Uri $WinSWUrl -OutFile $fetched -UseBasicParsing
}
$actual = (Get-FileHash -LiteralPath $fetched -Algorithm SHA256).Hash
if ($actual -ne $WinSWSha256) {
    Remove-Item -LiteralPath $fetched -Force
    throw "WinSW-x64.exe has SHA-256 $actual, not $WinSWSha256 ($WinSWVersion): refused"
}

if (Get-Service -Name $Name -ErrorAction SilentlyContinue) {  # installed before: replace it
    if (-not (Test-Path -LiteralPath $wrapper)) { throw "a service $Name exists that this script did not install" }
    & $wrapper stop | Out-Null
    & $wrapper uninstall | Out-Null
    Start-Sleep -Seconds 2
}
Move-Item -LiteralPath $fetched -Destination $wrapper -Force

# --- the service's definition --------------------------------------------------------------
$lines = @(
    '<service>',
    "  <id>$(Escape $Name)</id>",
    "  <name>hallqueue $Role ($(Escape $Name))</name>",
    "  <description>hallqueue $Role, restarted on failure (installed by install-service.ps1)</description>",
    "  <executable>$(Escape $Python)</executable>",
    '  <argument>-m</argument>',
    '  <argument>queue_server</argument>'
)
foreach ($argument in $arguments) { $lines += "  <argument>$(Escape $argument)</argument>" }
foreach ($key in $environment.Keys) {
    $lines += "  <env name=`"$key`" value=`"$(Escape $environment[$key])`"/>"
}
$lines += @(
    "  <workingdirectory>$(Escape $base)</workingdirectory>",
    '  <startmode>Automatic</startmode>',
    '  <stoptimeout>15 sec</stoptimeout>',
    '  <onfailure action="restart" delay="5 sec"/>',
    '  <onfailure action="restart" delay="10 sec"/>',
    '  <onfailure action="restart" delay="30 sec"/>',
    '  <resetfailure>1 hour</resetfailure>',
    "  <logpath>$(Escape $logs)</logpath>",
    '  <log mode="roll-by-size">',
    '    <sizeThreshold>10240</sizeThreshold>',
    '    <keepFiles>8</keepFiles>',
    '  </log>',
    '</service>'
)
Set-Content -LiteralPath (Join-Path $base "$Name.xml") -Value $lines -Encoding UTF8

& $wrapper install
if ($LASTEXITCODE -ne 0) { throw "WinSW could not install $Name" }
# Failure actions also when the service stops itself with an error, not only on a crash.
& sc.exe failureflag $Name 1 | Out-Null

if ($Role -eq 'centre') {
    $rule = "hallqueue-$Name"
    Get-NetFirewallRule -Name $rule -ErrorAction SilentlyContinue | Remove-NetFirewallRule
    New-NetFirewallRule -Name $rule -DisplayName "hallqueue centre ($Name)" -Direction Inbound `
        -Protocol TCP -LocalPort $ListenPort -Action Allow -Profile @('Domain', 'Private') | Out-Null
}

& $wrapper start
if ($LASTEXITCODE -ne 0) { throw "WinSW could not start ${Name}: see $logs" }
Write-Host "$Name installed and started; logs in $logs, data in $data."
Write-Host "Status: sc.exe query $Name   Stop: sc.exe stop $Name   Remove: uninstall-service.ps1 -Name $Name"
