using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Databunker.Core.Consent;
using Databunker.Core.Export;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Consent;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ConsentLedgerTests(string store)
{
    private static readonly ConsentEvidence Evidence = new() { Reference = "form-8812", IpAddress = "203.0.113.77", UserAgent = "Mozilla/5.0 (Consenting)" };
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task AHistoryAcrossThreeNoticeVersions_ReadsBackExactly_AndTheStateFollowsIt()
    {
        var database = _store.NewDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        Guid person;
        await using (var v1 = await StartAsync(database, key, SampleCatalog.NewsletterText))
        {
            person = await v1.Vault.CreatePersonAsync(Json(new { email = "consent@example.com" }));
            var ledger = v1.Services.GetRequiredService<IConsentLedger>();
            (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeFalse("nobody asked yet");
            await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Method = ConsentMethod.Form, Source = "signup", Evidence = Evidence });
            (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeTrue();
        }

        await using (var v2 = await StartAsync(database, key, "Version two of the newsletter notice."))
        {
            var ledger = v2.Services.GetRequiredService<IConsentLedger>();
            var state = (await ledger.GetStateAsync(person)).Single();
            (state.Decision, state.NeedsReconsent, state.IsGranted).Should().Be((ConsentDecision.Granted, true, false), "the notice changed since the grant");
            (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeFalse();
            await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Source = "banner" });
            (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeTrue();
        }

        await using var v3 = await StartAsync(database, key, "Version three of the newsletter notice.");
        var current = v3.Services.GetRequiredService<IConsentLedger>();
        await current.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn, Method = ConsentMethod.GlobalPrivacyControl });

        var history = await current.GetHistoryAsync(person);
        history.Select(e => (e.Decision, e.Method, e.Source, e.NoticeVersion)).Should().Equal(
            (ConsentDecision.Granted, ConsentMethod.Form, "signup", 1),
            (ConsentDecision.Granted, ConsentMethod.Api, "banner", 2),
            (ConsentDecision.Withdrawn, ConsentMethod.GlobalPrivacyControl, null, 3));
        history[0].Evidence.Should().Be(Evidence);
        history[1].Evidence.Should().BeNull();
        history[0].NoticeHash.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SampleCatalog.NewsletterText))), "the exact text shown is named");
        history.Select(e => e.Id).Should().BeInAscendingOrder();
        var final = (await current.GetStateAsync(person)).Single();
        (final.Decision, final.IsGranted).Should().Be((ConsentDecision.Withdrawn, false));
        (await current.IsAllowedAsync(person, "newsletter")).Should().BeFalse();
        (await current.IsAllowedAsync(person, "orders")).Should().BeTrue("orders rest on the contract, not on consent");
    }

    [Test]
    public async Task AnExpiredGrant_ReadsAsExpired_AndTheDueWorkPassClosesItOnce()
    {
        await using var host = await StartAsync(_store.NewDatabase(), RandomNumberGenerator.GetBytes(32), SampleCatalog.NewsletterText);
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "expiring@example.com" }));
        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, ValidFor = TimeSpan.FromDays(30) });

        host.Time.Advance(TimeSpan.FromDays(30));
        (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeFalse("the grant ran out, swept or not");
        (await host.Administration.RunDueWorkAsync())["consent"].Should().Be(1);
        (await host.Administration.RunDueWorkAsync())["consent"].Should().Be(0);

        (await ledger.GetHistoryAsync(person)).Select(e => e.Decision).Should().Equal(ConsentDecision.Granted, ConsentDecision.Expired);
        (await host.Vault.GetAuditEventsAsync(person)).Should().Contain(e => e.Operation == AuditOperations.ConsentExpired);
    }

    [Test]
    public async Task BadDecisions_AreRefusedAndNothingIsWritten()
    {
        await using var host = await StartAsync(_store.NewDatabase(), RandomNumberGenerator.GetBytes(32), SampleCatalog.NewsletterText);
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "bad@example.com" }));

        async Task Refused(ConsentRecord record) =>
            await FluentActions.Awaiting(() => ledger.RecordAsync(person, record)).Should().ThrowAsync<VaultInputException>();

        await Refused(new ConsentRecord { Activity = "unknown", Decision = ConsentDecision.Granted });
        await Refused(new ConsentRecord { Activity = "orders", Decision = ConsentDecision.Granted });
        await Refused(new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Expired });
        await Refused(new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, NoticeVersion = 7 });
        await Refused(new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, ValidFor = TimeSpan.Zero });
        await Refused(new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Evidence = new ConsentEvidence { UserAgent = new string('u', 1001) } });
        await FluentActions.Awaiting(() => ledger.RecordAsync(Guid.NewGuid(), new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted }))
            .Should().ThrowAsync<PersonNotFoundException>();
        await FluentActions.Awaiting(() => ledger.IsAllowedAsync(person, "unknown")).Should().ThrowAsync<VaultInputException>();
        (await ledger.GetHistoryAsync(person)).Should().BeEmpty();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Forget_RemovesTheEvidence_AndTheHistoryUnlessKeptAsProof(bool keepHistory)
    {
        await using var host = await StartAsync(_store.NewDatabase(), RandomNumberGenerator.GetBytes(32), SampleCatalog.NewsletterText, keepHistory);
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "forgotten@example.com" }));
        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Evidence = Evidence });
        host.Holds(Encoding.UTF8.GetBytes(Evidence.IpAddress!)).Should().BeFalse("evidence is sealed");

        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person));

        var rows = host.Scalar<long>("SELECT COUNT(*) FROM consent_events WHERE owner = @id", new { id = person.ToByteArray() });
        rows.Should().Be(keepHistory ? 1 : 0);
        host.Scalar<long>("SELECT COUNT(*) FROM consent_events WHERE evidence IS NOT NULL").Should().Be(0);
    }

    [Test]
    public async Task TheExport_HasTheConsentHistoryWithItsEvidence()
    {
        await using var host = await StartAsync(_store.NewDatabase(), RandomNumberGenerator.GetBytes(32), SampleCatalog.NewsletterText);
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "exported@example.com" }));
        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Evidence = Evidence });

        using var stream = new MemoryStream();
        await host.Services.GetRequiredService<IPersonExporter>().ExportAsync(person, stream);
        using var document = JsonDocument.Parse(stream.ToArray());

        var consent = document.RootElement.GetProperty("consents").EnumerateArray().Single();
        consent.GetProperty("decision").GetString().Should().Be("granted");
        consent.GetProperty("noticeVersion").GetInt32().Should().Be(1);
        consent.GetProperty("evidence").GetProperty("ipAddress").GetString().Should().Be(Evidence.IpAddress);
    }

    [Test]
    public async Task ADecisionForAnEmailBeforeRegistration_WaitsSealed_AndIsAttachedWhenThePersonRegisters()
    {
        await using var host = await StartAsync(_store.NewDatabase(), RandomNumberGenerator.GetBytes(32), SampleCatalog.NewsletterText);
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var decision = new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Method = ConsentMethod.Form, Source = "footer", Evidence = Evidence };

        (await ledger.RecordForContactAsync(PersonLookup.ByEmail("Early.Bird@Example.com"), decision)).Should().BeNull("nobody holds the address yet");
        (await ledger.RecordForContactAsync(PersonLookup.ByPhone("+44 7700 900123"), decision with { Decision = ConsentDecision.Refused, Evidence = null })).Should().BeNull();
        host.Holds(Encoding.UTF8.GetBytes(Evidence.IpAddress!)).Should().BeFalse("the evidence waits sealed");
        host.Holds(Encoding.UTF8.GetBytes("early.bird@example.com")).Should().BeFalse("the address is kept as a blind index only");
        await FluentActions.Awaiting(() => ledger.RecordForContactAsync(PersonLookup.ByLogin("early"), decision)).Should().ThrowAsync<VaultInputException>();

        host.Time.Advance(TimeSpan.FromMinutes(5));
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "early.bird@example.com", phone = "07700 900123" }));

        var history = await ledger.GetHistoryAsync(person);
        history.Select(e => (e.Decision, e.Source, e.At)).Should().Equal(
            (ConsentDecision.Granted, "footer", host.Time.GetUtcNow() - TimeSpan.FromMinutes(5)),
            (ConsentDecision.Refused, "footer", host.Time.GetUtcNow() - TimeSpan.FromMinutes(5)));
        history[0].Evidence.Should().Be(Evidence, "the evidence is sealed again under the person's key");
        (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeFalse("the refusal came last");
        (await host.Vault.GetAuditEventsAsync(person)).Count(e => e.Operation == AuditOperations.ConsentAttach).Should().Be(2);
        (await ledger.AttachPendingAsync()).Should().Be(0, "nothing is left to attach");
        (await ledger.RecordForContactAsync(PersonLookup.ByEmail("early.bird@example.com"), decision)).Should().Be(person, "now the address has a person");
        (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeTrue();
    }

    [Test]
    public async Task ADecisionNoOneRegistersFor_IsDeletedByThePassAfterItsLifetime()
    {
        await using var host = await StartAsync(_store.NewDatabase(), RandomNumberGenerator.GetBytes(32), SampleCatalog.NewsletterText);
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        await ledger.RecordForContactAsync(PersonLookup.ByEmail("never@example.com"), new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Evidence = Evidence });

        host.Time.Advance(TimeSpan.FromDays(90) - TimeSpan.FromMilliseconds(1));
        (await host.Administration.RunDueWorkAsync())["consent"].Should().Be(0);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        (await host.Administration.RunDueWorkAsync())["consent"].Should().Be(1);

        var person = await host.Vault.CreatePersonAsync(Json(new { email = "never@example.com" }));
        (await ledger.GetHistoryAsync(person)).Should().BeEmpty("the decision was deleted before anyone registered");
    }

    [Test]
    public async Task ANewNoticeVersion_MakesThePassMarkEveryGrantForReconsent_Once()
    {
        var database = _store.NewDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        var persons = new List<Guid>();
        await using (var v1 = await StartAsync(database, key, SampleCatalog.NewsletterText))
        {
            var ledger = v1.Services.GetRequiredService<IConsentLedger>();
            for (var i = 0; i < 3; i++)
            {
                persons.Add(await v1.Vault.CreatePersonAsync(Json(new { email = $"reader{i}@example.com" })));
                await ledger.RecordAsync(persons[i], new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
            }

            await ledger.RecordAsync(persons[2], new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn });
            (await v1.Administration.RunDueWorkAsync())["consent"].Should().Be(0, "every grant is for the latest notice");
        }

        await using var v2 = await StartAsync(database, key, "Version two: now also about offers from partners.");
        var current = v2.Services.GetRequiredService<IConsentLedger>();
        (await v2.Administration.RunDueWorkAsync())["consent"].Should().Be(2);
        (await v2.Administration.RunDueWorkAsync())["consent"].Should().Be(0, "each grant is marked once");

        (await current.ListByLatestDecisionAsync("newsletter", ConsentDecision.ReconsentRequired)).Select(p => p.Person).Should().BeEquivalentTo(persons.Take(2));
        var state = (await current.GetStateAsync(persons[0])).Single();
        (state.Decision, state.NeedsReconsent, state.IsGranted).Should().Be((ConsentDecision.ReconsentRequired, true, false));
        (await v2.Vault.GetAuditEventsAsync(persons[0])).Should().Contain(e => e.Operation == AuditOperations.ConsentReconsent);

        await current.RecordAsync(persons[0], new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        (await current.IsAllowedAsync(persons[0], "newsletter")).Should().BeTrue();
        (await current.ListByLatestDecisionAsync("newsletter", ConsentDecision.Granted)).Select(p => p.Person).Should().Equal(persons[0]);
    }

    private async Task<VaultHost> StartAsync(string database, byte[] key, string newsletterText, bool keepHistory = false)
    {
        var host = await VaultHost.StartAsync(
            o =>
            {
                SampleCatalog.Declare(o.Privacy, newsletterText);
                o.Consent.KeepHistoryAfterForget = keepHistory;
            },
            database: database,
            masterKey: key,
            store: _store);
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }
}
