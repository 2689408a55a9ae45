// Checks what each package carries, as the package gallery and a debugger will see it (issue 17):
//   - README.md, whose links are all absolute (a relative link does not resolve outside the repository);
//   - the assembly and its XML docs, release notes and the repository's URL and commit in the .nuspec;
//   - in the symbols package, a portable PDB with Source Link to the repository at that commit, whose documents
//     all sit under the deterministic root /_/ (no absolute build path), and the same root in the DLL's PDB path.
//   dotnet run .ci/PackageCheck.cs -- artifacts/packages 0.1.0 Databunker.Core Databunker.Core.PostgreSql ...
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

var folder = args[0];
var version = args[1];
var failures = new List<string>();
var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
foreach (var name in args.Skip(2))
{
    void Fail(string why) => failures.Add($"{name}: {why}");
    using var package = ZipFile.OpenRead(Path.Combine(folder, $"{name}.{version}.nupkg"));
    string Read(ZipArchive zip, string entry)
    {
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    foreach (var wanted in new[] { "README.md", $"lib/net10.0/{name}.dll", $"lib/net10.0/{name}.xml", $"{name}.nuspec" })
    {
        if (package.GetEntry(wanted) is null)
        {
            Fail($"lacks {wanted}");
        }
    }

    if (package.GetEntry("README.md") is not null)
    {
        var readme = Read(package, "README.md");
        if (!readme.StartsWith($"# {name}", StringComparison.Ordinal))
        {
            Fail("README.md is not the package's own (it does not start with its name)");
        }

        foreach (Match link in Regex.Matches(readme, @"\]\(([^)]+)\)"))
        {
            if (!link.Groups[1].Value.StartsWith("https://", StringComparison.Ordinal))
            {
                Fail($"README.md links to {link.Groups[1].Value}, which does not resolve outside the repository");
            }
        }
    }

    var nuspec = XDocument.Parse(Read(package, $"{name}.nuspec"));
    var metadata = nuspec.Root!.Elements().First(e => e.Name.LocalName == "metadata");
    string? Meta(string element) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == element)?.Value;
    var repository = metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "repository");
    var repositoryUrl = (string?)repository?.Attribute("url");
    var commit = (string?)repository?.Attribute("commit");
    if (string.IsNullOrWhiteSpace(Meta("releaseNotes")))
    {
        Fail("has no release notes (its version's section of CHANGELOG.md)");
    }

    if (repositoryUrl is null || !repositoryUrl.StartsWith("https://", StringComparison.Ordinal) || commit is not { Length: 40 })
    {
        Fail($"names no repository URL and commit (url '{repositoryUrl}', commit '{commit}')");
    }

    // The DLL's debug directory: the PDB path it records must be under the deterministic root too.
    using (var dll = new MemoryStream())
    {
        using (var entry = package.GetEntry($"lib/net10.0/{name}.dll")!.Open())
        {
            entry.CopyTo(dll);
        }

        dll.Position = 0;
        using var pe = new PEReader(dll);
        foreach (var debug in pe.ReadDebugDirectory().Where(d => d.Type == DebugDirectoryEntryType.CodeView))
        {
            var path = pe.ReadCodeViewDebugDirectoryData(debug).Path;
            if (!path.StartsWith("/_/", StringComparison.Ordinal))
            {
                Fail($"the DLL records its PDB at the build path {path}");
            }
        }
    }

    using var symbols = ZipFile.OpenRead(Path.Combine(folder, $"{name}.{version}.snupkg"));
    using var pdb = new MemoryStream();
    using (var entry = symbols.GetEntry($"lib/net10.0/{name}.pdb")?.Open())
    {
        if (entry is null)
        {
            Fail("the symbols package has no PDB");
            continue;
        }

        entry.CopyTo(pdb);
    }

    pdb.Position = 0;
    using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
    var reader = provider.GetMetadataReader();
    var documents = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).ToList();
    var absolute = documents.Where(d => !d.StartsWith("/_/", StringComparison.Ordinal)).ToList();
    if (absolute.Count > 0)
    {
        Fail($"{absolute.Count} PDB document(s) under a build path, for example {absolute[0]}");
    }

    var sourceLink = reader.CustomDebugInformation
        .Select(reader.GetCustomDebugInformation)
        .Where(c => reader.GetGuid(c.Kind) == sourceLinkKind)
        .Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
        .FirstOrDefault();
    var expected = repositoryUrl is null ? null : repositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal) + $"/{commit}/*";
    if (sourceLink is null)
    {
        Fail("the PDB has no Source Link");
    }
    else if (expected is null || !sourceLink.Contains(expected, StringComparison.Ordinal))
    {
        Fail($"the PDB's Source Link does not map to {expected}: {sourceLink}");
    }
    else
    {
        Console.WriteLine($"{name} {version}: README, release notes, {documents.Count} PDB documents under /_/, Source Link to {expected}");
    }
}

foreach (var failure in failures)
{
    Console.Error.WriteLine(failure);
}

return failures.Count == 0 ? 0 : 1;
