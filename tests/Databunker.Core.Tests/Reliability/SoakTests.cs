using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Databunker.Core.Expiration;
using Databunker.Core.Sessions;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// Mixed load for <c>DATABUNKER_SOAK_MINUTES</c> per provider against an in-memory model (reported as skipped when the
/// variable is not set, so that the default test run stays short; <c>.ci/run</c> sets 1.5): creates,
/// reads, merge-patch updates, forgets, tokens, sessions, expirations falling due on a clock the test advances,
/// retain and delete links, due-work passes. Every read is compared as it happens, and at the end the whole vault
/// is compared to the model and the audit chain verified. Divergences must be 0.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
[Category(TestCategories.Soak)]
[NonParallelizable]
public sealed partial class SoakTests(string store)
{
    private static readonly (string Name, int Weight)[] Mix =
    [
        ("create", 14), ("read", 20), ("update", 12), ("forget", 3), ("tokenize", 10), ("detokenize", 10),
        ("session", 5), ("session read", 5), ("expiration", 6), ("status", 4), ("cancel", 2), ("retain link", 2),
        ("delete link", 1), ("advance clock", 4), ("due pass", 2),
    ];

    private readonly Random _random = new(20261206);
    private readonly SoakModel _model = new();
    private readonly Dictionary<string, int> _done = [];
    private readonly List<string> _divergences = [];
    private VaultHost _host = null!;
    private int _next;

    private static double? Minutes =>
        double.TryParse(Environment.GetEnvironmentVariable("DATABUNKER_SOAK_MINUTES"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : null;

    private ITokenizer Tokens => _host.Services.GetRequiredService<ITokenizer>();

    private ISessionManager Sessions => _host.Services.GetRequiredService<ISessionManager>();

    [Test]
    public async Task MixedLoad_VaultEqualsTheModel_AndTheAuditChainVerifies()
    {
        if (Minutes is not { } minutes)
        {
            Assert.Ignore("The soak runs for DATABUNKER_SOAK_MINUTES minutes per provider; the variable is not set (.ci/run sets 1.5).");
            return;
        }

        await using var host = _host = await VaultHost.StartAsync(store: TestStore.Named(store));
        var started = TimeProvider.System.GetTimestamp();
        var total = Mix.Sum(m => m.Weight);
        while (TimeProvider.System.GetElapsedTime(started).TotalMinutes < minutes)
        {
            var pick = _random.Next(total);
            var (name, _) = Mix.First(m => (pick -= m.Weight) < 0);
            if (await RunAsync(name))
            {
                _done[name] = _done.GetValueOrDefault(name) + 1;
            }
        }

        var compared = await CompareWholeVaultAsync();
        var verification = await _host.Administration.VerifyAuditTrailAsync();
        Check(verification.IsIntact, "the audit chain verifies");
        var operations = _done.Values.Sum();
        TestContext.Out.WriteLine(
            $"soak ({store}, {minutes} min): {operations} operations ({string.Join(", ", _done.OrderByDescending(d => d.Value).Select(d => $"{d.Value} {d.Key}"))}); " +
            $"{_model.Live.Count} persons live and {_model.Forgotten.Count} forgotten at the end, {compared} values compared, {_divergences.Count} divergences");
        _divergences.Should().BeEmpty();
        operations.Should().BeGreaterThan(0);
    }

    /// <summary>Runs one operation of the kind; false when the model had nothing to run it on.</summary>
    private async Task<bool> RunAsync(string name)
    {
        var person = _model.LiveTokens.Count == 0 ? null : _model.Live[_model.LiveTokens[_random.Next(_model.LiveTokens.Count)]];
        if (person is null && name is not ("create" or "advance clock" or "due pass"))
        {
            return false;
        }

        switch (name)
        {
            case "create":
                var n = _next++;
                var profile = Json(new { email = $"soak{n}@soak.example", name = $"Soak {n}", visits = 0, address = new { city = "Tynemouth" } });
                _model.Add(await _host.Vault.CreatePersonAsync(profile), profile);
                return true;
            case "read":
                var lookup = _random.Next(2) == 0 ? PersonLookup.ByToken(person!.Token) : PersonLookup.ByEmail(person!.Email);
                var read = await _host.Vault.GetPersonAsync(lookup);
                Check(read is not null && read.Token == person.Token && SameJson(read.Profile, AsJson(person.Profile)), $"read of {person.Token}");
                return true;
            case "update":
                var patch = Patch();
                Check(await _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(person!.Token), AsJson(patch)), $"update of {person.Token}");
                SoakModel.MergePatch(person.Profile, patch);
                return true;
            case "forget":
                Check(await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person!.Token)), $"forget of {person.Token}");
                _model.Forget(person.Token);
                return true;
            default:
                return await RunMoreAsync(name, person);
        }
    }

    private void Check(bool ok, string what)
    {
        if (!ok)
        {
            _divergences.Add(what);
            TestContext.Out.WriteLine($"divergence: {what}");
        }
    }
}
