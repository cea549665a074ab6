<#
.SYNOPSIS
    Writes the module's MAML help from the built cmdlets' parameter metadata and the texts in module/help.
.DESCRIPTION
    Each cmdlet has module/help/<Name>.psd1 with Synopsis, Description, Parameters (name -> text),
    Examples (Title, Code, Remarks), Inputs, Outputs, Notes and Links. Syntax, types, positions and
    pipeline binding come from Get-Command, so they cannot drift from the code. A parameter without a
    description fails the build. Each parameter's "Default value" is the help file's Defaults entry
    (name -> text) when it has one, for defaults a bare value would misstate (0 meaning no limit, one that
    depends on the machine); else it is read from a new instance of the cmdlet: False for a switch, None
    for a mandatory or unset parameter, otherwise the property's initial value. A cmdlet that checks its exclusions itself rather than with parameter
    sets (they cost binding time on every piped item) lists its forms in Syntax: each an Omit list of
    parameters that form leaves out, and a Mandatory list of those it requires.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
$module = Import-Module $ModulePath -PassThru -Force
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + 'UseTransaction'

# -WhatIf and -Confirm are documented like any parameter; these texts serve unless a help file says more.
$standard = @{
    WhatIf  = 'Shows what the command would do without doing it.'
    Confirm = 'Asks for confirmation before each change.'
}

# The initial value of a parameter's property, as a fresh cmdlet object has it, in the words Get-Help uses.
function DefaultOf($command, $instance, $p, $help) {
    if ($help.Defaults -and $help.Defaults.ContainsKey($p.Name)) { return [string]$help.Defaults[$p.Name] }
    if ($p.SwitchParameter) { return 'False' }
    $mandatory = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.Mandatory }
    if ($mandatory) { return 'None' }
    $value = $instance.($p.Name)
    if ($null -eq $value -or ($value -is [string] -and $value.Length -eq 0)) { return 'None' }
    [System.Convert]::ToString($value, [cultureinfo]::InvariantCulture)
}

function Esc([object] $text) { [System.Security.SecurityElement]::Escape([string]$text) }

function Paras([string] $text) {
    ($text.Trim() -split '\r?\n\s*\r?\n' | ForEach-Object { "<maml:para>$(Esc ($_ -replace '\s*\r?\n\s*', ' '))</maml:para>" }) -join ''
}

