using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ParallelJobs.Engine;
using Xunit;

namespace ParallelJobs.Tests;

/// <summary>The error ids are a contract with users: one list, no twice-used id, and the help names only real ones.</summary>
public class ErrorIdsTests
{
    // A PascalCase word of two or more parts that is not a -Parameter, $variable, .Member, [Type], Verb-Noun
    // or call, as the help writes ids: "error id ItemTimedOut", "(`AllHostsLost`)", "Error ids: A, B".
    private static readonly Regex DocumentedWord = new(@"(?<![-$.\[:\w])([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)(?![-\w(])");

    // Words of that shape in the help that are neither ids nor names the module's own types carry.
    private static readonly HashSet<string> OtherWords = new(StringComparer.Ordinal)
    {
        "ActiveDirectory", "BadParameters", "BatchMode", "CommandNotFoundException", "ErrorFidelity", "CliXml", "ComputerName", "FileInfo", "FileSystem",
        "FullName", "GiB", "HtmlAgilityPack", "HttpClient", "IdentityFilePath", "ImageSharp", "MshCommandRuntime",
        "MyTools", "NuGet", "OpenSSH", "PowerShell", "ProxyCommand", "ProxyJump", "ReadyToRun", "ServerAliveCountMax",
        "ServerAliveInterval", "SixLabors", "SocketsHttpHandler", "SshTestLab", "TestHelpers", "TestServer",
        "UserKnownHostsFile", "WebP", "WinRM",
        // Invoke-RestMethod's verbose line prefixes and the seed example's request name.
        "WebRequest", "WebResponse", "ItemsBought", "MiB",
    };

    [Fact]
    public void Ids_are_unique_and_named_after_their_value()
    {
        Dictionary<string, string> ids = Ids();

        Assert.NotEmpty(ids);
        Assert.Empty(ids.GroupBy(id => id.Value, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));

        // Name = value keeps the grep below honest and makes an id easy to find from an error a user sees.
        Assert.Empty(ids.Where(id => id.Key != id.Value).Select(id => $"{id.Key} = \"{id.Value}\""));
    }

    [Fact]
    public void Every_id_the_help_documents_exists()
    {
        HashSet<string> ids = new(Ids().Values, StringComparer.Ordinal);
        HashSet<string> codeNames = CodeNames();
        var unknown = new List<string>();
        foreach (string file in HelpFiles())
        {
            foreach (Match match in DocumentedWord.Matches(File.ReadAllText(file)))
            {
                string word = match.Groups[1].Value;
                if (!ids.Contains(word) && !codeNames.Contains(word) && !OtherWords.Contains(word))
                {
                    unknown.Add($"{Path.GetFileName(file)}: {word}");
                }
            }
        }

        // A word listed here is either an id missing from ErrorIds, or an ordinary word to add to OtherWords.
        Assert.True(unknown.Count == 0, "Not error ids, nor names the code knows: " + string.Join(", ", unknown.Distinct()));
    }

    [Fact]
    public void The_help_names_ids_this_test_can_see()
    {
        // Guards the test above against a regex that stopped matching: these ids are documented today.
        string text = string.Concat(HelpFiles().Select(File.ReadAllText));
        HashSet<string> words = new(DocumentedWord.Matches(text).Select(m => m.Groups[1].Value), StringComparer.Ordinal);
        Assert.Subset(words, new HashSet<string> { ErrorIds.ItemTimedOut, ErrorIds.RunTimedOut, ErrorIds.MaxFailuresExceeded, ErrorIds.AllHostsLost, ErrorIds.WebDnsFailure, ErrorIds.ImageInvalid });
    }

    [Fact]
    public void Every_id_is_raised_somewhere()
    {
        // Read as text: ErrorIds.X, or still a literal "X" where a file has not moved to the constant yet.
        string[] sources = Directory.GetFiles(Path.Combine(RepoRoot(), "src", "ParallelJobs"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) != "ErrorIds.cs")
            .Select(File.ReadAllText)
            .ToArray();

        string[] unused = Ids().Values.Where(id => !sources.Any(s => s.Contains("ErrorIds." + id, StringComparison.Ordinal) || s.Contains($"\"{id}\"", StringComparison.Ordinal))).ToArray();
        Assert.True(unused.Length == 0, "Never raised: " + string.Join(", ", unused));
    }

    private static Dictionary<string, string> Ids() => typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    /// <summary>
    /// Names the help may mention that are not ids: the module's types and their members (parameters, output
    /// properties, enum values), and the members of the PowerShell types its cmdlets derive from.
    /// </summary>
    private static HashSet<string> CodeNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        foreach (Type type in typeof(ErrorIds).Assembly.GetTypes().Append(typeof(PSCmdlet)).Append(typeof(ErrorRecord)))
        {
            names.Add(type.Name.Split('`')[0]);
            names.UnionWith((type.Namespace ?? string.Empty).Split('.'));
            if (type == typeof(ErrorIds))
            {
                continue;
            }

            foreach (MemberInfo member in type.GetMembers(all))
            {
                names.Add(member.Name);
            }
        }

        // A cmdlet's noun (ParallelJob in Invoke-ParallelJob) is covered by the Verb-Noun rule of the regex.
        return names;
    }

    private static IEnumerable<string> HelpFiles()
    {
        string root = RepoRoot();
        return Directory.GetFiles(Path.Combine(root, "module", "help"), "*.psd1")
            .Append(Path.Combine(root, "module", "about_ParallelJobs.help.txt"))
            .Append(Path.Combine(root, "README.md"));
    }

    private static string RepoRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
}
