using Databunker.Core.Tests.Support;
using Npgsql;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>
/// The storage keeps open connections that its audited calls gave back (newest first, <c>PostgreSqlConnectionStack</c>):
/// a pool that is full never waits on connections kept there.
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
}
