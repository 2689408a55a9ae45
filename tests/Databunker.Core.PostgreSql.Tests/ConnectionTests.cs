using System.Data;
using Databunker.Core.PostgreSql;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>
/// The storage keeps open connections that its audited calls gave back (newest first, <c>PostgreSqlConnectionStack</c>):
/// a pool that is full never waits on connections kept there, and a kept connection goes back to the pool in time.
/// </summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
public sealed class ConnectionTests
{
    [Test]
    public async Task ManyCallsOnAPoolOfTwo_NoneWaitsOnAKeptConnection()
    {
        // The pool's wait is cut to three seconds: a call that waited on a connection kept idle would fail with
        // "The connection pool has been exhausted" instead of taking fifteen.
        var database = new NpgsqlConnectionStringBuilder(TestStore.PostgreSql.NewDatabase()) { MaxPoolSize = 2, Timeout = 3 }.ConnectionString;
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, database: database, store: TestStore.PostgreSql);

        for (var round = 0; round < 5; round++)
        {
            var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => host.Vault.CreatePersonAsync(Person((round * 10) + i))));
            await Task.WhenAll(tokens.Select(t => host.Vault.GetPersonAsync(PersonLookup.ByToken(t))));
        }

        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [Test]
    public async Task AKeptConnection_IsTakenNewestFirst_AndGoesBackToThePoolWhenIdle()
    {
        var time = new FakeTimeProvider();
        await using var dataSource = NpgsqlDataSource.Create(TestStore.PostgreSql.NewDatabase());
        using var stack = new PostgreSqlConnectionStack(dataSource, time);
        var first = await stack.OpenAsync(default);
        var second = await stack.OpenAsync(default);
        await stack.ReturnAsync(first, stack.Generation);
        await stack.ReturnAsync(second, stack.Generation);

        (await stack.OpenAsync(default)).Should().BeSameAs(second, "the newest kept connection is taken first");
        await stack.ReturnAsync(second, stack.Generation);

        time.Advance(PostgreSqlConnectionStack.MaxHeld + TimeSpan.FromSeconds(1));

        first.FullState.Should().Be(ConnectionState.Closed, "the sweep gave the idle connection back to the pool");
        second.FullState.Should().Be(ConnectionState.Closed);
        var next = await stack.OpenAsync(default);
        next.Should().NotBeSameAs(first).And.NotBeSameAs(second);
        await next.DisposeAsync();
    }

    [Test]
    public async Task AConnectionOutOfThePoolTooLong_IsNotKept_NorOneHandedOutBeforeAClear()
    {
        var time = new FakeTimeProvider();
        await using var dataSource = NpgsqlDataSource.Create(TestStore.PostgreSql.NewDatabase());
        using var stack = new PostgreSqlConnectionStack(dataSource, time);

        var old = await stack.OpenAsync(default);
        time.Advance(PostgreSqlConnectionStack.MaxHeld + TimeSpan.FromSeconds(1));
        await stack.ReturnAsync(old, stack.Generation);
        old.FullState.Should().Be(ConnectionState.Closed, "a connection out of the pool for longer than the limit goes back to it");

        var generation = stack.Generation;
        var cleared = await stack.OpenAsync(default);
        stack.Clear();
        await stack.ReturnAsync(cleared, generation);
        cleared.FullState.Should().Be(ConnectionState.Closed, "a connection handed out before a clear is not kept");
    }
}
