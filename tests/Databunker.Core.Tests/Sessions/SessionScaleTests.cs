using Databunker.Core.Sessions;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Sessions;

/// <summary>100,000 expired sessions, removed by two hosts running the due-work pass at once: each exactly once.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class SessionScaleTests(string store)
{
    private const int Expired = 100_000;

    [Test]
    public async Task TwoHostsRunningTheDueWorkPass_RemoveEachExpiredSessionExactlyOnce()
    {
        var testStore = TestStore.Named(store);
        var database = testStore.NewDatabase();
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using var first = await VaultHost.StartAsync(database: database, masterKey: key, store: testStore);
        await using var second = await VaultHost.StartAsync(database: database, masterKey: key, store: testStore);

        // Rows of the real shape, written straight into the table: expired in 1970, long before the hosts' clock.
        first.Sql(testStore.Name == TestStore.SqliteName
            ? $"""
              WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Expired})
              INSERT INTO sessions (id_hash, handle, owner, data, label, version, created_at, last_seen_at, idle_ms, absolute_at, expires_at)
              SELECT randomblob(32), randomblob(16), NULL, randomblob(64), NULL, 1, 0, 0, 1000, 1000, 1000 FROM n
              """
            : $"""
              INSERT INTO sessions (id_hash, handle, owner, data, label, version, created_at, last_seen_at, idle_ms, absolute_at, expires_at)
              SELECT sha256(('id' || i)::bytea), substring(sha256(('handle' || i)::bytea) from 1 for 16), NULL, sha256(('data' || i)::bytea), NULL, 1, 0, 0, 1000, 1000, 1000
              FROM generate_series(1, {Expired}) AS i
              """);
        var live = await first.Services.GetRequiredService<ISessionManager>().CreateAsync(Json(new { a = 1 }));

        var passes = await Task.WhenAll(
            Task.Run(() => first.Administration.RunDueWorkAsync()),
            Task.Run(() => second.Administration.RunDueWorkAsync()));

        passes.Sum(p => p["sessions"]).Should().Be(Expired, "every expired session is removed and counted once across both hosts");
        first.Scalar<long>("SELECT COUNT(*) FROM sessions").Should().Be(1);
        (await second.Services.GetRequiredService<ISessionManager>().GetAsync(live.SessionId)).Should().NotBeNull();
    }
}
