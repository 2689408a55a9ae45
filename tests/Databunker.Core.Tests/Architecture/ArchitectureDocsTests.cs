using System.Globalization;
using System.Text.RegularExpressions;
using Databunker.Core.Storage;

namespace Databunker.Core.Tests.Architecture;

/// <summary>docs/architecture.md drawn from the code: its table of storage roles lists every role with its member count.</summary>
public sealed partial class ArchitectureDocsTests
{
    [Test]
    public void RoleTable_ListsEveryStorageRole_WithItsMemberCount()
    {
        var roles = typeof(IStorageRole).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && t != typeof(IStorageRole) && typeof(IStorageRole).IsAssignableFrom(t))
            .ToDictionary(t => t.Name, t => t.GetMethods().Count(m => !m.IsSpecialName) + t.GetProperties().Length);
        var document = File.ReadAllText(Path.Combine(Support.Repository.Root(), "docs", "architecture.md"));

        var table = RoleRow().Matches(document).ToDictionary(m => m.Groups["role"].Value, m => int.Parse(m.Groups["members"].Value, CultureInfo.InvariantCulture));

        roles.Should().HaveCountGreaterThanOrEqualTo(13, "the check found the roles");
        table.Should().BeEquivalentTo(roles, "the table names each role once with the number of its members, as the code has them");
        document.Should().Contain($"at most {roles.Values.Max()} members", "the text says how large the largest role is");
    }

    // A row of the role table: | `IPersonStore` | kernel (profiles) | 10 | what it holds |
    [GeneratedRegex(@"^\| `(?<role>I[A-Za-z]+Store)` \| [^|]+ \| (?<members>\d+) \|", RegexOptions.Multiline)]
    private static partial Regex RoleRow();
}
