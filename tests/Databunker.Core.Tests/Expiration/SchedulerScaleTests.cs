using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Expiration;

/// <summary>Scheduler passes at scale and in parallel: every due person is forgotten exactly once, with one audit event.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
[Category(TestCategories.Slow)]
public sealed class SchedulerScaleTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task RunDueAsync_TwoHostsAtOnceOver2000_ForgetEachExactlyOnce()
    {
        const int count = 2000;
        await using var first = await VaultHost.StartAsync(o => o.Expiration.BatchSize = 100, store: _store);
        await using var second = await VaultHost.StartAsync(o => o.Expiration.BatchSize = 100, database: first.Database, masterKey: first.MasterKey, time: first.Time, store: _store);
        var tokens = await StartDue(first, count);

        var results = await StartTogether.RunAsync(2, i => (i == 0 ? first : second).Expirations.RunDueAsync());

        results.Sum(r => r.Deleted).Should().Be(count);
        results.Sum(r => r.Claimed).Should().Be(count, "no person is claimed by both passes");
        results.Should().OnlyContain(r => r.Failed == 0 && r.Skipped == 0);
        first.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(0);
        first.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(count);
        first.Scalar<long>("SELECT COUNT(DISTINCT subject) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(count);
        first.Scalar<long>("SELECT COUNT(*) FROM tombstones").Should().Be(count);
        (await first.Expirations.GetStatusAsync(PersonLookup.ByToken(tokens[^1])))!.State.Should().Be(ExpirationState.Deleted);
    }

    [Test]
    public async Task RunDueAsync_10000Due_CompletesInBatchesWithMatchingCounts()
    {
        const int count = 10_000;
        await using var host = await VaultHost.StartAsync(o => o.Expiration.BatchSize = 500, store: _store);
        await StartDue(host, count);
        var notDue = await host.Vault.CreatePersonAsync(Json(new { login = "not-due" }));
        await host.Expirations.StartAsync(PersonLookup.ByToken(notDue), TimeSpan.FromDays(300));

        var result = await host.Expirations.RunDueAsync();

        result.Should().Be(new ExpirationPassResult(count, count, 0, 0, count / 500));
        host.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(1);
        host.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(count);
        (await host.Expirations.RunDueAsync()).Should().Be(new ExpirationPassResult(0, 0, 0, 0, 0));
    }

    private static async Task<IReadOnlyList<Guid>> StartDue(VaultHost host, int count)
    {
        var tokens = await host.Vault.CreatePersonsAsync(Enumerable.Range(0, count).Select(i => Json(new { login = $"due-{i}", n = i })));
        foreach (var token in tokens)
        {
            await host.Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1));
        }

        host.Time.Advance(TimeSpan.FromDays(1));
        return tokens;
    }
}
