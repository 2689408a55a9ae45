using System.Security.Cryptography;
using Databunker.Core.Consent;
using Databunker.Core.Keys;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Privacy;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>
/// Several instances of a host on one PostgreSQL database: each a service provider of its own, with its
/// own connection pool, as two machines would be.
/// </summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
public sealed class MultiInstanceTests
{
    private static TestStore Store => TestStore.PostgreSql;

    [Test]
    public async Task SixteenParallelCreates_WithOneEmail_AcrossTwoInstances_OneSucceeds()
    {
        await using var first = await VaultHost.StartAsync(store: Store);
        await using var second = await VaultHost.StartAsync(database: first.Database, masterKey: first.MasterKey, store: Store);

        var outcomes = await StartTogether.RunAsync(16, async i =>
        {
            var host = i % 2 == 0 ? first : second;
            try
            {
                await host.Vault.CreatePersonAsync(Json(new { email = "Shared@Example.com", login = $"racer-{i}" }));
                return "created";
            }
            catch (DuplicateIndexException ex)
            {
                return ex.IndexName;
            }
        });

        outcomes.Count(o => o == "created").Should().Be(1);
        outcomes.Where(o => o != "created").Should().HaveCount(15).And.OnlyContain(o => o == "email");
        first.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(1);
        (await second.Vault.GetPersonAsync(PersonLookup.ByEmail("shared@example.com"))).Should().NotBeNull();
    }

