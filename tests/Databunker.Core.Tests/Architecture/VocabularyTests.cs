using System.Text.RegularExpressions;

namespace Databunker.Core.Tests.Architecture;

/// <summary>
/// One word per concept (docs/glossary.md), held to the declared public API of every package (the PublicAPI files,
/// which the build keeps equal to the code): names, parameters and audit operation names.
/// </summary>
public sealed partial class VocabularyTests
{
    /// <summary>Words the glossary rejects, with the word it chose.</summary>
    private static readonly Dictionary<string, string> Rejected = new(StringComparer.Ordinal)
    {
        ["user"] = "person",
        ["users"] = "persons",
        ["subject"] = "person",
        ["subjects"] = "persons",
        ["owner"] = "person",
        ["owners"] = "persons",
        ["owned"] = "person's",
    };

    /// <summary>
    /// Names that keep a rejected word because they mean something else: an HTTP header, a GDPR Art. 30 field, a mail's
    /// subject line, and ASP.NET Core Identity's user (its type, whose users are persons in the vault).
    /// </summary>
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal) { "UserAgent", "userAgent", "SubjectCategories", "subjectCategories", "Subject", "DatabunkerUser", "userName" };

    [Test]
    public void PublicNames_UseTheGlossarysWords()
    {
        var offences = new List<string>();
        foreach (var (file, line) in DeclaredApi())
        {
            foreach (var identifier in Identifier().Matches(line).Select(m => m.Value).Where(i => !Allowed.Contains(i)).Distinct())
            {
                foreach (var word in Words(identifier).Where(Rejected.ContainsKey))
                {
                    offences.Add($"{file}: {identifier} says \"{word}\" (the glossary's word is \"{Rejected[word]}\")");
                }

                if (identifier.StartsWith("RemoveExpired", StringComparison.Ordinal))
                {
                    offences.Add($"{file}: {identifier} says \"remove\" (expired things are deleted: DeleteExpired...)");
                }
            }
        }

        offences.Should().BeEmpty();
    }

    [Test]
    public void OnlyStorageRoles_AreCalledStore_AndAuditOperationsSayPerson()
    {
        var api = DeclaredApi().Select(e => e.Line).ToList();
        var types = api.Select(l => l.Replace("[DBNK001]", string.Empty, StringComparison.Ordinal)).Where(l => !l.Contains(' ', StringComparison.Ordinal) && !l.Contains('(', StringComparison.Ordinal)).ToList();
        var stores = types.Where(t => t.EndsWith("Store", StringComparison.Ordinal)).ToList();
        stores.Should().NotBeEmpty("the check found the storage roles");
        stores.Should().OnlyContain(t => t.Contains(".Storage.I", StringComparison.Ordinal),
            "the glossary keeps \"store\" for the storage roles; a service is a manager, ledger, catalogue or tokenizer");

        var operations = api.Select(l => AuditOperation().Match(l)).Where(m => m.Success).Select(m => m.Groups["value"].Value).ToList();
        operations.Should().Contain("person.create").And.Contain("person.forget");
        operations.Should().NotContain(o => o.StartsWith("user.", StringComparison.Ordinal));
    }

    [Test]
    public void Glossary_ListsEachChosenWord()
    {
        var glossary = File.ReadAllText(Path.Combine(Support.Repository.Root(), "docs", "glossary.md"));

        foreach (var word in Rejected.Values.Distinct().Where(w => !w.EndsWith('s')).Append("forget").Append("manager").Append("store"))
        {
            glossary.Should().Contain($"| **{word}**", $"the glossary defines \"{word}\"");
        }
    }

    private static IEnumerable<(string File, string Line)> DeclaredApi()
    {
        var source = Path.Combine(Support.Repository.Root(), "src");
        var files = Directory.GetFiles(source, "PublicAPI.*.txt", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        files.Count.Should().BeGreaterThanOrEqualTo(10, "every package declares its API");
        return files.SelectMany(f => File.ReadLines(f).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => (Path.GetRelativePath(source, f), l)));
    }

    /// <summary>An identifier's words, lower case: <c>GetOwnedTokensAsync</c> is get, owned, tokens, async.</summary>
    private static IEnumerable<string> Words(string identifier) =>
        WordPart().Matches(identifier).Select(m => m.Value.ToLowerInvariant());

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")]
    private static partial Regex WordPart();

    [GeneratedRegex(@"^const Databunker\.Core\.AuditOperations\.\w+ = ""(?<value>[^""]+)""")]
    private static partial Regex AuditOperation();
}
