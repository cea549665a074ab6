using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ParallelJobs.Commands;

/// <summary>What the argument completers share: the word's pattern, quoting, and a query of the caller's session.</summary>
internal static class CompletionSupport
{
    /// <summary>The word as typed, without an opening quote, and the quote to give the results back in.</summary>
    public static (string Word, char? Quote) Unquote(string? wordToComplete)
    {
        string word = wordToComplete ?? string.Empty;
        if (word.Length > 0 && (word[0] == '\'' || word[0] == '"'))
        {
            char quote = word[0];
            word = word.Substring(1);
            if (word.Length > 0 && word[word.Length - 1] == quote)
            {
                word = word.Substring(0, word.Length - 1);
            }

            return (word, quote);
        }

        return (word, null);
    }

    /// <summary>A name as PowerShell would type it: bare when it can be, in single quotes otherwise.</summary>
    public static string Quote(string name, char? typedQuote)
    {
        bool needsQuotes = typedQuote is not null || name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || "'\"`$&@(){}[];,|<>#".IndexOf(c) >= 0);
        return needsQuotes ? "'" + CodeGeneration.EscapeSingleQuotedStringContent(name) + "'" : name;
    }

    /// <summary>
    /// Runs a command in the runspace that asked for completion (TabExpansion2 runs on its pipeline thread, so a
    /// nested pipeline sees the caller's modules and functions). Nothing when there is no such runspace or it fails:
    /// a completer must never throw at the user's prompt.
    /// </summary>
    public static Collection<PSObject> RunInCaller(Action<PowerShell> build)
    {
        try
        {
            using PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            build(ps);
            return ps.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new Collection<PSObject>();
        }
    }

    /// <summary>Distinct names that match the word, sorted, as completion results.</summary>
    public static List<CompletionResult> Results(IEnumerable<(string Name, string ToolTip)> candidates, string? wordToComplete)
    {
        (string word, char? quote) = Unquote(wordToComplete);
        var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
        return candidates
            .Where(c => !string.IsNullOrEmpty(c.Name) && pattern.IsMatch(c.Name))
            .GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .Select(c => new CompletionResult(Quote(c.Name, quote), c.Name, CompletionResultType.ParameterValue, string.IsNullOrEmpty(c.ToolTip) ? c.Name : c.ToolTip))
            .ToList();
    }

    /// <summary>The word as a -Name pattern for Get-Module and Get-Command, so they do not list everything.</summary>
    public static string NamePattern(string? wordToComplete) => Unquote(wordToComplete).Word + "*";
}