    [Test]
    public async Task InstancesStartingTogether_AfterTheConsentChainUpgrade_LinkOnce_AndNoneReadsAnUnlinkedDecision()
    {
        Guid alice;
        (string Database, byte[] Key, DateTimeOffset Now) old;
        await using (var host = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), store: Store))
        {
            await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
            alice = await host.Vault.CreatePersonAsync(Json(new { email = "alice@example.com" }));
            foreach (var decision in new[] { ConsentDecision.Granted, ConsentDecision.Withdrawn, ConsentDecision.Granted, ConsentDecision.Withdrawn })
            {
                host.Time.Advance(TimeSpan.FromMinutes(1));
                await host.Services.GetRequiredService<IConsentLedger>().RecordAsync(alice, new ConsentRecord { Activity = "newsletter", Decision = decision });
            }

            // A vault from before the chain has no consent.link event: this one loses its own to an ordinary purge.
            host.Time.Advance(TimeSpan.FromDays(366));
            await host.Administration.PurgeAuditEventsAsync();
            old = (host.Database, host.MasterKey, host.Time.GetUtcNow());
        }

        ConsentSchema.Downgrade(Store, old.Database);

        // One instance applies the migration and links; the others wait for it in their start, then read linked decisions.
        var histories = await StartTogether.RunAsync(4, async _ =>
        {
            await using var host = await VaultHost.StartAsync(
                o => SampleCatalog.Declare(o.Privacy), database: old.Database, masterKey: old.Key, store: Store, time: new FakeTimeProvider(old.Now));
            return (await host.Services.GetRequiredService<IConsentLedger>().GetHistoryAsync(alice)).Count;
        });

        histories.Should().OnlyContain(n => n == 4);
        Store.Scalar<long>(old.Database, "SELECT COUNT(*) FROM audit_events WHERE operation = 'consent.link'").Should().Be(1);
    }

    [Test]
    public async Task RacingPatches_FromTwoInstances_AllApply()
    {
        await using var first = await VaultHost.StartAsync(store: Store);
        await using var second = await VaultHost.StartAsync(database: first.Database, masterKey: first.MasterKey, store: Store);
        var token = await first.Vault.CreatePersonAsync(Json(new { login = "patched" }));

        var updated = await StartTogether.RunAsync(20, i =>
            (i % 2 == 0 ? first : second).Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Parse($$"""{"field{{i}}": {{i}}}""")));
        updated.Should().OnlyContain(u => u);

        var profile = (await second.Vault.GetPersonAsync(PersonLookup.ByLogin("patched")))!.Profile;
        Enumerable.Range(0, 20).Select(i => profile.GetProperty($"field{i}").GetInt32()).Should().Equal(Enumerable.Range(0, 20), "no patch was lost");
    }

    [Test]
    public async Task TwoSchedulerPasses_Over5000DuePersons_ForgetEachExactlyOnce()
    {
        const int count = 5000;
        await using var first = await VaultHost.StartAsync(o => o.Expiration.BatchSize = 200, store: Store);
        await using var second = await VaultHost.StartAsync(o => o.Expiration.BatchSize = 200, database: first.Database, masterKey: first.MasterKey, time: first.Time, store: Store);
        var tokens = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(1000))
        {
            tokens.AddRange(await first.Vault.CreatePersonsAsync(chunk.Select(i => Json(new { login = $"due-{i}" }))));
        }

        await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (token, ct) =>
            await first.Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromHours(1), ct));
        first.Time.Advance(TimeSpan.FromHours(1));

        var results = await StartTogether.RunAsync(2, i => (i == 0 ? first : second).Expirations.RunDueAsync());

        results.Sum(r => r.Claimed).Should().Be(count, "no person is claimed by both passes");
        results.Sum(r => r.Deleted).Should().Be(count);
        results.Should().OnlyContain(r => r.Failed == 0 && r.Skipped == 0);
        results.Should().OnlyContain(r => r.Deleted > 0, "both passes took a share of the work");
        first.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(0);
        first.Scalar<long>("SELECT COUNT(*) FROM tombstones").Should().Be(count);
        first.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(count);
        first.Scalar<long>("SELECT COUNT(DISTINCT subject) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(count);
    }

    [Test]
    [Repeat(5)]
    public async Task TwoInstances_StartingAtOnce_MigrateOnceAndCreateTheSystemKeysOnce()
    {
        var database = Store.NewDatabase();
        var masterKey = RandomNumberGenerator.GetBytes(32);
        var hosts = await StartTogether.RunAsync(2, _ => VaultHost.StartAsync(database: database, masterKey: masterKey, store: Store));
        await using var first = hosts[0];
        await using var second = hosts[1];

        // Each instance makes the system keys it needs on first use: race that too.
        var tokens = await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<ITokenizer>().TokenizeAsync("IBAN-FIRST")),
            Task.Run(() => second.Services.GetRequiredService<ITokenizer>().TokenizeAsync("IBAN-SECOND")));
        var created = await first.Vault.CreatePersonAsync(Json(new { email = "both@example.com" }));

        first.Scalar<long>("SELECT COUNT(*) FROM schema_version").Should().Be(Databunker.Core.PostgreSql.PostgreSqlMigrator.LatestVersion, "each migration applied once");
        first.Scalar<long>("SELECT COUNT(*) FROM system_keys").Should().Be(5, "the blind-index, tokenization, integrity, audit-chain and token-seal@1 keys");
        (await second.Vault.GetPersonAsync(PersonLookup.ByEmail("both@example.com")))!.Token.Should().Be(created, "both instances use the same blind-index key");
        (await second.Services.GetRequiredService<ITokenizer>().DetokenizeAsync(tokens[0])).Should().Be("IBAN-FIRST");
        (await first.Services.GetRequiredService<ITokenizer>().DetokenizeAsync(tokens[1])).Should().Be("IBAN-SECOND");
    }

    [Test]
    public async Task KeyRotation_WhileAnotherInstanceServesReads_NoReadFails()
    {
        var v1 = RandomNumberGenerator.GetBytes(32);
        var v2 = RandomNumberGenerator.GetBytes(32);
        void BothKeys(IDatabunkerBuilder b) => b.UseMasterKey(v2, version: 2).AddPreviousMasterKey(MasterKeySource.FromBytes(v1), version: 1);

        var database = Store.NewDatabase();
        IReadOnlyList<Guid> tokens;
        await using (var seed = await VaultHost.StartAsync(database: database, masterKey: v1, configure: o => o.RotationBatchSize = 50, store: Store))
        {
            tokens = await seed.Vault.CreatePersonsAsync(Enumerable.Range(0, 1000).Select(Person));
        }

        // The reader is deployed with both keys first; then the rotating instance re-wraps under v2.
        await using var reader = await VaultHost.StartAsync(database: database, keys: BothKeys, store: Store);
        await using var rotating = await VaultHost.StartAsync(database: database, keys: BothKeys, configure: o => o.RotationBatchSize = 50, store: Store);

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readLoop = Task.Run(async () =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(tokens.Count);
                var byToken = await reader.Vault.GetPersonAsync(PersonLookup.ByToken(tokens[i]));
                var byEmail = await reader.Vault.GetPersonAsync(PersonLookup.ByEmail($"person{i:D5}@mail-{i % 7}.example"));
                byToken!.Profile.GetProperty("login").GetString().Should().Be($"login-{i:D5}-zq");
                byEmail!.Token.Should().Be(tokens[i]);
                Interlocked.Increment(ref reads);
            }
        });

        var result = await rotating.Administration.RewrapKeysAsync();
        await stop.CancelAsync();
        await readLoop;

        result.Rewrapped.Should().Be(1000 + 5, "every data key and the five system keys");
        reads.Should().BeGreaterThan(0);
        reader.Scalar<long>("SELECT COUNT(*) FROM data_keys WHERE key_version <> '2'").Should().Be(0);
        await using var afterwards = await VaultHost.StartAsync(database: database, keys: b => b.UseMasterKey(v2, version: 2), store: Store);
        (await afterwards.Vault.GetPersonAsync(PersonLookup.ByToken(tokens[^1])))!.Profile.GetProperty("login").GetString().Should().Be("login-00999-zq");
    }
}
