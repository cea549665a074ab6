using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ParallelJobs.Commands;

/// <summary>
/// Tab completion for Invoke-ParallelJob -Module: the modules loaded in the caller's session and those on its
/// module path (Get-Module -ListAvailable), by name. When no name matches, PowerShell's own path completion
/// takes over, as it did before this completer, since -Module also takes a module's path.
/// </summary>
internal sealed class ModuleNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string pattern = CompletionSupport.NamePattern(wordToComplete);
        IEnumerable<PSObject> loaded = CompletionSupport.RunInCaller(ps => ps.AddCommand("Get-Module").AddParameter("Name", pattern));
        IEnumerable<PSObject> available = CompletionSupport.RunInCaller(ps => ps.AddCommand("Get-Module").AddParameter("Name", pattern).AddParameter("ListAvailable"));
        List<CompletionResult> results = CompletionSupport.Results(
            loaded.Concat(available).Select(o => o.BaseObject).OfType<PSModuleInfo>().Select(m => (m.Name, $"{m.Name} {m.Version} ({m.Path})")),
            wordToComplete);

        // Null, not empty: PowerShell then completes the word as a path, which -Module also takes (./MyModule.psd1).
        return results.Count > 0 ? results : null!;
    }
}
