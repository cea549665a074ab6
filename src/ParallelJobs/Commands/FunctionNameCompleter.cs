using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ParallelJobs.Commands;

/// <summary>Tab completion for Invoke-ParallelJob -Function: the functions defined in the caller's session.</summary>
internal sealed class FunctionNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<PSObject> functions = CompletionSupport.RunInCaller(ps => ps
            .AddCommand("Get-Command").AddParameter("Name", CompletionSupport.NamePattern(wordToComplete)).AddParameter("CommandType", CommandTypes.Function));
        return CompletionSupport.Results(
            functions.Select(o => o.BaseObject).OfType<FunctionInfo>().Select(f => (f.Name, string.IsNullOrEmpty(f.ModuleName) ? $"function {f.Name}" : $"function {f.Name} ({f.ModuleName})")),
            wordToComplete);
    }
}
