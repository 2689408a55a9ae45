using Databunker.Core.Expiration;

namespace Databunker.Core.Tests.Expiration;

public sealed class ExpirationTimeTests
{
    public static IEnumerable<TestCaseData> Accepted()
    {
        yield return new TestCaseData("90s", TimeSpan.FromSeconds(90));
        yield return new TestCaseData("45min", TimeSpan.FromMinutes(45));
        yield return new TestCaseData("12h", TimeSpan.FromHours(12));
        yield return new TestCaseData("30d", TimeSpan.FromDays(30));
        yield return new TestCaseData("4w", TimeSpan.FromDays(28));
        yield return new TestCaseData(" 1S ", TimeSpan.FromSeconds(1));
        yield return new TestCaseData("2MIN", TimeSpan.FromMinutes(2));
        yield return new TestCaseData("007d", TimeSpan.FromDays(7));
        yield return new TestCaseData("999999999s", TimeSpan.FromSeconds(999_999_999));
    }

    [TestCaseSource(nameof(Accepted))]
    public void Parse_AcceptedForm_GivesTheDelay(string text, TimeSpan expected)
    {
        ExpirationTime.Parse(text).After.Should().Be(expected);
        ExpirationTime.TryParse(text, out var delay).Should().BeTrue();
        delay.Should().Be(expected);
    }

    [TestCase("1m", "ambiguous")]
    [TestCase("3M", "ambiguous")]
    [TestCase("30", "bare number")]
    [TestCase("", "whole number")]
    [TestCase("   ", "whole number")]
    [TestCase("d", "whole number")]
    [TestCase("-5d", "whole number")]
    [TestCase("+5d", "whole number")]
    [TestCase("1.5h", "Unknown unit")]
    [TestCase("5 d", "Unknown unit")]
    [TestCase("5days", "Unknown unit")]
    [TestCase("1y", "Unknown unit")]
    [TestCase("2mo", "Unknown unit")]
    [TestCase("10ms", "Unknown unit")]
    [TestCase("0d", "between 1")]
    [TestCase("1234567890s", "between 1")]
    [TestCase("999999999w", "too long")]
    [TestCase("٣d", "whole number")]
    public void Parse_RefusedForm_ThrowsSayingWhy(string text, string reason)
    {
        var act = () => ExpirationTime.Parse(text);

        act.Should().Throw<VaultInputException>().WithMessage($"*{reason}*");
        ExpirationTime.TryParse(text, out _).Should().BeFalse();
    }

    [Test]
    public void TryParse_Null_IsFalse() => ExpirationTime.TryParse(null, out _).Should().BeFalse();

    [Test]
    public void ImplicitConversions_KeepRelativeAndAbsolute()
    {
        ExpirationTime relative = TimeSpan.FromHours(1);
        ExpirationTime absolute = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        relative.After.Should().Be(TimeSpan.FromHours(1));
        relative.At.Should().BeNull();
        absolute.At.Should().Be(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        absolute.After.Should().BeNull();
    }
}
