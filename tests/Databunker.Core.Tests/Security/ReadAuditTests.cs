using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// The group commit of read audit events (<see cref="DatabunkerOptions.ReadAuditWindow"/>): every read that
/// returned is in the trail once it is flushed, read or the provider disposed; a window of 0 commits before
/// the read returns; a storage that refuses the events stops reads once the window is full.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ReadAuditTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private string CountGets(Guid token) =>
        $"SELECT COUNT(*) FROM audit_events WHERE operation = 'person.get' AND subject = {Literal(token)}";

    private string Literal(Guid token) => _store.Name == TestStore.SqliteName
        ? $"X'{Convert.ToHexString(token.ToByteArray())}'"
        : $"'\\x{Convert.ToHexString(token.ToByteArray())}'::bytea";

    [Test]
    public async Task ReadsThatReturned_AreInTheTrail_OnceFlushed()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 1000, store: _store);
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "reader@example.com" }));

        for (var i = 0; i < 300; i++)
        {
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        }

        await host.Administration.FlushAuditAsync();

        host.Scalar<long>(CountGets(token)).Should().Be(300);
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [Test]
    public async Task ReadingTheTrail_ShowsTheReadsBeforeIt()
    {
        await using var host = await VaultHost.StartAsync(store: _store);
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "shown@example.com" }));
        await host.Vault.GetPersonAsync(PersonLookup.ByEmail("shown@example.com"));
        await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));

        var events = await host.Vault.GetAuditEventsAsync(token);

        events.Select(e => e.Operation).Should().Equal("person.create", "person.get", "person.get");
    }

    [Test]
    public async Task TheWriter_WaitsTheDelayForMore_ThenCommitsOnItsOwn()
    {
        await using var host = await VaultHost.StartAsync(o => (o.ReadAuditWindow, o.ReadAuditDelay) = (8, TimeSpan.FromMilliseconds(10)), store: _store);
        var writer = host.Services.GetRequiredService<Databunker.Core.Kernel.ReadAuditWriter>();
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "gathered@example.com" }));

        await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        var running = writer.Writer;
        running.IsCompleted.Should().BeFalse("the writer waits for the delay on the host's clock, which has not moved");
        host.Scalar<long>(CountGets(token)).Should().Be(0);

        // The writer may not have started its wait yet when the clock first moves: move it until the writer is done.
        for (var step = 0; !running.IsCompleted; step++)
        {
            step.Should().BeLessThan(100_000, "the writer ends once its delay has passed on the host's clock");
            host.Time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Yield();
        }

        await running;

        host.Scalar<long>(CountGets(token)).Should().Be(1);
    }

    [Test]
    public async Task HalfTheWindowWaiting_IsCommittedWithoutWaitingTheDelay()
    {
        await using var host = await VaultHost.StartAsync(o => (o.ReadAuditWindow, o.ReadAuditDelay) = (8, TimeSpan.FromSeconds(1)), store: _store);
        var writer = host.Services.GetRequiredService<Databunker.Core.Kernel.ReadAuditWriter>();
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "half@example.com" }));

        for (var i = 0; i < 4; i++)
        {
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        }

        await writer.Writer;

        host.Scalar<long>(CountGets(token)).Should().Be(4, "the clock never moved, so half the window set the writer going");
    }

    [Test]
    public async Task WindowZero_CommitsEachReadBeforeItReturns()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "durable@example.com" }));

        for (var i = 1; i <= 5; i++)
        {
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
            host.Scalar<long>(CountGets(token)).Should().Be(i, "the read's event is committed when the read returns");
        }
    }

    [Test]
    public async Task DisposingTheProvider_CommitsWhatWaits()
    {
        var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 100_000, store: _store);
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "closing@example.com" }));
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var card = await tokenizer.TokenizeAsync("4921 8170 1234 5678");
        for (var i = 0; i < 50; i++)
        {
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
            await tokenizer.DetokenizeAsync(card);
        }

        await host.DisposeAsync();

        _store.Scalar<long>(host.Database, CountGets(token)).Should().Be(50);
        _store.Scalar<long>(host.Database, "SELECT COUNT(*) FROM audit_events WHERE operation = 'token.detokenize'").Should().Be(50);
    }

    [Test]
    public async Task ConcurrentReads_AllReachTheTrail_AndTheChainHolds()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 16, store: _store);
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "many@example.com" }));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("many@example.com"))).Should().NotBeNull();
            }
        })));
        await host.Administration.FlushAuditAsync();

        host.Scalar<long>(CountGets(token)).Should().Be(400);
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [Test]
    public async Task AStorageThatRefusesTheEvents_StopsReadsWhenTheWindowIsFull_AndLosesNone()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 4, store: _store);
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "refused@example.com" }));
        Refuse(host, refuse: true);

        for (var i = 0; i < 4; i++)
        {
            (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().NotBeNull("the window has room");
        }

        var full = () => host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        await full.Should().ThrowAsync<Exception>("the fifth read must commit the four before it, and the storage refuses");
        await host.Administration.Invoking(a => a.FlushAuditAsync()).Should().ThrowAsync<Exception>();

        Refuse(host, refuse: false);
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().NotBeNull();
        await host.Administration.FlushAuditAsync();

        host.Scalar<long>(CountGets(token)).Should().Be(5, "the four reads in the window and the one after the storage came back");
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    /// <summary>A real refusal by the database: a trigger that aborts every insert of a read event.</summary>
    private void Refuse(VaultHost host, bool refuse)
    {
        if (_store.Name == TestStore.SqliteName)
        {
            host.Sql(refuse
                ? "CREATE TRIGGER refuse_reads BEFORE INSERT ON audit_events WHEN NEW.operation = 'person.get' BEGIN SELECT RAISE(ABORT, 'refused'); END;"
                : "DROP TRIGGER refuse_reads;");
        }
        else
        {
            host.Sql(refuse
                ? "CREATE FUNCTION refuse_reads() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$; " +
                  "CREATE TRIGGER refuse_reads BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.operation = 'person.get') EXECUTE FUNCTION refuse_reads();"
                : "DROP TRIGGER refuse_reads ON audit_events; DROP FUNCTION refuse_reads();");
        }
    }
}
