using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// Generated hostile input (huge strings, lone surrogates, NUL, SQL and JSON metacharacters, confusable
/// Unicode) is either handled as documented or refused with a documented exception: never another
/// exception, a hang, or a partial write.
/// </summary>
[NonParallelizable]
public sealed partial class BadInputPropertyTests
{
    private const string Hostile = "aZ09@.+-_ '\";\\/{}[]:,\0\t\n\u00e9\u0301\u0430\u0435\u043e\u200b\u200d\u202e\ufeff\ud800\udc00\ud83d\ude00\u5c71%*=<>()";
    private static int _tried;

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char[Hostile], 0, 40],
        Gen.String[Gen.Char, 0, 40],
        Gen.OneOfConst("' OR 1=1 --", "\"}],\"email\":\"x@y.zz", "a@b.cc'); DROP TABLE users; --", "\u0430lice@example.com", "alice@example.com\0", "+44 20 7946 0958", "0044(0)2079460958", "1m", "30d", string.Empty),
        Gen.Int[100_000, 300_000].Select(n => new string('q', n)));

    private static readonly Gen<string> Key = Gen.OneOf(Gen.OneOfConst("email", "phone", "login", "custom", "name", "email"), Text);

    private static readonly Gen<string> Value = Gen.Frequency(
        (6, Text.Select(Literal)),
        (1, Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOfConst("null", "true", "[]", "{}", "[1,\"a\",null]", "{\"nested\":{\"deep\":[{}]}}", "1e308", "-0")));

    private static readonly Gen<string> Profile = Gen.Select(Key, Value).Array[0, 6]
        .Select(members => "{" + string.Join(",", members.Select(m => Literal(m.Item1) + ":" + m.Item2)) + "}");

    [SetUp]
    public void Reset() => _tried = 0;

    [Test]
    public async Task Profiles_CreatedAndReadBackOrRefused()
    {
        await using var host = await VaultHost.StartAsync(o => o.AuditReads = false);
        await Gen.OneOf(Profile, Value).SampleAsync(async json =>
        {
            Interlocked.Increment(ref _tried);
            var profile = JsonSerializer.Deserialize<JsonElement>(json);
            var before = Counts(host);
            var outcome = await Documented(() => host.Vault.CreatePersonAsync(profile));
            if (outcome.Error is null)
            {
                var user = await host.Vault.GetPersonAsync(PersonLookup.ByToken(outcome.Value)).WaitAsync(TimeSpan.FromSeconds(30));
                SameJson(user!.Profile, profile).Should().BeTrue();
            }
            else
            {
                Counts(host).Should().Be(before, "a refused profile writes nothing");
            }
        }, iter: 1500, threads: 1, print: Shorten);
        Report("profiles");
    }

    [Test]
    public async Task Lookups_FindOrNullOrRefused()
    {
        await using var host = await VaultHost.StartAsync(o => o.AuditReads = false);
        await host.Vault.CreatePersonAsync(Json(new { email = "alice@example.com", phone = "+442079460958", login = "alice", custom = "c" }));
        await Gen.Select(Gen.Int[0, 5], Text).SampleAsync(async (mode, value) =>
        {
            Interlocked.Increment(ref _tried);
            var lookup = mode switch
            {
                0 => PersonLookup.ByEmail(value),
                1 => PersonLookup.ByPhone(value),
                2 => PersonLookup.ByLogin(value),
                3 => PersonLookup.ByCustom(value),
                4 => PersonLookup.ByToken(Guid.NewGuid()),
                _ => default,
            };
            var outcome = await Documented(() => host.Vault.GetPersonAsync(lookup));
            if (outcome.Value is { } user)
            {
                user.Profile.GetProperty("login").GetString().Should().Be("alice");
            }
        }, iter: 3000, threads: 1, print: Shorten);
        Report("lookups");
    }

    [Test]
    public async Task Patches_AppliedOrRefusedWithProfileUnchanged()
    {
        await using var host = await VaultHost.StartAsync(o => o.AuditReads = false);
        await host.Vault.CreatePersonAsync(Json(new { email = "taken@example.com" }));
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "mine@example.com", name = "Me" }));
        await Gen.OneOf(Profile, Value).SampleAsync(async json =>
        {
            Interlocked.Increment(ref _tried);
            var patch = JsonSerializer.Deserialize<JsonElement>(json);
            var before = (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile;
            var outcome = await Documented(() => host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), patch));
            var after = (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile;
            if (outcome.Error is not null)
            {
                SameJson(after, before).Should().BeTrue("a refused patch changes nothing");
            }
            else
            {
                outcome.Value.Should().BeTrue();
                foreach (var member in patch.EnumerateObject().Where(m => m.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Object)))
                {
                    SameJson(after.GetProperty(member.Name), member.Value).Should().BeTrue();
                }
            }
        }, iter: 1500, threads: 1, print: Shorten);
        Report("patches");
    }

    [Test]
    public async Task TokenValues_RoundTripOrRefusedWithNothingStored()
    {
        await using var host = await VaultHost.StartAsync();
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var options = Gen.Select(Gen.Int[0, 3], Gen.Int[1, 2], Gen.Bool).Select((format, kind, last4) =>
            new TokenizeOptions { Format = (TokenFormat)format, Kind = (TokenKind)kind, KeepLastFour = last4 });
        await Gen.Select(Text, options).SampleAsync(async (value, option) =>
        {
            Interlocked.Increment(ref _tried);
            var before = Counts(host);
            var outcome = await Documented(() => tokenizer.TokenizeAsync(value, option));
            if (outcome.Error is null)
            {
                (await tokenizer.DetokenizeAsync(outcome.Value!)).Should().Be(value);
            }
            else
            {
                Counts(host).Should().Be(before, "a refused value stores nothing");
            }
        }, iter: 3000, threads: 1, print: Shorten);
        Report("token values");
    }

    [Test]
    public void Shorthands_AcceptedOnlyInTheDocumentedForm()
    {
        var edges = Gen.Select(Gen.Long[0, 99_999_999_999], Gen.OneOfConst("s", "min", "h", "d", "w", "W", "D", "m", string.Empty))
            .Select((n, unit) => n.ToString(CultureInfo.InvariantCulture) + unit);
        Gen.OneOf(Gen.String[Gen.Char["0123456789 smhdwinSMHDWIN+-.\u0663"], 0, 12], Text, edges).Sample(text =>
        {
            Interlocked.Increment(ref _tried);
            try
            {
                var time = ExpirationTime.Parse(text);
                time.After.Should().BePositive();
                (DocumentedShorthand().IsMatch(text) && Representable(text)).Should().BeTrue($"'{text}' was accepted");
            }
            catch (VaultInputException)
            {
                (DocumentedShorthand().IsMatch(text) && Representable(text)).Should().BeFalse($"'{text}' was refused");
            }
        }, iter: 20_000, threads: 1, print: Shorten);
        Report("shorthands");
    }

    [GeneratedRegex(@"^\s*[0-9]+(s|min|h|d|w)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DocumentedShorthand();

    /// <summary>The oracle's own arithmetic: 1 to 999,999,999 units that fit in a <see cref="TimeSpan"/>.</summary>
    private static bool Representable(string text)
    {
        var trimmed = text.Trim();
        var digits = new string(trimmed.TakeWhile(char.IsAsciiDigit).ToArray());
        var unit = trimmed[digits.Length..].ToUpperInvariant();
        var seconds = unit switch { "S" => 1m, "MIN" => 60m, "H" => 3600m, "D" => 86400m, _ => 604800m };
        return digits.Length <= 9
            && decimal.Parse(digits, CultureInfo.InvariantCulture) is var count and >= 1
            && count * seconds <= (decimal)TimeSpan.MaxValue.TotalSeconds;
    }

    private static async Task<(T? Value, Exception? Error)> Documented<T>(Func<Task<T>> call)
    {
        try
        {
            return (await call().WaitAsync(TimeSpan.FromSeconds(30)), null);
        }
        catch (Exception ex) when (ex is VaultInputException or DuplicateIndexException)
        {
            return (default, ex);
        }
    }

    private static (long, long, long, long) Counts(VaultHost host) => (
        Scalar<long>(host.Database, "SELECT COUNT(*) FROM users"),
        Scalar<long>(host.Database, "SELECT COUNT(*) FROM data_keys"),
        Scalar<long>(host.Database, "SELECT COUNT(*) FROM user_indexes"),
        Scalar<long>(host.Database, "SELECT COUNT(*) FROM tokens"));

    private static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or (>= '\ud800' and <= '\udfff') => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    private static string Shorten<T>(T value) => value?.ToString() is { Length: > 200 } s ? s[..200] + "..." : value?.ToString() ?? "null";

    private static void Report(string what) => TestContext.Out.WriteLine($"bad-input suite: {_tried} generated {what} tried");
}
