using Microsoft.Extensions.DependencyInjection;
using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// The audit trail in stripes: two vault instances on one database append at once without a lock that every
/// write takes, and what they leave verifies; an event removed from any stripe is found.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class AuditStripeTests(string store)
{
    private const int Tasks = 8;
    private const int PersonsPerTask = 15;
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task TwoInstancesAppendingAtOnce_LeaveATrailThatVerifies()
    {
        await using var first = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        await using var second = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, database: first.Database, masterKey: first.MasterKey, store: _store);
        var before = await first.ChainedEventsAsync();

        await Task.WhenAll(new[] { first, second }.SelectMany(host => Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var i = 0; i < PersonsPerTask; i++)
            {
                var token = await host.Vault.CreatePersonAsync(Json(new { email = $"{Guid.NewGuid():N}@example.com" }));
                await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { name = "N" }));
                await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
            }
        }))));

        var result = await second.Administration.VerifyAuditTrailAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
        result.EventsChecked.Should().Be(before.Count + (2 * Tasks * PersonsPerTask * 3), "every create, update and read left one event");
        var stripes = (await first.ChainedEventsAsync()).Select(e => StripeOf(first, e.Event.Id)).Distinct().Count();
        TestContext.Out.WriteLine($"{_store}: {result.EventsChecked} events in {stripes} stripe(s)");
        if (_store.Name == TestStore.PostgreSqlName)
        {
            stripes.Should().BeGreaterThan(1, "writers that append at once take stripes of their own");
        }
    }

    /// <summary>
    /// An audited read appends its success event in the read's own statement only when the row is there and the event
    /// fits (a token without an owner); otherwise the writer takes that event back and the caller appends the one that
    /// fits. The appends after each such read link from the head as it really is: the trail verifies.
    /// </summary>
    [Test]
    public async Task ReadsWhoseSuccessEventWasTakenBack_LeaveATrailThatVerifies()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        var tokenizer = host.Services.GetRequiredService<Core.Tokenization.ITokenizer>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "taken-back@example.com" }));
        var owned = await tokenizer.TokenizeAsync("4111 1111 1111 1111", new Core.Tokenization.TokenizeOptions { Person = person });
        var before = (await host.ChainedEventsAsync()).Count;

        (await tokenizer.DetokenizeAsync(owned)).Should().Be("4111 1111 1111 1111", "an owned token's read is audited under its owner");
        (await tokenizer.DetokenizeAsync("no-such-token")).Should().BeNull();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(Guid.NewGuid()))).Should().BeNull();
        (await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person))).Should().BeTrue();
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("taken-back@example.com"))).Should().BeNull("the instance remembers the email's token, but the person is gone");
        await host.Vault.CreatePersonAsync(Json(new { email = "after@example.com" }));

        var result = await host.Administration.VerifyAuditTrailAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
        (await host.ChainedEventsAsync()).Count.Should().Be(before + 6, "each read left one event, not two and not none, and so did the forget and the create");
    }

    [Test]
    public async Task AnEventRemovedFromAnyStripe_IsFound()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < PersonsPerTask; i++)
            {
                await host.Vault.CreatePersonAsync(Json(new { email = $"{Guid.NewGuid():N}@example.com" }));
            }
        })));
        var stripes = (await host.ChainedEventsAsync()).GroupBy(e => StripeOf(host, e.Event.Id)).Where(g => g.Count() >= 3).Select(g => g.Key).OrderDescending().ToList();
        stripes.Should().NotBeEmpty();
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();

        // Highest stripe first: verification walks the stripes in order, so each removal is the first break it meets.
        foreach (var stripe in stripes)
        {
            var middle = host.Scalar<long>($"SELECT seq FROM audit_events WHERE {Where(stripe)} ORDER BY seq LIMIT 1 OFFSET 1");
            host.Sql($"DELETE FROM audit_events WHERE {Where(stripe)} AND seq = {middle}");

            var result = await host.Administration.VerifyAuditTrailAsync();

            result.IsIntact.Should().BeFalse();
            (result.FirstBrokenStripe, result.FirstBrokenSequence).Should().Be((stripe, middle));
            result.Problem.Should().Contain("missing");
        }
    }

    /// <summary>
    /// A database writer without the key copies a stripe's events, links and all, into a stripe that holds none. Every
    /// stripe but the first starts from the same zero link, so the copies verified as long as a link did not cover the
    /// number of its stripe: real events (reads of a person) shown twice. Now the copy fails its first link.
    /// </summary>
    [Test]
    public async Task AStripeCopiedIntoAnEmptyOne_IsFound()
    {
        if (_store.Name != TestStore.PostgreSqlName)
        {
            Assert.Ignore("SQLite keeps one stripe: there is no other to copy into.");
        }

        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "copied@example.com" }));
        for (var i = 0; i < 3; i++)
        {
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(person));
        }

        var source = StripeOf(host, host.Scalar<long>("SELECT MAX(id) FROM audit_events"));
        var empty = host.Scalar<int>("SELECT MIN(c.id) FROM audit_chain c WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.stripe = c.id)");
        host.Scalar<long>($"SELECT COUNT(*) FROM audit_events WHERE stripe = {source}").Should().BeGreaterThanOrEqualTo(4);
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();

        host.Sql($"INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq, link) " +
            $"SELECT at, actor, operation, subject, outcome, details, {empty}, seq, link FROM audit_events WHERE stripe = {source} ORDER BY seq");

        var result = await host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse("a stripe's links are bound to its number: another stripe's events fail them");
        result.FirstBrokenStripe.Should().Be(empty);
        result.Problem.Should().Contain("fails its link");
    }

    /// <summary>
    /// Events from before the chain (no link, a sequence number below the start) are counted, not verified, and they can
    /// only be in stripe 1, the chain that stripes began from. An unlinked row in any other stripe is an inserted event.
    /// </summary>
    [Test]
    public async Task AnUnlinkedEventInAStripeButTheFirst_IsFoundAsInserted()
    {
        if (_store.Name != TestStore.PostgreSqlName)
        {
            Assert.Ignore("SQLite keeps one stripe, the first.");
        }

        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        await host.Vault.CreatePersonAsync(Json(new { email = "unlinked@example.com" }));
        var before = await host.Administration.VerifyAuditTrailAsync();
        before.IsIntact.Should().BeTrue(before.Problem);

        host.Sql("INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq, link) " +
            "SELECT at, 'Shop support', 'person.get', subject, outcome, NULL, 7, 0, NULL FROM audit_events WHERE operation = 'person.create'");

        var result = await host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse("only stripe 1 can hold events from before the chain");
        result.LegacyEvents.Should().Be(before.LegacyEvents);
        result.Problem.Should().Contain("outside the chain");
    }

    private string Where(int stripe) => _store.Name == TestStore.PostgreSqlName ? $"stripe = {stripe}" : "1 = 1";

    private int StripeOf(VaultHost host, long id) =>
        _store.Name == TestStore.PostgreSqlName ? host.Scalar<int>($"SELECT stripe FROM audit_events WHERE id = {id}") : 1;
}
