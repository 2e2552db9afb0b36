<#
.SYNOPSIS
    Show the kiosk's touch UI full screen in Microsoft Edge (or Chromium) kiosk mode, and
    start it at every logon of the kiosk's Windows user.

.DESCRIPTION
    Without -Register: wait until the kiosk agent's page answers, start the browser in
    kiosk mode on it, and start it again whenever it closes (a crash, or someone who found
    Alt+F4). The agent itself runs as a service (install-service.ps1 -Role kiosk); the
    browser cannot: it needs the user's desktop.

    With -Register: add a scheduled task that runs this script (without -Register) at the
    logon of -User, restarted if it ever stops. Set that user to log on automatically
    (netplwiz, or Windows' Assigned Access for a locked-down kiosk) and the PC comes up
    on the touch UI after a power cut. -Unregister removes the task.

    Edge: --kiosk URL --edge-kiosk-type=fullscreen (the "digital / interactive signage"
    kind: full screen, no address bar, no way out but Ctrl+Alt+Del). Chromium/Chrome: the
    same flags as on Linux (docs/kiosk.md).

.EXAMPLE
    .\kiosk-browser.ps1 -Register -User kiosk

.EXAMPLE
    .\kiosk-browser.ps1 -Browser chromium -BrowserPath 'C:\Program Files\Chromium\Application\chrome.exe' -Url 'http://127.0.0.1:8700/?lang=en'
#>
[CmdletBinding()]
param(
    [string]$Url = 'http://127.0.0.1:8700/',
    [ValidateSet('edge', 'chromium')]
    [string]$Browser = 'edge',
    [string]$BrowserPath,
    [switch]$Register,
    [switch]$Unregister,
    [string]$User = $env:USERNAME
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$TaskName = 'hallqueue kiosk browser'

if ($Unregister) {
    Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false -ErrorAction SilentlyContinue
    Write-Host "removed the task '$TaskName'"
    return
}

if ($Register) {
    $arguments = "-NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -File `"$PSCommandPath`" " +
        "-Url `"$Url`" -Browser $Browser"
    if ($BrowserPath) { $arguments += " -BrowserPath `"$BrowserPath`"" }
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
    $trigger = New-ScheduledTaskTrigger -AtLogOn -User $User
    $principal = New-ScheduledTaskPrincipal -UserId $User -LogonType Interactive -RunLevel Limited
    # No time limit, and started again a minute after it stops, however often.
    $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) `
        -RestartCount 9999 -RestartInterval (New-TimeSpan -Minutes 1) `
        -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -MultipleInstances IgnoreNew
    Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger `
        -Principal $principal -Settings $settings -Force | Out-Null
    Write-Host "the kiosk browser starts at every logon of $User ('$TaskName')"
    return
}

if (-not $BrowserPath) {
    $candidates = @()
    if ($Browser -eq 'edge') {
        $candidates = @(
            (Join-Path ${env:ProgramFiles(x86)} 'Microsoft\Edge\Application\msedge.exe'),
            (Join-Path $env:ProgramFiles 'Microsoft\Edge\Application\msedge.exe'))
    } else {
        $candidates = @(
            (Join-Path $env:ProgramFiles 'Chromium\Application\chrome.exe'),
            (Join-Path $env:LOCALAPPDATA 'Chromium\Application\chrome.exe'),
            (Join-Path $env:ProgramFiles 'Google\Chrome\Application\chrome.exe'))
    }
    $BrowserPath = $candidates | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if (-not $BrowserPath) { throw "no $Browser found: pass -BrowserPath" }
}

# A profile of its own, kept apart from any other browsing: the browser started here is
# then its own process, not a window handed to an Edge already running (which would return
# at once). Quoted: Start-Process joins its arguments with spaces and quotes none.
$browserProfile = Join-Path $env:LOCALAPPDATA 'hallqueue\kiosk-browser'
$common = @("--user-data-dir=`"$browserProfile`"", '--no-first-run', '--noerrdialogs',
    '--disable-pinch', '--overscroll-history-navigation=0',
    '--disable-features=TranslateUI', '--autoplay-policy=no-user-gesture-required')
if ($Browser -eq 'edge') {
    $flags = @('--kiosk', $Url, '--edge-kiosk-type=fullscreen') + $common
} else {
    $flags = @('--kiosk', '--incognito', '--disable-translate',
        '--check-for-update-interval=31536000') + $common + @($Url)
}

while ($true) {
    # The agent's service may still be starting (or restarting): show nothing until it answers.
    while ($true) {
        try {
            Invoke-WebRequest -Uri $Url -UseBasicParsing -TimeoutSec 3 | Out-Null
            break
        } catch {
            Start-Sleep -Seconds 2
        }
    }
    $browser = Start-Process -FilePath $BrowserPath -ArgumentList $flags -PassThru
    $browser.WaitForExit()
    Start-Sleep -Seconds 2
}
