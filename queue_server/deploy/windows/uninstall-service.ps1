<#
.SYNOPSIS
    Stop and remove a hallqueue service installed by install-service.ps1.

.DESCRIPTION
    The data stays (%ProgramData%\hallqueue\<name>\data: the kiosk's spool, the centre's
    database and secret) unless -RemoveData is given: a reinstall finds it again, and a
    kiosk's unprinted tickets are printed by the next agent.

.EXAMPLE
    .\uninstall-service.ps1 -Name hallqueue-kiosk

.EXAMPLE
    .\uninstall-service.ps1 -Name hallqueue-sign-3 -RemoveData
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidatePattern('^hallqueue-[A-Za-z0-9-]+$')]
    [string]$Name,
    [switch]$RemoveData
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$identity = [Security.Principal.WindowsIdentity]::GetCurrent()
if (-not (New-Object Security.Principal.WindowsPrincipal($identity)).IsInRole(
        [Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this from an elevated PowerShell (Run as administrator).'
}

$base = Join-Path $env:ProgramData "hallqueue\$Name"
$wrapper = Join-Path $base "$Name.exe"
if (Get-Service -Name $Name -ErrorAction SilentlyContinue) {
    if (Test-Path -LiteralPath $wrapper) {
        & $wrapper stop | Out-Null  # Ctrl+C, then up to <stoptimeout> to finish
        & $wrapper uninstall
        if ($LASTEXITCODE -ne 0) { throw "WinSW could not uninstall $Name" }
    } else {
        & sc.exe stop $Name | Out-Null
        & sc.exe delete $Name
    }
}
Get-NetFirewallRule -Name "hallqueue-$Name" -ErrorAction SilentlyContinue | Remove-NetFirewallRule

if ($RemoveData) {
    Remove-Item -LiteralPath $base -Recurse -Force -ErrorAction SilentlyContinue
    Write-Host "$Name removed, with its data and logs."
} else {
    Remove-Item -LiteralPath $wrapper -Force -ErrorAction SilentlyContinue
    Write-Host "$Name removed; its data and logs stay in $base."
}
