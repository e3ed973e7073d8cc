<#
.SYNOPSIS
  Runs the ConformanceSuite. A thin shim: every parameter maps to one option of the .NET entry point
  (src/ConformanceSuite.Cli), which does all the work in one process. The same run without PowerShell:
    dotnet run -c Release --project src/ConformanceSuite.Cli -- --api wavy-open-sessions --target embedded
.EXAMPLE
  ./run-conformance.ps1 -Api wavy-open-sessions -Target targets/example-live.json -FailOn deviation
#>
param(
    [string] $Api,
    [string] $Target,
    [string] $BaseUrl,
    [string] $Filter,
    [string] $ReportDir,
    [ValidateSet('fail', 'deviation', 'new')] [string] $FailOn,
    [string] $Baseline,
    [string] $Fault,
    [string] $Scale,
    [string] $Contracts,
    [string] $RequestTimeout,
    [string] $IdleTimeout,
    [string] $RunTimeout,
    [string] $PatternTimeout,
    [switch] $List,
    [switch] $Insecure,
    [switch] $AllowPrivateAddresses,
    [switch] $AcceptIncomplete
)

$cli = @('run', '-c', 'Release', '--project', (Join-Path $PSScriptRoot 'src/ConformanceSuite.Cli'), '--')
if ($Api)       { $cli += @('--api', $Api) }
if ($Target)    { $cli += @('--target', $Target) }
if ($BaseUrl)   { $cli += @('--base-url', $BaseUrl) }
if ($Filter)    { $cli += @('--filter', $Filter) }
if ($ReportDir) { $cli += @('--report-dir', $ReportDir) }
if ($FailOn)    { $cli += @('--fail-on', $FailOn) }
if ($Baseline)  { $cli += @('--baseline', $Baseline) }
if ($Fault)     { $cli += @('--fault', $Fault) }
if ($Scale)     { $cli += @('--scale', $Scale) }
if ($Contracts) { $cli += @('--contracts', $Contracts) }
if ($RequestTimeout) { $cli += @('--request-timeout', $RequestTimeout) }
if ($IdleTimeout) { $cli += @('--idle-timeout', $IdleTimeout) }
if ($RunTimeout) { $cli += @('--run-timeout', $RunTimeout) }
if ($PatternTimeout) { $cli += @('--pattern-timeout', $PatternTimeout) }
if ($List)      { $cli += @('--list') }
if ($Insecure)  { $cli += @('--insecure') }
if ($AllowPrivateAddresses) { $cli += @('--allow-private-addresses') }
if ($AcceptIncomplete) { $cli += @('--accept-incomplete') }

& dotnet @cli
exit $LASTEXITCODE
