using System.Text;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Tokenization;

/// <summary>100,000 values of each format: every token gives its value back, tokens are unique, and the
/// database file holds none of the values.</summary>
[Category(TestCategories.Slow)]
public sealed class TokenizerScaleTests
{
    private const int PerFormat = 100_000;
    private const int Batch = 10_000;

    public static IEnumerable<TestCaseData> Formats()
    {
        yield return new TestCaseData(TokenFormat.Opaque, "NID-", (Func<int, string>)(i => $"NID-{i:D8}-{(char)('A' + (i % 26))}")).SetName("Opaque");
        yield return new TestCaseData(TokenFormat.FormatPreserving, "GB29 NWBK ", (Func<int, string>)(i => $"GB29 NWBK 6016 {i:D8} 19")).SetName("FormatPreserving");
        yield return new TestCaseData(TokenFormat.CardNumber, "4921 ", (Func<int, string>)Card).SetName("CardNumber");
    }

    [TestCaseSource(nameof(Formats))]
    public async Task Tokenize100000_RoundTripsUniqueAndNothingOnDisk(TokenFormat format, string prefix, Func<int, string> make)
    {
        await using var host = await VaultHost.StartAsync();
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var values = Enumerable.Range(0, PerFormat).Select(make).ToList();
        values.Distinct().Should().HaveCount(PerFormat);

        var tokens = new List<string>(PerFormat);
        foreach (var chunk in values.Chunk(Batch))
        {
            tokens.AddRange(await tokenizer.TokenizeManyAsync(chunk, new TokenizeOptions { Format = format }));
        }

        var back = new List<string?>(PerFormat);
        foreach (var chunk in tokens.Chunk(Batch))
        {
            back.AddRange(await tokenizer.DetokenizeManyAsync(chunk));
        }

        back.Should().Equal(values);
        tokens.Distinct().Should().HaveCount(PerFormat);
        tokens.Zip(values).Count(p => p.First == p.Second).Should().Be(0);
        if (format == TokenFormat.CardNumber)
        {
            tokens.Count(t => !FormatPreservingTokens.IsLuhnValid(t)).Should().Be(0);
        }

        var onDisk = new HashSet<string>(values, StringComparer.Ordinal);
        var length = values[0].Length;
        FindValues(Encoding.ASCII.GetBytes("..." + values[42] + "..."), Encoding.ASCII.GetBytes(prefix), length, onDisk).Should().Be(1, "the scan sees a value that is there");
        foreach (var file in new[] { host.Database, host.Database + "-wal" }.Where(File.Exists))
        {
            FindValues(File.ReadAllBytes(file), Encoding.ASCII.GetBytes(prefix), length, onDisk).Should().Be(0, $"{Path.GetFileName(file)} holds no value in plaintext");
        }
    }

    private static int FindValues(byte[] file, byte[] prefix, int length, HashSet<string> values)
    {
        var found = 0;
        var span = file.AsSpan();
        for (var at = span.IndexOf(prefix); at >= 0;)
        {
            if (at + length <= span.Length && values.Contains(Encoding.ASCII.GetString(span.Slice(at, length))))
            {
                found++;
            }

            var next = span[(at + 1)..].IndexOf(prefix);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return found;
    }

    private static string Card(int i)
    {
        var digits = $"492181{i:D9}";
        var sum = 0;
        for (var k = 0; k < digits.Length; k++)
        {
            var d = digits[digits.Length - 1 - k] - '0';
            sum += k % 2 == 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
        }

        var check = (10 - (sum % 10)) % 10;
        var number = digits + check;
        return $"{number[..4]} {number[4..8]} {number[8..12]} {number[12..]}";
    }
}
