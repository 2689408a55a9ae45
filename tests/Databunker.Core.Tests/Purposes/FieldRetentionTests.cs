using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core.Consent;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Purposes;

/// <summary>Fields go when every purpose that declares them has ended for the person; the rest stay, still found; the last field takes the person.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class FieldRetentionTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task AFieldPastItsRetention_IsGoneAfterThePass_AndTheOthersStay_StillFoundByTheirLookups()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Customer());

        host.Time.Advance(TimeSpan.FromDays(350));
        await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(token)); // keeps the address 30 more days
        host.Time.Advance(TimeSpan.FromDays(14));
        (await host.Administration.RunDueWorkAsync()).Should().NotBeNull();
        (await ProfileAsync(host, token)).TryGetProperty("birthdate", out _).Should().BeTrue("fraud prevention keeps it for a year");

        host.Time.Advance(TimeSpan.FromDays(2));
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(1);

        var profile = await ProfileAsync(host, token);
        profile.TryGetProperty("birthdate", out _).Should().BeFalse();
        profile.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["email", "login", "name", "phone", "address", "shoeSize"], "the other fields stay, and an undeclared one is no purpose's to remove");
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("alice@mail.example")))!.Token.Should().Be(token);
        (await host.Vault.GetPersonAsync(PersonLookup.ByLogin("alice")))!.Token.Should().Be(token);
        (await host.Vault.GetPersonAsync(PersonLookup.ByPhone("+44 20 7946 0958")))!.Token.Should().Be(token);

        var minimise = (await host.Vault.GetAuditEventsAsync(token)).Single(e => e.Operation == AuditOperations.PersonMinimise);
        minimise.Actor.Should().Be("databunker-scheduler");
        minimise.Details.Should().Be("""{"removed":["/birthdate"]}""");
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(0, "nothing else is due");
    }

    [Test]
    public async Task EndingAPurpose_TakesItsFieldsAtTheNextPass_OrAfterARetentionCountedFromTheEnd_AndTheirIndexes()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Customer());

        (await host.Vault.EndPurposeAsync(PersonLookup.ByEmail("alice@mail.example"), "delivery")).Should().BeTrue();
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(4, "the name and the three parts of the address were delivery's only");

        var profile = await ProfileAsync(host, token);
        profile.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["email", "login", "phone", "birthdate", "shoeSize"], "the phone is kept a week after the contract ends");

        host.Time.Advance(TimeSpan.FromDays(7));
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(1);
        (await ProfileAsync(host, token)).TryGetProperty("phone", out _).Should().BeFalse();
        (await host.Vault.GetPersonAsync(PersonLookup.ByPhone("+44 20 7946 0958"))).Should().BeNull("a removed field's index goes with it");
        (await host.Vault.CreatePersonAsync(Json(new { phone = "+44 20 7946 0958" }))).Should().NotBe(token, "and its value is free for someone else");

        (await FluentActions.Awaiting(() => host.Vault.EndPurposeAsync(PersonLookup.ByToken(token), "no-such-purpose")).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NotDeclared);
        (await host.Vault.EndPurposeAsync(PersonLookup.ByEmail("nobody@mail.example"), "delivery")).Should().BeFalse();
    }

    [Test]
    public async Task ARetentionCountedFromLastUse_RunsAgainWithEachUse()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Customer());

        host.Time.Advance(TimeSpan.FromDays(20));
        await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(token));
        host.Time.Advance(TimeSpan.FromDays(15));
        await host.Vault.DeleteExpiredFieldsAsync();
        (await ProfileAsync(host, token)).TryGetProperty("address", out _).Should().BeTrue("used 15 days ago, kept for 30 days from its last use");

        host.Time.Advance(TimeSpan.FromDays(16));
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(3);
        (await ProfileAsync(host, token)).TryGetProperty("address", out _).Should().BeFalse();
    }

    [Test]
    public async Task AWithdrawnConsent_TakesTheFieldsOnlyItHeld_AndTheLastFieldTakesThePerson()
    {
        await using var host = await StartAsync();
        var ledger = host.Services.GetRequiredService<IConsentLedger>();
        var subscriber = await host.Vault.CreatePersonAsync(Json(new { nickname = "Reader", topics = new[] { "shoes" } }));
        var customer = await host.Vault.CreatePersonAsync(Customer());
        await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(customer), Json(new { topics = new[] { "boots" } }));
        foreach (var person in new[] { subscriber, customer })
        {
            await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Source = "signup" });
        }

        host.Time.Advance(TimeSpan.FromDays(3));
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(0, "the consent stands");
        foreach (var person in new[] { subscriber, customer })
        {
            await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn, Source = "unsubscribe" });
        }

        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(3, "the customer's topics, and the subscriber's nickname and topics");

        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(subscriber))).Should().BeNull("their last field went, so they were forgotten whole");
        (await host.Vault.GetAuditEventsAsync(subscriber)).Last().Operation.Should().Be(AuditOperations.PersonMinimise);
        var customerProfile = await ProfileAsync(host, customer);
        customerProfile.TryGetProperty("topics", out _).Should().BeFalse();
        customerProfile.GetProperty("email").GetString().Should().Be("alice@mail.example", "the account still needs the email the newsletter no longer does");
    }

    [Test]
    public async Task AForgottenPerson_LeavesNoPurposeStateOrLookBehind()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Customer());
        await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(token));
        await host.Vault.EndPurposeAsync(PersonLookup.ByToken(token), "account");

        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token));

        host.Scalar<long>("SELECT COUNT(*) FROM purpose_states").Should().Be(0);
        host.Scalar<long>("SELECT COUNT(*) FROM field_retention").Should().Be(0);
    }

    [Test]
    public async Task TheExport_SaysForEachFieldWhichPurposesHoldIt_AndUntilWhen()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Customer());
        var created = host.Time.GetUtcNow();
        host.Time.Advance(TimeSpan.FromDays(1));
        await host.Vault.EndPurposeAsync(PersonLookup.ByToken(token), "delivery");

        using var export = new MemoryStream();
        await host.Services.GetRequiredService<Databunker.Core.Export.IPersonExporter>().ExportAsync(token, export);
        using var document = JsonDocument.Parse(export.ToArray());
        var holds = document.RootElement.GetProperty("profile").GetProperty("purposes").EnumerateArray()
            .ToDictionary(f => f.GetProperty("field").GetString()!, f => f.GetProperty("heldBy").EnumerateArray()
                .Select(h => (h.GetProperty("purpose").GetString(), h.GetProperty("until").ValueKind == JsonValueKind.Null ? (DateTimeOffset?)null : h.GetProperty("until").GetDateTimeOffset())).ToList());

        holds["/email"].Should().Equal(("account", (DateTimeOffset?)null), ("newsletter", null), ("fraud", null));
        holds["/phone"].Should().Equal([("delivery", (DateTimeOffset?)created.AddDays(8))], "a week after the contract ended");
        holds["/birthdate"].Should().Equal([("fraud", (DateTimeOffset?)created.AddDays(365))]);
        holds["/address/city"].Should().Equal([("delivery", (DateTimeOffset?)created.AddDays(1))], "delivery ended, and nothing else holds the address");
        holds["/shoeSize"].Should().BeEmpty("no purpose declares it");
    }

    [Test]
    public async Task TheRetentionNoticeAndTheArt30Record_ListEachPurposesFields_TheirViewAndRetention()
    {
        await using var host = await StartAsync();
        var catalog = host.Services.GetRequiredService<IPrivacyCatalog>();

        var notice = catalog.GetRetentionNoticeMarkdown();
        notice.Should().Contain("| Delivering your orders | /address | as stored | 30 days after its last use |")
            .And.Contain("| Delivering your orders | /phone | its last four characters only | 1 week after the contract ends |")
            .And.Contain("| Sending you our newsletter | /topics | as stored | until consent is withdrawn |")
            .And.Contain("| Preventing fraud | /birthdate | the year only | 1 year from collection |");
        catalog.GetRecordOfProcessingMarkdown().Should().Contain("| Fields used, as seen, and kept (Art. 5(1)(c),(e)) | /email (the email domain only; while the purpose lasts); /birthdate (the year only; 1 year from collection) |");
        using var record = JsonDocument.Parse(catalog.GetRecordOfProcessingJson());
        var fraud = record.RootElement.GetProperty("activities").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "fraud");
        fraud.GetProperty("fields")[1].GetProperty("retention").GetString().Should().Be("P365D");
        fraud.GetProperty("fields")[1].GetProperty("view").GetString().Should().Be("Year");
    }

    [Test]
    public async Task TheMinimisationReport_CountsPerFieldWhoHoldsIt_OverCollected_AndPastRetention()
    {
        await using var host = await StartAsync();
        var customer = await host.Vault.CreatePersonAsync(Customer());
        await host.Vault.CreatePersonAsync(Json(new { email = "bob@mail.example", login = "bob" }));
        await host.Vault.EndPurposeAsync(PersonLookup.ByToken(customer), "delivery");

        var report = await host.Administration.GetMinimisationReportAsync();

        report.Persons.Should().Be(2);
        var fields = report.Fields.ToDictionary(f => f.Field);
        fields["/email"].Should().BeEquivalentTo(new FieldUsage("/email", 2, ["account", "newsletter", "fraud"], 0, 0));
        fields["/shoeSize"].Should().BeEquivalentTo(new FieldUsage("/shoeSize", 1, [], 1, 0), "no purpose declares it: over-collection");
        fields["/address/city"].Should().BeEquivalentTo(new FieldUsage("/address/city", 1, ["delivery"], 0, 1), "delivery ended, and the pass has not run yet");
        report.OverCollected.Select(f => f.Field).Should().Equal("/shoeSize");
        report.PastRetention.Select(f => f.Field).Should().Equal("/address/city", "/address/postcode", "/address/street", "/name");

        await host.Vault.DeleteExpiredFieldsAsync();
        (await host.Administration.GetMinimisationReportAsync()).PastRetention.Should().BeEmpty("the pass deleted them");
        host.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'admin.minimisation'").Should().Be(2);
    }

    private static JsonElement Customer() => Parse("""
        {
          "email": "alice@mail.example", "login": "alice", "name": "Alice Example", "phone": "+44 20 7946 0958", "birthdate": "1990-05-17",
          "address": { "street": "1 High Street", "city": "Leeds", "postcode": "LS1 1AA" }, "shoeSize": 38
        }
        """);

    private static async Task<JsonElement> ProfileAsync(VaultHost host, Guid token) => (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile;

    private async Task<VaultHost> StartAsync()
    {
        var host = await VaultHost.StartAsync(
            o =>
            {
                MinimisationShop.Declare(o.Privacy);
                (o.Privacy.RequirePurpose, o.Privacy.CollectionLimit) = (false, CollectionLimit.Off);
            },
            store: _store,
            masterKey: RandomNumberGenerator.GetBytes(32));
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }
}
