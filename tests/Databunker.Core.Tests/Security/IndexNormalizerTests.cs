using System.Globalization;
using System.Text;
using Databunker.Core.Kernel;
using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// Defect 9: characters that render as nothing (Unicode's Default_Ignorable_Code_Point, the Hangul fillers among them)
/// must not make a second person out of one email or login. Real SQLite vault; the table is checked against Unicode's file.
/// </summary>
public sealed class IndexNormalizerTests
{
    private const string UnicodeFile = "/usr/share/unicode/DerivedCoreProperties.txt";
    private VaultHost _host = null!;

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync();

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    // The four the security review found, then a sample of the rest: soft hyphen, Mongolian vowel separator,
    // zero-width space, word joiner, a variation selector, and a tag character (outside the BMP).
    [TestCase(0x034F)]
    [TestCase(0x115F)]
    [TestCase(0x3164)]
    [TestCase(0xFFA0)]
    [TestCase(0x1160)]
    [TestCase(0x00AD)]
    [TestCase(0x180E)]
    [TestCase(0x200B)]
    [TestCase(0x2060)]
    [TestCase(0xFE00)]
    [TestCase(0xE0001)]
    public async Task CreateUserAsync_DefaultIgnorableInLoginOrEmail_IsRefused(int codePoint)
    {
        var invisible = char.ConvertFromUtf32(codePoint);
        await _host.Vault.CreatePersonAsync(Json(new { login = "alice", email = "bob@example.com" }));

        var login = () => _host.Vault.CreatePersonAsync(Json(new { login = "alice" + invisible }));
        var email = () => _host.Vault.CreatePersonAsync(Json(new { email = "bob" + invisible + "@example.com" }));
        var lookup = () => _host.Vault.GetPersonAsync(PersonLookup.ByLogin("ali" + invisible + "ce"));

        (await login.Should().ThrowAsync<VaultInputException>()).Which.Field.Should().Be("login");
        (await email.Should().ThrowAsync<VaultInputException>()).Which.Field.Should().Be("email");
        await lookup.Should().ThrowAsync<VaultInputException>();
    }

    [TestCase("Jürgen", "jürgen@bücher.de")]
    [TestCase("Ægir Þórsson", "aegir@example.is")]
    [TestCase("Андрей", "андрей@пример.рф")]
    [TestCase("김민준", "minjun@example.kr")]
    [TestCase("たなか", "tanaka@example.jp")]
    [TestCase("محمد", "mohammed@example.com")]
    [TestCase("देवनागरी", "dev@example.in")]
    [TestCase("o'brien-smith", "o.brien+tag@example.com")]
    public async Task CreateUserAsync_OrdinaryTextInAnyScript_IsAccepted(string login, string email)
    {
        var token = await _host.Vault.CreatePersonAsync(Json(new { login, email }));

        (await _host.Vault.GetPersonAsync(PersonLookup.ByLogin(login)))!.Token.Should().Be(token);
        (await _host.Vault.GetPersonAsync(PersonLookup.ByEmail(email)))!.Token.Should().Be(token);
    }

    [Test]
    public void DefaultIgnorable_Table_MatchesUnicodesDerivedCoreProperties()
    {
        if (!File.Exists(UnicodeFile))
        {
            Assert.Ignore($"{UnicodeFile} is not installed (Debian: apt-get install unicode-data); the table is checked where it is.");
        }

        var lines = File.ReadAllLines(UnicodeFile);
        lines[0].Should().Be($"# DerivedCoreProperties-{DefaultIgnorable.UnicodeVersion}.txt",
            "the table names the version it was generated from; regenerate it when the installed data is newer");
        var expected = new List<(int First, int Last)>();
        foreach (var line in lines)
        {
            var fields = line.Split('#')[0].Split(';', StringSplitOptions.TrimEntries);
            if (fields.Length < 2 || fields[1] != "Default_Ignorable_Code_Point")
            {
                continue;
            }

            var bounds = fields[0].Split("..");
            var first = int.Parse(bounds[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var last = bounds.Length > 1 ? int.Parse(bounds[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : first;
            if (expected.Count > 0 && expected[^1].Last + 1 == first)
            {
                expected[^1] = (expected[^1].First, last);
            }
            else
            {
                expected.Add((first, last));
            }
        }

        DefaultIgnorable.Ranges.Should().Equal(expected);
        for (var codePoint = 0; codePoint <= 0x10FFFF; codePoint++)
        {
            var inFile = expected.Exists(r => codePoint >= r.First && codePoint <= r.Last);
            if (DefaultIgnorable.Contains(codePoint) != inFile)
            {
                Assert.Fail($"U+{codePoint:X4}: the lookup says {!inFile}, Unicode says {inFile}.");
            }
        }
    }

    [Test]
    public void DefaultIgnorable_HangulFillers_AreIncluded()
    {
        foreach (var filler in new[] { 0x115F, 0x1160, 0x3164, 0xFFA0 })
        {
            DefaultIgnorable.Contains(filler).Should().BeTrue($"U+{filler:X4} is a Hangul filler that renders as nothing");
        }

        DefaultIgnorable.Contains(new Rune('a').Value).Should().BeFalse();
    }
}
