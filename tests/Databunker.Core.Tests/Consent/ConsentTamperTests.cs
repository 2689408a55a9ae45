using Databunker.Core.Consent;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Consent;

/// <summary>
/// Defect 3 of the security issue: someone with write access to the database, without the vault's keys, rewrites,
/// deletes, reorders or inserts consent decisions. Reads of the ledger and <see cref="IConsentLedger.VerifyAsync"/> find it.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ConsentTamperTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;
    private Guid _alice;
    private Guid _bob;

    private IConsentLedger Ledger => _host.Services.GetRequiredService<IConsentLedger>();

    /// <summary>Alice: granted, withdrawn, granted, withdrawn (sequence 1 to 4, a minute apart); Bob: granted.</summary>
    [SetUp]
    public async Task Start()
    {
        _host = await StartAsync(_store.NewDatabase(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _alice = await _host.Vault.CreatePersonAsync(Json(new { email = "alice@example.com" }));
        _bob = await _host.Vault.CreatePersonAsync(Json(new { email = "bob@example.com" }));
        foreach (var decision in new[] { ConsentDecision.Granted, ConsentDecision.Withdrawn, ConsentDecision.Granted, ConsentDecision.Withdrawn })
        {
            _host.Time.Advance(TimeSpan.FromMinutes(1));
            await Ledger.RecordAsync(_alice, new ConsentRecord { Activity = "newsletter", Decision = decision });
        }

        await Ledger.RecordAsync(_bob, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    /// <summary>What an attacker does to Alice's ledger, and the sequence number where it first shows.</summary>
    public static IEnumerable<TestCaseData> Tamperings =>
    [
        new TestCaseData("rewrite", 4L).SetArgDisplayNames("rewrite withdrawn to granted"),
        new TestCaseData("delete", 2L).SetArgDisplayNames("delete a decision"),
        new TestCaseData("swap-times", 1L).SetArgDisplayNames("swap two decisions' times"),
        new TestCaseData("swap-sequences", 1L).SetArgDisplayNames("swap two decisions' sequence numbers"),
        new TestCaseData("copy", 5L).SetArgDisplayNames("insert a copy of another person's decision"),
        new TestCaseData("duplicate", 5L).SetArgDisplayNames("insert a duplicate of the last decision"),
    ];

    [TestCaseSource(nameof(Tamperings))]
    public async Task GetHistoryAsync_DecisionRewrittenDeletedReorderedOrInserted_ThrowsVaultCryptoException(string tampering, long sequence)
    {
        Tamper(tampering);

        await FluentActions.Awaiting(() => Ledger.GetHistoryAsync(_alice)).Should().ThrowAsync<VaultCryptoException>().WithMessage($"*{sequence}*");
        await FluentActions.Awaiting(() => Ledger.GetStateAsync(_alice)).Should().ThrowAsync<VaultCryptoException>();
        await FluentActions.Awaiting(() => Ledger.IsAllowedAsync(_alice, "newsletter")).Should().ThrowAsync<VaultCryptoException>();
        (await Ledger.IsAllowedAsync(_bob, "newsletter")).Should().BeTrue("Bob's ledger is untouched");
    }

    [TestCaseSource(nameof(Tamperings))]
    [TestCase("cut-tail", 4L)]
    public async Task VerifyAsync_DecisionRewrittenDeletedReorderedOrInserted_NamesPersonAndSequence(string tampering, long sequence)
    {
        Tamper(tampering);

        var result = await Ledger.VerifyAsync();

        result.IsIntact.Should().BeFalse();
        (result.FirstBrokenPerson, result.FirstBrokenSequence).Should().Be((_alice, sequence));
        result.Problem.Should().NotContain("alice").And.NotContain("newsletter", "the problem names no content");
    }

    [Test]
    public async Task ListByLatestDecisionAsync_LatestDecisionRewrittenToGranted_ThrowsVaultCryptoException()
    {
        Tamper("rewrite");

        await FluentActions.Awaiting(() => Ledger.ListByLatestDecisionAsync("newsletter", ConsentDecision.Granted))
            .Should().ThrowAsync<VaultCryptoException>("Alice must not be listed as reachable");
    }

    [Test]
    public async Task ExportAsync_DecisionRewritten_ThrowsVaultCryptoException()
    {
        Tamper("rewrite");

        using var stream = new MemoryStream();
        await FluentActions.Awaiting(() => _host.Services.GetRequiredService<Databunker.Core.Export.IPersonExporter>().ExportAsync(_alice, stream))
            .Should().ThrowAsync<VaultCryptoException>("a subject-access export must not hand out a forged decision as the person's");
    }

    [Test]
    public async Task GetStateAsync_DecisionIdsSwapped_ReadsTheOrderAsRecorded()
    {
        // The row ids were the ledger's order: swapping two of them turned Alice's withdrawal into the latest grant.
        var (first, second) = (Id(1), Id(2));
        _host.Sql("UPDATE consent_events SET id = -1 WHERE id = @first", new { first });
        _host.Sql("UPDATE consent_events SET id = @first WHERE id = @second", new { first, second });
        _host.Sql("UPDATE consent_events SET id = @second WHERE id = -1", new { second });
        var (third, fourth) = (Id(3), Id(4));
        _host.Sql("UPDATE consent_events SET id = -1 WHERE id = @third", new { third });
        _host.Sql("UPDATE consent_events SET id = @third WHERE id = @fourth", new { third, fourth });
        _host.Sql("UPDATE consent_events SET id = @fourth WHERE id = -1", new { fourth });

        (await Ledger.GetStateAsync(_alice)).Single().Decision.Should().Be(ConsentDecision.Withdrawn);
        (await Ledger.IsAllowedAsync(_alice, "newsletter")).Should().BeFalse();
    }

    [Test]
    public async Task VerifyAsync_UntamperedLedgersWithDueWorkAndAForget_AreIntact()
    {
        var carol = await _host.Vault.CreatePersonAsync(Json(new { email = "carol@example.com" }));
        await Ledger.RecordAsync(carol, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, ValidFor = TimeSpan.FromDays(1) });
        await Ledger.RecordForContactAsync(PersonLookup.ByEmail("dave@example.com"), new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        await _host.Vault.CreatePersonAsync(Json(new { email = "dave@example.com" }));
        _host.Time.Advance(TimeSpan.FromDays(2));
        (await _host.Administration.RunDueWorkAsync())["consent"].Should().Be(1, "Carol's grant expired");
        await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(_bob));

        var result = await Ledger.VerifyAsync();

        result.IsIntact.Should().BeTrue(result.Problem);
        (result.PersonsChecked, result.DecisionsChecked).Should().Be((3, 7));
        (await Ledger.GetHistoryAsync(carol)).Select(e => e.Decision).Should().Equal(ConsentDecision.Granted, ConsentDecision.Expired);
        (await _host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [TestCase("rewrite")]
    [TestCase("move")]
    public async Task AttachPendingAsync_PendingDecisionRewrittenOrMovedToAnotherPerson_IsNotAttached(string tampering)
    {
        // Decisions recorded before registration wait outside every ledger: rewritten there, they would be attached and linked as genuine.
        var contact = tampering == "rewrite" ? "dave@example.com" : "erin@example.com";
        await Ledger.RecordForContactAsync(PersonLookup.ByEmail(contact), new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Refused });
        if (tampering == "rewrite")
        {
            _host.Sql("UPDATE pending_consents SET decision = 1");
        }
        else
        {
            _host.Sql("UPDATE pending_consents SET decision = 1, index_hash = (SELECT hash FROM user_indexes WHERE token = @a)", new { a = _alice.ToByteArray() });
        }

        var dave = await _host.Vault.CreatePersonAsync(Json(new { email = "dave@example.com" }));
        await Ledger.AttachPendingAsync();

        (await Ledger.GetHistoryAsync(dave)).Should().BeEmpty();
        (await Ledger.GetHistoryAsync(_alice)).Should().HaveCount(4);
        (await Ledger.VerifyAsync()).IsIntact.Should().BeTrue();
        _host.Logs.Lines.Should().Contain(l => l.Contains("pending consent decision", StringComparison.Ordinal));
    }

    [Test]
    public async Task VerifyAsync_VaultFromBeforeTheChain_IsIntactAfterTheUpgrade_AndItsDecisionsAreLinkedOnce()
    {
        // A vault from before the chain has no consent.link event; this copy, made by downgrading a new vault, loses the
        // one its creation wrote through an ordinary purge of old audit events.
        _host.Time.Advance(TimeSpan.FromDays(366));
        await _host.Administration.PurgeAuditEventsAsync();
        LinkEvents().Should().Be(0);
        var (database, key, now) = (_host.Database, _host.MasterKey, _host.Time.GetUtcNow());
        await Ledger.RecordForContactAsync(PersonLookup.ByEmail("frank@example.com"), new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        await _host.DisposeAsync();
        ConsentSchema.Downgrade(_store, database);

        _host = await StartAsync(database, key, now);
        LinkEvents().Should().Be(1, "the start that applied the chain's migration linked, once");
        (await Ledger.GetHistoryAsync(_alice)).Select(e => e.Decision).Should().Equal(
            ConsentDecision.Granted, ConsentDecision.Withdrawn, ConsentDecision.Granted, ConsentDecision.Withdrawn);
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
        (result.PersonsChecked, result.DecisionsChecked).Should().Be((2, 5));
        await Ledger.RecordAsync(_alice, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        var frank = await _host.Vault.CreatePersonAsync(Json(new { email = "frank@example.com" }));
        (await Ledger.IsAllowedAsync(frank, "newsletter")).Should().BeTrue("a decision waiting for registration before the upgrade is linked too, and attached");
        (await Ledger.VerifyAsync()).IsIntact.Should().BeTrue();
        (await _host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        _host.Scalar<long>("SELECT (SELECT COUNT(*) FROM consent_events WHERE link IS NULL) + (SELECT COUNT(*) FROM pending_consents WHERE link IS NULL)").Should().Be(0);

        // Linked once: a rewritten decision whose link is cleared afterwards is not linked again by the next start.
        await _host.DisposeAsync();
        _store.Sql(database, "UPDATE consent_events SET decision = 1, link = NULL WHERE owner = @a AND seq = 4", new { a = _alice.ToByteArray() });
        _host = await StartAsync(database, key, now);
        await FluentActions.Awaiting(() => Ledger.GetHistoryAsync(_alice)).Should().ThrowAsync<VaultCryptoException>();
        (await Ledger.VerifyAsync()).FirstBrokenSequence.Should().Be(4);
        LinkEvents().Should().Be(1);
    }

    [Test]
    public async Task Restart_OfAVaultWithTheChain_LinksNothing_AndTheTrailKeepsOneConsentLinkEvent()
    {
        LinkEvents().Should().Be(1, "the start that created the vault applied the chain's migration, so it ran the linking (of nothing) once");
        var (database, key) = (_host.Database, _host.MasterKey);
        await _host.DisposeAsync();

        _host = await StartAsync(database, key);
        (await Ledger.GetHistoryAsync(_alice)).Should().HaveCount(4);
        await _host.Administration.InitializeAsync();

        LinkEvents().Should().Be(1);
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
    }

    [Test]
    public async Task Restart_AfterDecisionsWereRewrittenUnlinkedAndMarkedAsFromBeforeTheChain_ReadsThemAsTampering()
    {
        // Attack 1: no key, only SQL. The marker row used to tell the next start to link every decision up to an id.
        var (database, key) = (_host.Database, _host.MasterKey);
        await _host.DisposeAsync();
        _store.Sql(database, "UPDATE consent_events SET decision = 1, link = NULL WHERE owner = @a", new { a = _alice.ToByteArray() });
        _store.Sql(database, "UPDATE consent_chain SET legacy_through = (SELECT MAX(id) FROM consent_events)");

        _host = await StartAsync(database, key);

        await FluentActions.Awaiting(() => Ledger.GetHistoryAsync(_alice)).Should().ThrowAsync<VaultCryptoException>().WithMessage("*1*");
        await FluentActions.Awaiting(() => Ledger.IsAllowedAsync(_alice, "newsletter")).Should().ThrowAsync<VaultCryptoException>();
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeFalse();
        (result.FirstBrokenPerson, result.FirstBrokenSequence).Should().Be((_alice, 1L));
        LinkEvents().Should().Be(1);
    }

    [Test]
    public async Task Restart_AfterAPendingGrantWasForgedForAPersonAndMarkedAsFromBeforeTheChain_DoesNotAttachIt()
    {
        // Attack 2: a pending grant over Alice's index hash (readable in user_indexes), unlinked, and the marker row pointed at it.
        var (database, key) = (_host.Database, _host.MasterKey);
        await _host.DisposeAsync();
        _store.Sql(database,
            "INSERT INTO pending_consents (index_hash, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence) " +
            "SELECT (SELECT hash FROM user_indexes WHERE token = @a LIMIT 1), activity, 1, method, source, notice, notice_version, notice_hash, at + 1, NULL, NULL " +
            "FROM consent_events WHERE owner = @a AND seq = 4",
            new { a = _alice.ToByteArray() });
        _store.Sql(database, "UPDATE consent_chain SET pending_through = (SELECT MAX(id) FROM pending_consents)");

        _host = await StartAsync(database, key);
        await Ledger.AttachPendingAsync();

        (await Ledger.GetHistoryAsync(_alice)).Should().HaveCount(4, "the forged grant is not attached");
        (await Ledger.IsAllowedAsync(_alice, "newsletter")).Should().BeFalse();
        (await Ledger.VerifyAsync()).IsIntact.Should().BeTrue("Alice's ledger is as she left it");
        _host.Logs.Lines.Should().Contain(l => l.Contains("pending consent decision", StringComparison.Ordinal));
        LinkEvents().Should().Be(1);
    }

    [Test]
    public async Task Restart_AfterTheSchemaWasDowngradedAndADecisionRewritten_VerifyAsyncReportsASecondLinking()
    {
        // Attack 3: the schema made to look as before the chain, so that the next start applies its migration again and
        // links whatever the rows hold; here Alice's last withdrawal rewritten to a grant.
        var (database, key) = (_host.Database, _host.MasterKey);
        await _host.DisposeAsync();
        ConsentSchema.Downgrade(_store, database);
        _store.Sql(database, "UPDATE consent_events SET decision = 1 WHERE id = (SELECT MAX(id) FROM consent_events WHERE owner = @a)", new { a = _alice.ToByteArray() });

        _host = await StartAsync(database, key);

        LinkEvents().Should().Be(2);
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeFalse("the trail records the linking of decisions from before the chain twice");
        result.Problem.Should().Contain("consent.link");
        result.Problem.Should().NotContain("alice").And.NotContain("newsletter");
    }

    [TestCase(1)]
    [TestCase(2)]
    public async Task Reads_LastDecisionsDeleted_ThrowVaultCryptoException_AndVerifyAsyncNamesTheFirstMissing(int cut)
    {
        // Alice's last withdrawal (and the grant before it) deleted: the shorter chain is valid, but its head names decision 4.
        _host.Sql("DELETE FROM consent_events WHERE owner = @a AND seq > @kept", new { a = _alice.ToByteArray(), kept = 4L - cut });
        var missing = 4L - cut + 1;

        await FluentActions.Awaiting(() => Ledger.GetHistoryAsync(_alice)).Should().ThrowAsync<VaultCryptoException>().WithMessage($"*Decision {missing} *");
        await FluentActions.Awaiting(() => Ledger.GetStateAsync(_alice)).Should().ThrowAsync<VaultCryptoException>();
        await FluentActions.Awaiting(() => Ledger.IsAllowedAsync(_alice, "newsletter")).Should().ThrowAsync<VaultCryptoException>();
        using var stream = new MemoryStream();
        await FluentActions.Awaiting(() => _host.Services.GetRequiredService<Databunker.Core.Export.IPersonExporter>().ExportAsync(_alice, stream))
            .Should().ThrowAsync<VaultCryptoException>();
        (await Ledger.IsAllowedAsync(_bob, "newsletter")).Should().BeTrue("Bob's ledger is untouched");
        var result = await Ledger.VerifyAsync();
        (result.IsIntact, result.FirstBrokenPerson, result.FirstBrokenSequence).Should().Be((false, _alice, missing));
        result.Problem.Should().NotContain("alice").And.NotContain("newsletter");
    }

    [Test]
    public async Task RecordAsync_AfterTheLastDecisionWasCut_AppendsNothing_SoTheCutIsNotSealedUnderANewHead()
    {
        _host.Sql("DELETE FROM consent_events WHERE owner = @a AND seq = 4", new { a = _alice.ToByteArray() });

        await FluentActions.Awaiting(() => Ledger.RecordAsync(_alice, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted }))
            .Should().ThrowAsync<VaultCryptoException>();
        _host.Scalar<long>("SELECT COUNT(*) FROM consent_events WHERE owner = @a", new { a = _alice.ToByteArray() }).Should().Be(3);
        await FluentActions.Awaiting(() => Ledger.IsAllowedAsync(_alice, "newsletter")).Should().ThrowAsync<VaultCryptoException>();
        await Ledger.RecordAsync(_bob, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn });
    }

    [Test]
    public async Task ListByLatestDecisionAsync_LastDecisionCutSoAnOlderGrantIsLatest_ThrowsVaultCryptoException()
    {
        _host.Sql("DELETE FROM consent_events WHERE owner = @a AND seq = 4", new { a = _alice.ToByteArray() });

        await FluentActions.Awaiting(() => Ledger.ListByLatestDecisionAsync("newsletter", ConsentDecision.Granted))
            .Should().ThrowAsync<VaultCryptoException>("Alice withdrew: she must not be listed as reachable");
    }

    [TestCase("delete-head")]
    [TestCase("head-of-another-person")]
    [TestCase("decisions-deleted-head-kept")]
    public async Task Reads_HeadDeletedOrCopiedFromAnotherPersonOrLeftWithoutDecisions_ThrowVaultCryptoException(string tampering)
    {
        var (a, b) = (_alice.ToByteArray(), _bob.ToByteArray());
        var sequence = 4L;
        switch (tampering)
        {
            case "delete-head":
                _host.Sql("DELETE FROM consent_heads WHERE owner = @a", new { a });
                break;
            case "head-of-another-person":
                // Alice cut to her first decision, and Bob's head (at decision 1 too) put in place of hers.
                _host.Sql("DELETE FROM consent_events WHERE owner = @a AND seq > 1", new { a });
                _host.Sql("UPDATE consent_heads SET seq = (SELECT seq FROM consent_heads WHERE owner = @b), mac = (SELECT mac FROM consent_heads WHERE owner = @b) WHERE owner = @a", new { a, b });
                sequence = 1;
                break;
            case "decisions-deleted-head-kept":
                _host.Sql("DELETE FROM consent_events WHERE owner = @a", new { a });
                sequence = 1;
                break;
        }

        await FluentActions.Awaiting(() => Ledger.GetHistoryAsync(_alice)).Should().ThrowAsync<VaultCryptoException>();
        await FluentActions.Awaiting(() => Ledger.GetStateAsync(_alice)).Should().ThrowAsync<VaultCryptoException>();
        await FluentActions.Awaiting(() => Ledger.IsAllowedAsync(_alice, "newsletter")).Should().ThrowAsync<VaultCryptoException>();
        (await Ledger.GetHistoryAsync(_bob)).Should().ContainSingle("Bob's ledger is untouched");
        var result = await Ledger.VerifyAsync();
        (result.IsIntact, result.FirstBrokenPerson, result.FirstBrokenSequence).Should().Be((false, _alice, sequence));
    }

    [Test]
    public async Task Heads_FollowEveryAppend_AndAForgetRemovesThePersonsHead()
    {
        var carol = await _host.Vault.CreatePersonAsync(Json(new { email = "carol@example.com" }));
        await Ledger.RecordAsync(carol, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, ValidFor = TimeSpan.FromDays(1) });
        _host.Time.Advance(TimeSpan.FromDays(2));
        await _host.Administration.RunDueWorkAsync();
        HeadOf(_alice).Should().Be(4);
        HeadOf(carol).Should().Be(2, "the expiry the due-work pass appended moved Carol's head");
        (await Ledger.GetHistoryAsync(carol)).Should().HaveCount(2);

        await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(_bob));

        _host.Scalar<long>("SELECT COUNT(*) FROM consent_heads WHERE owner = @b", new { b = _bob.ToByteArray() }).Should().Be(0);
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
    }

    [Test]
    public async Task Restart_OfAVaultFromBeforeTheHeads_WritesThemOnce_AndThenReadsFindACutTail()
    {
        var (database, key) = (_host.Database, _host.MasterKey);
        await _host.DisposeAsync();
        ConsentSchema.DowngradeHeads(_store, database);

        _host = await StartAsync(database, key);
        (HeadOf(_alice), HeadOf(_bob)).Should().Be((4L, 1L), "the start that applied the heads' migration wrote them");
        HeadEvents().Should().Be(1);
        LinkEvents().Should().Be(1, "the chain existed: nothing was linked again");
        (await Ledger.GetHistoryAsync(_alice)).Should().HaveCount(4);
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
        (await _host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();

        await _host.DisposeAsync();
        _host = await StartAsync(database, key);
        HeadEvents().Should().Be(1, "only the start that applied the migration writes the heads");
        _host.Sql("DELETE FROM consent_events WHERE owner = @a AND seq = 4", new { a = _alice.ToByteArray() });
        await FluentActions.Awaiting(() => Ledger.IsAllowedAsync(_alice, "newsletter")).Should().ThrowAsync<VaultCryptoException>();
    }

    [Test]
    public async Task Restart_AfterTheHeadsWereDroppedAndTheirMigrationMadeToRunAgain_VerifyAsyncReportsASecondWriting()
    {
        var (database, key) = (_host.Database, _host.MasterKey);
        await _host.DisposeAsync();
        ConsentSchema.DowngradeHeads(_store, database);
        _host = await StartAsync(database, key);
        await _host.DisposeAsync();
        ConsentSchema.DowngradeHeads(_store, database);

        _host = await StartAsync(database, key);

        HeadEvents().Should().Be(2);
        var result = await Ledger.VerifyAsync();
        result.IsIntact.Should().BeFalse();
        result.Problem.Should().Contain("consent.heads");
    }

    private async Task<VaultHost> StartAsync(string database, byte[] key, DateTimeOffset? now = null)
    {
        var host = await VaultHost.StartAsync(
            o => SampleCatalog.Declare(o.Privacy), database: database, masterKey: key, store: _store, time: now is { } at ? new FakeTimeProvider(at) : null);
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }

    private long HeadEvents() => _host.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'consent.heads'");

    private long HeadOf(Guid person) => _host.Scalar<long>("SELECT seq FROM consent_heads WHERE owner = @p", new { p = person.ToByteArray() });

    private long LinkEvents() => _host.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'consent.link'");

    private long Id(long nth) =>
        _host.Scalar<long>($"SELECT id FROM consent_events WHERE owner = @a ORDER BY id LIMIT 1 OFFSET {nth - 1}", new { a = _alice.ToByteArray() });

    private void Tamper(string tampering)
    {
        var a = _alice.ToByteArray();
        var b = _bob.ToByteArray();
        const string Columns = "activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence";
        switch (tampering)
        {
            case "rewrite":
                _host.Sql("UPDATE consent_events SET decision = 1 WHERE id = @id", new { id = Id(4) });
                break;
            case "delete":
                _host.Sql("DELETE FROM consent_events WHERE id = @id", new { id = Id(2) });
                break;
            case "cut-tail":
                _host.Sql("DELETE FROM consent_events WHERE id = @id", new { id = Id(4) });
                break;
            case "swap-times":
                var (first, second) = (Id(1), Id(2));
                var at = _host.Scalar<long>("SELECT at FROM consent_events WHERE id = @first", new { first });
                _host.Sql("UPDATE consent_events SET at = (SELECT at FROM consent_events WHERE id = @second) WHERE id = @first", new { first, second });
                _host.Sql("UPDATE consent_events SET at = @at WHERE id = @second", new { at, second });
                break;
            case "swap-sequences":
                _host.Sql("UPDATE consent_events SET seq = -1 WHERE owner = @a AND seq = 1", new { a });
                _host.Sql("UPDATE consent_events SET seq = 1 WHERE owner = @a AND seq = 2", new { a });
                _host.Sql("UPDATE consent_events SET seq = 2 WHERE owner = @a AND seq = -1", new { a });
                break;
            case "copy":
                _host.Sql($"INSERT INTO consent_events (owner, seq, link, {Columns}) SELECT @a, 5, link, {Columns} FROM consent_events WHERE owner = @b", new { a, b });
                break;
            case "duplicate":
                _host.Sql($"INSERT INTO consent_events (owner, seq, link, {Columns}) SELECT owner, 5, link, {Columns} FROM consent_events WHERE id = @id", new { id = Id(4) });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }
    }
}
