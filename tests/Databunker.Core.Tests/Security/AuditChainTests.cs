using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// Defect 6 of the second security review, the audit trail: rows deleted, inserted or rewritten by someone
/// with write access to the database are found by <see cref="IVaultAdministration.VerifyAuditTrailAsync"/>.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class AuditChainTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;

    [SetUp]
    public async Task Start()
    {
        // Each read's event commits before the read returns, so that the events sit at the positions the cases name.
        _host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: _store);
        for (var i = 0; i < 10; i++)
        {
            var token = await _host.Vault.CreatePersonAsync(Json(new { email = $"chain{i}@example.com", name = $"N{i}" }));
            await _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { name = $"M{i}" }));
            await _host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        }
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    /// <summary>The stripe the setup's events went to: one writer at a time keeps taking the stripe it returned last.</summary>
    private int Stripe => _store.Name == TestStore.PostgreSqlName ? _host.Scalar<int>("SELECT stripe FROM audit_events ORDER BY id DESC LIMIT 1") : 1;

    /// <summary>Narrows a WHERE on audit_events to <see cref="Stripe"/> (SQLite has only the one).</summary>
    private string InStripe => _store.Name == TestStore.PostgreSqlName ? $" AND stripe = {Stripe}" : string.Empty;

    [Test]
    public async Task AnUntouchedTrail_IsIntact()
    {
        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeTrue(result.Problem);
        result.EventsChecked.Should().Be(31, "30 events and the consent.link of the start that created the vault");
        result.Head.Sequence.Should().Be(31);
        (await _host.Administration.GetAuditChainHeadAsync()).Should().Be(result.Head);
        (await _host.ChainedEventsAsync()).Should().HaveCount(31);
    }

    [Test]
    public async Task ADeletedEvent_IsFound()
    {
        var stripe = Stripe;
        _host.Sql("DELETE FROM audit_events WHERE seq = 12" + InStripe);

        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        (result.FirstBrokenStripe, result.FirstBrokenSequence).Should().Be((stripe, 12L));
        result.Problem.Should().Contain("missing");
        _host.Logs.Lines.Should().Contain(l => l.Contains("audit trail failed its integrity check", StringComparison.Ordinal));
    }

    [Test]
    public async Task AnInsertedEvent_IsFound()
    {
        var other = (Stripe % 32) + 1;
        _host.Sql(_store.Name == TestStore.PostgreSqlName
            ? $"INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq) VALUES (1, 'mallory', 'person.get', NULL, 'success', NULL, {other}, 1000)"
            : "INSERT INTO audit_events (at, actor, operation, subject, outcome, details) VALUES (1, 'mallory', 'person.get', NULL, 'success', NULL)");

        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        if (_store.Name == TestStore.PostgreSqlName)
        {
            // A stripe's head is its newest event: the walk from the stripe's start meets a gap before it.
            (result.FirstBrokenStripe, result.FirstBrokenSequence).Should().Be((other, 1L));
        }
        else
        {
            result.Problem.Should().Contain("outside the chain", "an event without a place in the chain is counted");
        }
    }

    [Test]
    public async Task AnEventInsertedIntoTheChain_IsFound()
    {
        // Mallory shifts every later event up by one and writes hers at 7, with a link of her own.
        var stripe = Stripe;
        var columns = _store.Name == TestStore.PostgreSqlName ? "stripe, " : string.Empty;
        _host.Sql("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 7" + InStripe);
        _host.Sql("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1007" + InStripe);
        _host.Sql($"INSERT INTO audit_events (at, actor, operation, subject, outcome, details, {columns}seq, link) " +
                  $"SELECT at, 'mallory', operation, subject, outcome, details, {columns}7, link FROM audit_events WHERE seq = 6" + InStripe);
        if (_store.Name == TestStore.SqliteName)
        {
            // SQLite keeps its one stripe's head in a row; a PostgreSQL stripe's head is its newest event.
            _host.Sql("UPDATE audit_chain SET head_seq = head_seq + 1");
        }

        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        (result.FirstBrokenStripe, result.FirstBrokenSequence).Should().Be((stripe, 7L));
    }

    [TestCase("UPDATE audit_events SET outcome = 'not-found' WHERE seq = 20")]
    [TestCase("UPDATE audit_events SET actor = 'someone else' WHERE seq = 20")]
    [TestCase("UPDATE audit_events SET details = (SELECT details FROM audit_events WHERE seq = 17{0}) WHERE seq = 20")]
    [TestCase("UPDATE audit_events SET at = at + 1 WHERE seq = 20")]
    public async Task ARewrittenEvent_IsFound(string rewrite)
    {
        _host.Sql(string.Format(System.Globalization.CultureInfo.InvariantCulture, rewrite, InStripe) + InStripe);

        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        result.FirstBrokenSequence.Should().Be(20);
        result.Problem.Should().Contain("fails its link");
    }

    [Test]
    public async Task EventsCutFromTheEnd_AreFoundAgainstAnAnchoredHead()
    {
        var anchor = await _host.Administration.GetAuditChainHeadAsync();
        var stripe = Stripe;
        var link = _host.Scalar<byte[]>("SELECT link FROM audit_events WHERE seq = 27" + InStripe);
        _host.Sql("DELETE FROM audit_events WHERE seq > 27" + InStripe);
        if (_store.Name == TestStore.SqliteName)
        {
            _host.Sql("UPDATE audit_chain SET head_seq = 27, head_link = @link", new { link });
        }

        (await _host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue("without an anchor a cut end looks like a shorter trail");
        var anchored = await _host.Administration.VerifyAuditTrailAsync(anchor);
        anchored.IsIntact.Should().BeFalse();
        anchored.Problem.Should().Contain("cut from its end");
        (anchored.FirstBrokenStripe, anchored.FirstBrokenSequence).Should().Be((stripe, 28L));
    }

    /// <summary>
    /// Events from before the chain have no link and a sequence number below the start; a row made to look like one is
    /// counted with them, not verified. The count is reported, and an anchored head holds it: more than it held is found.
    /// </summary>
    [Test]
    public async Task AnUnlinkedEventBelowTheStart_IsFoundAgainstAnAnchoredHead()
    {
        var anchor = await _host.Administration.GetAuditChainHeadAsync();
        var before = await _host.Administration.VerifyAuditTrailAsync();
        _host.Sql("INSERT INTO audit_events (at, actor, operation, subject, outcome, details, seq, link) " +
            "SELECT at, 'Shop support', 'person.get', subject, outcome, NULL, 0, NULL FROM audit_events WHERE subject IS NOT NULL ORDER BY seq LIMIT 1");

        var unanchored = await _host.Administration.VerifyAuditTrailAsync();
        var anchored = await _host.Administration.VerifyAuditTrailAsync(anchor);

        unanchored.LegacyEvents.Should().Be(before.LegacyEvents + 1, "without an anchor the row counts as one more event from before the chain, and the count says so");
        anchored.IsIntact.Should().BeFalse();
        anchored.Problem.Should().Contain("from before the chain were added");
    }

    [Test]
    public async Task AnAnchoredHead_StillMatchesAfterMoreEvents()
    {
        var anchor = await _host.Administration.GetAuditChainHeadAsync();
        await _host.Vault.CreatePersonAsync(Json(new { email = "later@example.com" }));

        var result = await _host.Administration.VerifyAuditTrailAsync(anchor);

        result.IsIntact.Should().BeTrue(result.Problem);
        result.Head.Sequence.Should().Be(anchor.Sequence + 1);
    }

    [Test]
    public async Task AHeadThatTheVaultDidNotMake_IsRefused()
    {
        var anchor = await _host.Administration.GetAuditChainHeadAsync();

        var act = () => _host.Administration.VerifyAuditTrailAsync(anchor with { Sequence = anchor.Sequence + 1 });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*exactly as it was exported*");
    }

    /// <summary>A head that claims more stripes than it has bytes for is refused before anything is sized by that claim.</summary>
    [Test]
    public async Task AHeadClaimingMoreStripesThanItHolds_IsRefused()
    {
        var anchor = await _host.Administration.GetAuditChainHeadAsync();
        var forged = anchor with { Link = Convert.ToBase64String([3, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]) };

        var act = () => _host.Administration.VerifyAuditTrailAsync(forged);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*exactly as it was exported*");
    }

    [Test]
    public async Task Purge_KeepsWhatRemainsVerifiable()
    {
        _host.Time.Advance(TimeSpan.FromDays(400));
        await _host.Vault.GetPersonAsync(PersonLookup.ByEmail("chain3@example.com"));
        _host.Time.Advance(TimeSpan.FromDays(10));

        (await _host.Administration.PurgeAuditEventsAsync()).Should().Be(31);
        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeTrue(result.Problem);
        result.EventsChecked.Should().Be(1);
    }

    [Test]
    public async Task AHundredThousandEvents_VerifyIntact()
    {
        var storage = _host.Services.GetRequiredService<IAuditStore>();
        for (var batch = 0; batch < 10; batch++)
        {
            var events = Enumerable.Range(0, 10_000)
                .Select(i => new AuditRecord(0, 1_000_000 + i, "bulk", AuditOperations.PersonGet, Guid.NewGuid(), AuditOutcomes.Success, null))
                .ToList();
            await storage.AppendAuditAsync(events, default);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await _host.Administration.VerifyAuditTrailAsync();
        clock.Stop();

        result.IsIntact.Should().BeTrue(result.Problem);
        result.EventsChecked.Should().Be(100_031);
        TestContext.Out.WriteLine($"{_store}: verified {result.EventsChecked} events in {clock.ElapsedMilliseconds} ms ({clock.Elapsed.TotalMicroseconds / result.EventsChecked:F2} us per event)");
    }
}
