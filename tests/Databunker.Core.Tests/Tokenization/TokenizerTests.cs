using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Tokenization;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class TokenizerTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private static readonly TokenizeOptions Card = new() { Format = TokenFormat.CardNumber };
    private static readonly TokenizeOptions Preserving = new() { Format = TokenFormat.FormatPreserving };

    private VaultHost _host = null!;

    private ITokenizer Tokenizer => _host.Services.GetRequiredService<ITokenizer>();

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync(store: _store);

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [TestCase("4921 8170 0412 3456", false)]
    [TestCase("4921-8170-0412-3456", true)]
    [TestCase("4921817004123456", true)]
    [TestCase("378282246310005", false)]
    public async Task Tokenize_CardNumber_KeepsShapeIsLuhnValidAndDiffers(string card, bool keepLastFour)
    {
        for (var i = 0; i < 200; i++)
        {
            var token = await Tokenizer.TokenizeAsync(card, Card with { KeepLastFour = keepLastFour });

            AssertSameShape(card, token, keepLastFour);
            FormatPreservingTokens.IsLuhnValid(token).Should().BeTrue();
            (await Tokenizer.DetokenizeAsync(token)).Should().Be(card);
        }
    }

    [TestCase("GB29 NWBK 6016 1331 9268 19", false)]
    [TestCase("DE89370400440532013000", true)]
    [TestCase("+44 (20) 7946-0958", false)]
    [TestCase("+44 (20) 7946-0958", true)]
    [TestCase("AB 12 34 56 C", false)]
    [TestCase("ref: x9-Y8-z7-W6", true)]
    public async Task Tokenize_FormatPreserving_KeepsLengthSeparatorsAndClasses(string value, bool keepLastFour)
    {
        for (var i = 0; i < 200; i++)
        {
            var token = await Tokenizer.TokenizeAsync(value, Preserving with { KeepLastFour = keepLastFour });

            AssertSameShape(value, token, keepLastFour);
            (await Tokenizer.DetokenizeAsync(token)).Should().Be(value);
        }
    }

    [Test]
    public async Task Tokenize_Opaque_IsUrlSafeAndRandomEachCall()
    {
        var first = await Tokenizer.TokenizeAsync("AB123456C");
        var second = await Tokenizer.TokenizeAsync("AB123456C");

        first.Should().MatchRegex("^[A-Za-z0-9_-]{24}$").And.NotBe(second);
        (await Tokenizer.DetokenizeAsync(first)).Should().Be("AB123456C");
        (await Tokenizer.DetokenizeAsync(second)).Should().Be("AB123456C");
    }

    [Test]
    public async Task Tokenize_Deterministic_SameInScopeSurvivesRestartDiffersAcrossScopes()
    {
        var orders = new TokenizeOptions { Kind = TokenKind.Deterministic, Scope = "orders" };
        var support = orders with { Scope = "support" };
        var card = orders with { Format = TokenFormat.CardNumber, KeepLastFour = true };
        var a = await Tokenizer.TokenizeAsync("AB123456C", orders);
        var b = await Tokenizer.TokenizeAsync("AB123456C", support);
        var c = await Tokenizer.TokenizeAsync("4921 8170 0412 3456", card);
        var batch = await Tokenizer.TokenizeManyAsync(["AB123456C", "ZZ999999Z", "ZZ999999Z"], orders);
        var path = _host.Database;
        var key = _host.MasterKey;
        await _host.DisposeAsync();

        _host = await VaultHost.StartAsync(database: path, masterKey: key, store: _store);

        a.Should().NotBe(b);
        batch[0].Should().Be(a);
        batch[1].Should().Be(batch[2]);
        (await Tokenizer.TokenizeAsync("AB123456C", orders)).Should().Be(a);
        (await Tokenizer.TokenizeAsync("AB123456C", support)).Should().Be(b);
        (await Tokenizer.TokenizeAsync("4921 8170 0412 3456", card)).Should().Be(c);
        (await Tokenizer.TokenizeAsync("AB123456C")).Should().NotBe(a, "random tokens are new each call");
        (await Tokenizer.DetokenizeAsync(a)).Should().Be("AB123456C");
    }

    [Test]
    public async Task Tokenize_DeterministicConcurrently_GivesOneToken()
    {
        var options = new TokenizeOptions { Kind = TokenKind.Deterministic };

        var tokens = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Tokenizer.TokenizeAsync("same value", options))));

        tokens.Distinct().Should().ContainSingle();
    }

    [Test]
    public async Task ForgetOwner_TheirTokensDetokenizeToNotFound()
    {
        var person = await _host.Vault.CreatePersonAsync(Json(new { login = "owner" }));
        var other = await _host.Vault.CreatePersonAsync(Json(new { login = "other" }));
        var theirs = await Tokenizer.TokenizeManyAsync(["4921 8170 0412 3456", "AB123456C"], new TokenizeOptions { Person = person });
        var kept = await Tokenizer.TokenizeAsync("AB123456C", new TokenizeOptions { Person = other });

        await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person));

        (await Tokenizer.DetokenizeManyAsync(theirs)).Should().Equal(null, null);
        (await Tokenizer.DetokenizeAsync(kept)).Should().Be("AB123456C");
        _host.Scalar<long>("SELECT COUNT(*) FROM tokens WHERE owner = @o", new { o = person.ToByteArray() }).Should().Be(0);
    }

    [Test]
    public async Task Tokenize_UnknownOwner_RefusedAndNothingStored()
    {
        var act = () => Tokenizer.TokenizeAsync("AB123456C", new TokenizeOptions { Person = Guid.NewGuid() });

        await act.Should().ThrowAsync<PersonNotFoundException>();
        _host.Scalar<long>("SELECT COUNT(*) FROM tokens").Should().Be(0);
    }

    [Test]
    public async Task ExpiredTokens_DetokenizeToNotFound_AndThePassRemovesThem()
    {
        var shortLived = await Tokenizer.TokenizeManyAsync(["one", "two", "three"], new TokenizeOptions { Expires = ExpirationTime.Parse("1h") });
        var longLived = await Tokenizer.TokenizeAsync("four", new TokenizeOptions { Expires = TimeSpan.FromDays(10) });
        var forever = await Tokenizer.TokenizeAsync("five");

        _host.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        (await Tokenizer.DetokenizeAsync(shortLived[0])).Should().Be("one");
        _host.Time.Advance(TimeSpan.FromMilliseconds(1));

        (await Tokenizer.DetokenizeManyAsync(shortLived)).Should().Equal(null, null, null);
        _host.Scalar<long>("SELECT COUNT(*) FROM tokens").Should().Be(5, "expired tokens wait for the pass");
        (await Tokenizer.DeleteExpiredTokensAsync()).Should().Be(3);
        _host.Scalar<long>("SELECT COUNT(*) FROM tokens").Should().Be(2);
        (await Tokenizer.DetokenizeManyAsync([longLived, forever])).Should().Equal("four", "five");
    }

    [Test]
    public async Task DeleteTokenAsync_RemovesIt()
    {
        var token = await Tokenizer.TokenizeAsync("AB123456C");

        (await Tokenizer.DeleteTokenAsync(token)).Should().BeTrue();
        (await Tokenizer.DeleteTokenAsync(token)).Should().BeFalse();
        (await Tokenizer.DetokenizeAsync(token)).Should().BeNull();
    }

    [Test]
    public async Task Detokenize_IsAuditedWithoutTheValue()
    {
        var person = await _host.Vault.CreatePersonAsync(Json(new { login = "audited" }));
        var token = await Tokenizer.TokenizeAsync("4921 8170 0412 3456", new TokenizeOptions { Person = person });

        await Tokenizer.DetokenizeAsync(token);

        var events = await _host.Vault.GetAuditEventsAsync(person);
        events.Select(e => e.Operation).Should().Contain([AuditOperations.TokenTokenize, AuditOperations.TokenDetokenize]);
        events.Should().OnlyContain(e => e.Details == null || !e.Details.Contains("4921", StringComparison.Ordinal));
    }

    [Test]
    public async Task Detokenize_ValueMovedToAnotherTokenRow_ThrowsCryptoException()
    {
        var first = await Tokenizer.TokenizeAsync("value one");
        var second = await Tokenizer.TokenizeAsync("value two");
        _host.Sql("UPDATE tokens SET value = (SELECT value FROM tokens ORDER BY token_hash LIMIT 1)");

        var results = new List<Exception?>();
        foreach (var token in new[] { first, second })
        {
            results.Add(await Record.ExceptionAsync(() => Tokenizer.DetokenizeAsync(token)));
        }

        results.Should().ContainSingle(e => e is VaultCryptoException, "exactly one row now holds another token's value");
    }

    public static IEnumerable<TestCaseData> BadInput()
    {
        yield return new TestCaseData(string.Empty, new TokenizeOptions()).SetName("Tokenize_Empty_Refused");
        yield return new TestCaseData(new string('x', 16 * 1024 + 1), new TokenizeOptions()).SetName("Tokenize_OverMaxLength_Refused");
        yield return new TestCaseData("12345", Preserving).SetName("Tokenize_FiveDigitsPreserving_TooSmallDomain");
        yield return new TestCaseData("1234-5678", Preserving with { KeepLastFour = true }).SetName("Tokenize_EightDigitsKeepingFour_TooSmallDomain");
        yield return new TestCaseData("AB-12", Preserving).SetName("Tokenize_ShortCode_TooSmallDomain");
        yield return new TestCaseData("4921 8170 0412 3456", new TokenizeOptions { Format = (TokenFormat)99 }).SetName("Tokenize_UnknownFormat_Refused");
        yield return new TestCaseData("AB123456C", new TokenizeOptions { Kind = (TokenKind)0 }).SetName("Tokenize_UnknownKind_Refused");
        yield return new TestCaseData("4921x8170x0412x3456", Card).SetName("Tokenize_CardWithLetters_Refused");
        yield return new TestCaseData("12345678901", Card).SetName("Tokenize_CardTooShort_Refused");
        yield return new TestCaseData("Ünïcödé 12345678", Preserving).SetName("Tokenize_NonAsciiLettersPreserving_Refused");
        yield return new TestCaseData("AB123456C", new TokenizeOptions { KeepLastFour = true }).SetName("Tokenize_KeepLastFourOpaque_Refused");
        yield return new TestCaseData("AB123456C", new TokenizeOptions { Scope = string.Empty }).SetName("Tokenize_EmptyScope_Refused");
        yield return new TestCaseData("\ud800 lone", new TokenizeOptions()).SetName("Tokenize_LoneSurrogate_Refused");
        yield return new TestCaseData("AB123456C", new TokenizeOptions { Expires = TimeSpan.Zero }).SetName("Tokenize_ZeroExpiry_Refused");
    }

    [TestCaseSource(nameof(BadInput))]
    public async Task Refused(string value, TokenizeOptions options)
    {
        var single = () => Tokenizer.TokenizeAsync(value, options);
        var batch = () => Tokenizer.TokenizeManyAsync(["fine value 1234567", value], options with { Format = options.Format, KeepLastFour = options.KeepLastFour });

        await single.Should().ThrowAsync<VaultInputException>();
        await batch.Should().ThrowAsync<VaultInputException>();
        _host.Scalar<long>("SELECT COUNT(*) FROM tokens").Should().Be(0);
    }

    private static void AssertSameShape(string value, string token, bool keepLastFour)
    {
        token.Should().HaveLength(value.Length).And.NotBe(value);
        var alnumSeen = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var v = value[i];
            var t = token[i];
            if (char.IsAsciiLetterOrDigit(v) && keepLastFour && alnumSeen++ < 4)
            {
                t.Should().Be(v, "the last four are kept");
            }
            else if (char.IsAsciiDigit(v))
            {
                char.IsAsciiDigit(t).Should().BeTrue();
            }
            else if (char.IsAsciiLetterUpper(v))
            {
                char.IsAsciiLetterUpper(t).Should().BeTrue();
            }
            else if (char.IsAsciiLetterLower(v))
            {
                char.IsAsciiLetterLower(t).Should().BeTrue();
            }
            else
            {
                t.Should().Be(v, "separators are kept");
            }
        }
    }

    private static class Record
    {
        public static async Task<Exception?> ExceptionAsync(Func<Task> action)
        {
            try
            {
                await action();
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }
    }
}
