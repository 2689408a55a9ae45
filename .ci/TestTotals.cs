// Prints the test totals of a run from NUnit's own result files (dotnet test ... -- NUnit.TestOutputXml=DIR):
// per category, which NUnit records on each fixture and test (the store a fixture ran against: sqlite or
// postgresql; the slow suites), then the last line, "N passed, N failed", that CI reads. No names are parsed.
//   dotnet run .ci/TestTotals.cs -- TestResults/nunit
using System.Xml.Linq;

var folder = args.Length > 0 ? args[0] : "TestResults/nunit";
var categories = new SortedDictionary<string, (int Passed, int NotPassed)>(StringComparer.Ordinal);
int passed = 0, failed = 0;
var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.xml", SearchOption.AllDirectories).ToList() : [];
foreach (var file in files)
{
    foreach (var test in XDocument.Load(file).Descendants("test-case"))
    {
        var result = (string?)test.Attribute("result");
        var ok = result == "Passed";
        passed += ok ? 1 : 0;
        failed += result == "Failed" ? 1 : 0;
        var names = test.AncestorsAndSelf()
            .SelectMany(e => e.Elements("properties").Elements("property"))
            .Where(p => (string?)p.Attribute("name") == "Category")
            .Select(p => (string)p.Attribute("value")!)
            .Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var (p, n) = categories.GetValueOrDefault(name);
            categories[name] = ok ? (p + 1, n) : (p, n + 1);
        }
    }
}

foreach (var (name, (p, n)) in categories)
{
    Console.WriteLine($"category {name}: {p} passed, {n} not passed");
}

Console.WriteLine($"{passed} passed, {failed} failed");