$sb = [System.Text.StringBuilder]::new()
$null = $sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
$null = $sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
$missing = @()
foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $sourceFile = Join-Path $SourcePath "$($command.Name).psd1"
    if (-not (Test-Path $sourceFile)) { throw "No help source for $($command.Name): $sourceFile" }
    $help = Import-PowerShellDataFile $sourceFile
    foreach ($name in $standard.Keys) { if ($command.Parameters.ContainsKey($name) -and -not $help.Parameters.ContainsKey($name)) { $help.Parameters[$name] = $standard[$name] } }
    $params = $command.Parameters.Values | Where-Object { $common -notcontains $_.Name }
    foreach ($p in $params) { if (-not $help.Parameters.ContainsKey($p.Name)) { $missing += "$($command.Name) -$($p.Name)" } }
    if ($help.Defaults) {
        foreach ($name in $help.Defaults.Keys) { if (-not $command.Parameters.ContainsKey($name)) { throw "$($command.Name) has no parameter -$name, but its help gives it a default." } }
    }
    $instance = [System.Activator]::CreateInstance($command.ImplementingType)

    $null = $sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
    $null = $sb.AppendLine("<command:details><command:name>$($command.Name)</command:name><maml:description>$(Paras $help.Synopsis)</maml:description><command:verb>$($command.Verb)</command:verb><command:noun>$($command.Noun)</command:noun></command:details>")
    $null = $sb.AppendLine("<maml:description>$(Paras $help.Description)</maml:description>")

    $paramXml = {
        param($p, $setInfo)
        $attr = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        if ($setInfo) { $attr = $setInfo }
        $position = if ($attr.Position -ge 0) { $attr.Position } else { 'named' }
        $pipeline = @(if ($attr.ValueFromPipeline) { 'ByValue' }; if ($attr.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
        $pipelineText = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        $typeName = $p.ParameterType.Name
        "<command:parameter required=`"$($attr.Mandatory.ToString().ToLower())`" position=`"$position`" pipelineInput=`"$pipelineText`" globbing=`"false`" variableLength=`"true`">" +
        "<maml:name>$($p.Name)</maml:name><maml:description>$(Paras ([string]$help.Parameters[$p.Name]))</maml:description>" +
        $(if ($typeName -ne 'SwitchParameter') { "<command:parameterValue required=`"true`" variableLength=`"false`">$typeName</command:parameterValue>" } else { '' }) +
        "<dev:type><maml:name>$($p.ParameterType.FullName)</maml:name></dev:type>" +
        "<dev:defaultValue>$(Esc (DefaultOf $command $instance $p $help))</dev:defaultValue>" +
        $(if ($p.Aliases.Count) { "<dev:aliases>$($p.Aliases -join ', ')</dev:aliases>" } else { '' }) +
        '</command:parameter>'
    }

    $null = $sb.AppendLine('<command:syntax>')
    $forms = if ($help.Syntax) {
        $only = $command.ParameterSets[0]
        foreach ($form in $help.Syntax) { [pscustomobject]@{ Set = $only; Omit = @($form.Omit); Mandatory = @($form.Mandatory) } }
    }
    else {
        foreach ($set in $command.ParameterSets) { [pscustomobject]@{ Set = $set; Omit = @(); Mandatory = @() } }
    }
    foreach ($form in $forms) {
        $null = $sb.Append("<command:syntaxItem><maml:name>$($command.Name)</maml:name>")
        foreach ($sp in $form.Set.Parameters | Where-Object { $common -notcontains $_.Name -and $form.Omit -notcontains $_.Name }) {
            $full = $command.Parameters[$sp.Name]
            $info = [pscustomobject]@{ Mandatory = $sp.IsMandatory -or $form.Mandatory -contains $sp.Name; Position = $sp.Position; ValueFromPipeline = $sp.ValueFromPipeline; ValueFromPipelineByPropertyName = $sp.ValueFromPipelineByPropertyName }
            $null = $sb.Append((& $paramXml $full $info))
        }
        $null = $sb.AppendLine('</command:syntaxItem>')
    }
    $null = $sb.AppendLine('</command:syntax>')

    $null = $sb.AppendLine('<command:parameters>')
    foreach ($p in $params) { $null = $sb.AppendLine((& $paramXml $p $null)) }
    $null = $sb.AppendLine('</command:parameters>')

    if ($help.Inputs) { $null = $sb.AppendLine("<command:inputTypes><command:inputType><dev:type><maml:name>$(Esc $help.Inputs)</maml:name></dev:type><maml:description><maml:para /></maml:description></command:inputType></command:inputTypes>") }
    if ($help.Outputs) { $null = $sb.AppendLine("<command:returnValues><command:returnValue><dev:type><maml:name>$(Esc $help.Outputs)</maml:name></dev:type><maml:description><maml:para /></maml:description></command:returnValue></command:returnValues>") }
    if ($help.Notes) { $null = $sb.AppendLine("<maml:alertSet><maml:alert>$(Paras $help.Notes)</maml:alert></maml:alertSet>") }

    $null = $sb.AppendLine('<command:examples>')
    $n = 0
    foreach ($example in $help.Examples) {
        $n++
        $null = $sb.AppendLine("<command:example><maml:title>-------------------------- Example ${n}: $(Esc $example.Title) --------------------------</maml:title><dev:code>$(Esc $example.Code.Trim())</dev:code><dev:remarks>$(Paras ([string]$example.Remarks))</dev:remarks></command:example>")
    }
    $null = $sb.AppendLine('</command:examples>')

    $null = $sb.AppendLine('<command:relatedLinks>')
    foreach ($link in @($help.Links)) { if ($link) { $null = $sb.AppendLine("<maml:navigationLink><maml:linkText>$(Esc $link)</maml:linkText><maml:uri /></maml:navigationLink>") } }
    $null = $sb.AppendLine('</command:relatedLinks>')
    $null = $sb.AppendLine('</command:command>')
}
$null = $sb.AppendLine('</helpItems>')

if ($missing) { throw "Help has no description for: $($missing -join '; ')" }
[System.IO.File]::WriteAllText($OutputPath, $sb.ToString(), [System.Text.UTF8Encoding]::new($false))
