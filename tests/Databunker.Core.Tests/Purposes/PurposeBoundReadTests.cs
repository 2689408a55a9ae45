using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Consent;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Purposes;

/// <summary>Reads that name their purpose get exactly what the catalogue declares for it (GDPR Art. 5(1)(c)), on every provider.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class PurposeBoundReadTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task ReadForAPurpose_ReturnsExactlyItsFields_InTheirViews()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());

        var delivery = await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByEmail("alice@mail.example"));
        delivery!.Token.Should().Be(token);
        SameJson(delivery.Profile, Parse("""
            { "name": "Alice Example", "phone": "****0958", "address": { "street": "1 High Street", "city": "Leeds", "postcode": "LS1 1AA" } }
            """)).Should().BeTrue(delivery.Profile.GetRawText());

        var fraud = await host.Vault.ForPurpose("fraud").GetPersonAsync(PersonLookup.ByToken(token));
        SameJson(fraud!.Profile, Parse("""{ "email": "mail.example", "birthdate": "1990", "address": { "city": "Leeds" } }""")).Should().BeTrue(fraud.Profile.GetRawText());

        var account = await host.Vault.ForPurpose("account").GetPersonAsync(PersonLookup.ByLogin("alice"));
        SameJson(account!.Profile, Parse("""{ "email": "alice@mail.example", "login": "alice", "name": "Alice Example" }""")).Should().BeTrue();

        // Checked against the full profile: nothing the purpose does not declare, no null where a field was left out.
        var full = await host.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        full!.Profile.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["email", "login", "name", "phone", "birthdate", "address"]);
        delivery.Profile.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["name", "phone", "address"]);
        delivery.Profile.TryGetProperty("email", out _).Should().BeFalse("a field outside the purpose is absent, not null");
    }

    [Test]
    public async Task AFieldTheProfileLacks_OrAViewCannotShow_IsAbsent()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "bob@mail.example", birthdate = "sometime in May", phone = 2079460123L }));

        var fraud = await host.Vault.ForPurpose("fraud").GetPersonAsync(PersonLookup.ByToken(token));
        fraud!.Profile.GetRawText().Should().Be("""{"email":"mail.example"}""", "a birthdate that is no date shows no year, and there is no address");

        var delivery = await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(token));
        delivery!.Profile.GetRawText().Should().Be("""{"phone":"****0123"}""", "a phone stored as a number is masked as its digits");
    }

    [Test]
    public async Task AConsentPurpose_IsRefusedUntilGranted_AndAgainOnceWithdrawn()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        var newsletter = host.Vault.ForPurpose("newsletter");
        var ledger = host.Services.GetRequiredService<IConsentLedger>();

        var refused = await FluentActions.Awaiting(() => newsletter.GetPersonAsync(PersonLookup.ByToken(token))).Should().ThrowAsync<PurposeNotAllowedException>();
        refused.Which.Reason.Should().Be(PurposeRefusal.NoConsent);
        refused.Which.Purpose.Should().Be("newsletter");

        await ledger.RecordAsync(token, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Source = "signup" });
        var granted = await newsletter.GetPersonAsync(PersonLookup.ByToken(token));
        granted!.Profile.GetRawText().Should().Be("""{"email":"alice@mail.example","name":"Alice"}""", "the host's transform shows the first name");

        await ledger.RecordAsync(token, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn, Source = "unsubscribe link" });
        (await FluentActions.Awaiting(() => newsletter.GetPersonAsync(PersonLookup.ByEmail("alice@mail.example"))).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NoConsent);

        var trail = await host.Vault.GetAuditEventsAsync(token);
        trail.Where(e => e.Operation == AuditOperations.PersonUse).Select(e => e.Outcome).Should().Equal(AuditOutcomes.Refused, AuditOutcomes.Success, AuditOutcomes.Refused);
    }

    [Test]
    public async Task APurposeNotInTheCatalogue_IsRefused_WithoutRepeatingWhatWasPassed()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());

        var unknown = await FluentActions.Awaiting(() => host.Vault.ForPurpose("marketing").GetPersonAsync(PersonLookup.ByToken(token))).Should().ThrowAsync<PurposeNotAllowedException>();
        unknown.Which.Reason.Should().Be(PurposeRefusal.NotDeclared);
        unknown.Which.Message.Should().Contain("'marketing'");

        var mistaken = await FluentActions.Awaiting(() => host.Vault.ForPurpose("alice@mail.example").GetPersonAsync(PersonLookup.ByToken(token))).Should().ThrowAsync<PurposeNotAllowedException>();
        mistaken.Which.Message.Should().NotContain("alice", "whatever a caller passed as a purpose may be personal data");
    }

    [Test]
    public async Task EveryPurposeRead_IsAudited_WithItsPurposeAndTheFieldsReturned_NeverTheirValues()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());

        await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(token));

        var use = (await host.Vault.GetAuditEventsAsync(token)).Single(e => e.Operation == AuditOperations.PersonUse);
        use.Outcome.Should().Be(AuditOutcomes.Success);
        using var details = JsonDocument.Parse(use.Details!);
        details.RootElement.GetProperty("purpose").EnumerateArray().Select(e => e.GetString()).Should().Equal("delivery");
        details.RootElement.GetProperty("fields").EnumerateArray().Select(e => e.GetString()).Should().Equal("/name", "/phone", "/address");
        use.Details.Should().NotContain("Leeds").And.NotContain("0958");

        // In the database the details are the catalogue's names in the clear (no encryption on every read): no value of the person's.
        var raw = System.Text.Encoding.UTF8.GetString(host.Scalar<byte[]>("SELECT details FROM audit_events WHERE operation = 'person.use'")!);
        raw.Should().Contain("delivery").And.Contain("/address");
        foreach (var value in new[] { "Leeds", "0958", "Alice", "High Street", "mail.example" })
        {
            raw.Should().NotContain(value);
        }

        // A forget leaves them readable, as it leaves the operation's name: they say which purpose, never whose data.
        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token));
        (await host.Vault.GetAuditEventsAsync(token)).Single(e => e.Operation == AuditOperations.PersonUse).DetailsUnreadable.Should().BeFalse();
    }

    [Test]
    public async Task APurposeReadsDetails_RewrittenInTheDatabase_AreFoundByTheAuditChain()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(token));
        await host.Vault.GetAuditEventsAsync(token); // commits the read's event
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();

        var details = host.Scalar<byte[]>("SELECT details FROM audit_events WHERE operation = 'person.use'")!;
        var forged = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(details).Replace("delivery", "account!", StringComparison.Ordinal));
        host.Sql("UPDATE audit_events SET details = @forged WHERE operation = 'person.use'", new { forged });

        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeFalse("the chain covers the details kept in the clear");
    }

    [Test]
    public async Task UnderRequirePurpose_AReadWithoutOne_IsRefused_AndTheVaultsOwnPurposeSeesEverything()
    {
        await using var host = await StartAsync(o => o.Privacy.RequirePurpose = true);
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        var appData = host.Services.GetRequiredService<IAppDataManager>();
        await appData.PutAsync(token, "preferences", Json(new { theme = "dark" }));

        (await FluentActions.Awaiting(() => host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.PurposeRequired);
        (await FluentActions.Awaiting(() => appData.GetAsync(token, "preferences")).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.PurposeRequired);

        var whole = await host.Vault.ForPurpose(Databunker.Core.Privacy.Purposes.DataProtection).GetPersonAsync(PersonLookup.ByToken(token));
        SameJson(whole!.Profile, ShopCatalog.Customer()).Should().BeTrue("answering the person's rights needs all of their data");
        (await appData.GetForPurposeAsync(token, "preferences", "account"))!.Data.GetProperty("theme").GetString().Should().Be("dark");
        (await host.Vault.ForPurpose("account").GetAppDataAsync(token, "preferences"))!.Data.GetProperty("theme").GetString().Should().Be("dark", "the purpose-bound view reads app data too");
        (await FluentActions.Awaiting(() => host.Vault.ForPurpose("delivery").GetAppDataAsync(token, "preferences")).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.DataNotDeclared);
        (await FluentActions.Awaiting(() => appData.GetForPurposeAsync(token, "preferences", "delivery")).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.DataNotDeclared);
    }

    [Test]
    public async Task AReadForTheVaultsOwnPurpose_IsAuditedByPurposeOnly_NotByTheHostsMemberNames()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(Json(new { email = "eve@mail.example", hivStatus = "negative" }));

        await host.Vault.ForPurpose(Databunker.Core.Privacy.Purposes.DataProtection).GetPersonAsync(PersonLookup.ByToken(token));

        var use = (await host.Vault.GetAuditEventsAsync(token)).Single(e => e.Operation == AuditOperations.PersonUse);
        use.Details.Should().Be("{\"purpose\":[\"data-protection\"],\"fields\":[]}", "a member's name is the host's, and clear details outlive a forget");
    }

    [Test]
    public async Task WithoutRequirePurpose_APlainRead_StillReturnsTheWholeProfile()
    {
        await using var host = await StartAsync();
        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        SameJson((await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile, ShopCatalog.Customer()).Should().BeTrue();
    }

    [Test]
    public async Task UnderCollectionLimitRefuse_AnUndeclaredField_IsRefusedByName_AndNothingIsStored()
    {
        await using var host = await StartAsync(o => o.Privacy.CollectionLimit = CollectionLimit.Refuse);

        var refused = await FluentActions.Awaiting(() => host.Vault.CreatePersonAsync(Json(new { email = "carol@mail.example", shoeSize = 38, address = new { city = "York", floor = 3 } })))
            .Should().ThrowAsync<VaultInputException>();
        refused.Which.Field.Should().Be("/shoeSize");
        refused.Which.Message.Should().Contain("/shoeSize").And.NotContain("38");
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("carol@mail.example"))).Should().BeNull("nothing was stored");
        var named = await FluentActions.Awaiting(() => host.Vault.CreatePersonAsync(Parse("{ \"email\": \"carol@mail.example\", \"carol.secret@mail.example\": true }")))
            .Should().ThrowAsync<VaultInputException>();
        named.Which.Message.Should().NotContain("carol.secret", "a member's name that is not a plain field name may be data: it is not repeated");

        var token = await host.Vault.CreatePersonAsync(ShopCatalog.Customer("carol@mail.example"));
        (await FluentActions.Awaiting(() => host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { hobby = "chess" }))).Should().ThrowAsync<VaultInputException>())
            .Which.Field.Should().Be("/hobby");
        (await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Parse("""{ "birthdate": null, "address": { "city": "York" } }"""))).Should().BeTrue("removing a field and changing a declared one collect nothing new");
    }

    [Test]
    public async Task UnderCollectionLimitWarn_AnUndeclaredField_IsStoredAndLoggedByName()
    {
        await using var host = await StartAsync(o => o.Privacy.CollectionLimit = CollectionLimit.Warn);

        var token = await host.Vault.CreatePersonAsync(Json(new { email = "dan@mail.example", shoeSize = 44 }));

        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile.GetProperty("shoeSize").GetInt32().Should().Be(44);
        var warning = host.Logs.Lines.Single(l => l.Contains("[29]", StringComparison.Ordinal));
        warning.Should().StartWith(nameof(LogLevel.Warning)).And.Contain("/shoeSize").And.NotContain("44").And.NotContain("dan@");
    }

    private Task<VaultHost> StartAsync(Action<DatabunkerOptions>? configure = null)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return StartPublishedAsync(o =>
        {
            ShopCatalog.Declare(o.Privacy);
            o.AppData.Register("preferences");
            configure?.Invoke(o);
        }, key);
    }

    private async Task<VaultHost> StartPublishedAsync(Action<DatabunkerOptions> configure, byte[] key)
    {
        var host = await VaultHost.StartAsync(configure, store: _store, keys: b => ShopCatalog.AddTransforms(b.UseMasterKey(key)));
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }
}
