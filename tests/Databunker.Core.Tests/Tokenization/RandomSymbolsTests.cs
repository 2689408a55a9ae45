using Databunker.Core.Tokenization;

namespace Databunker.Core.Tests.Tokenization;

public sealed class RandomSymbolsTests
{
    [TestCase(10)]
    [TestCase(26)]
    public void Next_ManyDraws_EverySymbolAboutEquallyOften(int range)
    {
        const int Draws = 200_000;
        var counts = new int[range];
        var random = new RandomSymbols(stackalloc byte[64]);
        for (var i = 0; i < Draws; i++)
        {
            counts[random.Next(range)]++;
        }

        // Each count is binomial: 5% off the expectation is more than 7 standard deviations for both ranges.
        var expected = (double)Draws / range;
        counts.Should().OnlyContain(c => Math.Abs(c - expected) < expected * 0.05);

        // A modulo bias (no rejection) would lift the symbols below 256 % range by about 780 draws each over the
        // others; uniform draws keep the two groups' means within about 90 (range 10) or 50 (range 26) of each other.
        var favoured = 256 % range;
        var gap = counts[..favoured].Average() - counts[favoured..].Average();
        Math.Abs(gap).Should().BeLessThan(400, "no symbol is favoured by a modulo bias");
    }
}
