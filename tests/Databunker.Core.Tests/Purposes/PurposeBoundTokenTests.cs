using System.Security.Cryptography;
using System.Text;
using Databunker.Core.Consent;
using Databunker.Core.Privacy;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Purposes;

/// <summary>
/// A detokenize names its purpose like any other read (GDPR Art. 5(1)(c)): a token keeps its scope, and a purpose gets
/// back only the scopes its activity declares, on every provider.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class PurposeBoundTokenTests(string store)
{
    private const string Card = "4111 1111 1111 1111";
    private const string Iban = "GB82 WEST 1234 5698 7654 32";

    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task ATokenOfADeclaredScope_IsReadForThePurpose_AndOtherScopesAreRefused()
    {
        await using var host = await StartAsync();
        var person = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var card = await tokens.TokenizeAsync(Card, new TokenizeOptions { Scope = "card", Person = person });
        var iban = await tokens.TokenizeAsync(Iban, new TokenizeOptions { Scope = "iban", Person = person });

        var fraud = host.Vault.ForPurpose("fraud");
        (await fraud.DetokenizeAsync(card)).Should().Be(Card, "fraud prevention declares the scope 'card'");
        (await FluentActions.Awaiting(() => fraud.DetokenizeAsync(iban)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.DataNotDeclared);
        (await FluentActions.Awaiting(() => host.Vault.ForPurpose("delivery").DetokenizeAsync(card)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.DataNotDeclared);

        // A batch is all or none: one token of another scope refuses the call, and nothing is returned.
        (await FluentActions.Awaiting(() => fraud.DetokenizeManyAsync([card, iban])).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.DataNotDeclared);
        (await fraud.DetokenizeManyAsync([card, "no-such-token"])).Should().Equal(Card, null);

        // The vault's own purpose (answering the person's rights) reads every scope.
        (await host.Vault.ForPurpose(Databunker.Core.Privacy.Purposes.DataProtection).DetokenizeManyAsync([card, iban])).Should().Equal(Card, Iban);

        // The owner's trail: each read with its purpose and the token's scope, never the value; refusals as refused.
        var reads = (await host.Vault.GetAuditEventsAsync(person)).Where(e => e.Operation == AuditOperations.TokenDetokenize).ToList();
        reads.Select(e => e.Outcome).Should().Equal(
            AuditOutcomes.Success, AuditOutcomes.Refused, AuditOutcomes.Refused, AuditOutcomes.Refused, AuditOutcomes.Refused,
            AuditOutcomes.Success, AuditOutcomes.Success, AuditOutcomes.Success);
        reads[0].Details.Should().Be("""{"purpose":["fraud"],"scopes":["card"]}""");
        reads[1].Details.Should().Be("""{"purpose":["fraud"],"scopes":[]}""", "a scope the purpose does not declare is the host's word, not the catalogue's");
        reads[^1].Details.Should().Be("""{"purpose":["data-protection"],"scopes":[]}""");
        reads.Should().NotContain(e => e.Details!.Contains("4111", StringComparison.Ordinal) || e.Details.Contains("WEST", StringComparison.Ordinal));
    }

    [Test]
    public async Task AConsentPurpose_ReadsATokenOnlyWhileItsOwnerConsents_AndNeverAnUnownedOne()
    {
        await using var host = await StartAsync(o => o.Privacy.Activities.Single(a => a.Name == "newsletter").TokenScopes = ["loyalty"]);
        var person = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var owned = await tokens.TokenizeAsync("LOYAL-0001", new TokenizeOptions { Scope = "loyalty", Person = person });
        var unowned = await tokens.TokenizeAsync("LOYAL-0002", new TokenizeOptions { Scope = "loyalty" });
        var newsletter = host.Vault.ForPurpose("newsletter");
        var ledger = host.Services.GetRequiredService<IConsentLedger>();

        (await FluentActions.Awaiting(() => newsletter.DetokenizeAsync(owned)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NoConsent);

        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted, Source = "signup" });
        (await newsletter.DetokenizeAsync(owned)).Should().Be("LOYAL-0001");
        (await FluentActions.Awaiting(() => newsletter.DetokenizeAsync(unowned)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NoConsent, "no one's consent covers a token without an owner");
        (await FluentActions.Awaiting(() => newsletter.DetokenizeManyAsync([owned, unowned])).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NoConsent);

        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn, Source = "unsubscribe link" });
        (await FluentActions.Awaiting(() => newsletter.DetokenizeAsync(owned)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NoConsent);

        (await host.Vault.GetAuditEventsAsync(person)).Where(e => e.Operation == AuditOperations.TokenDetokenize).Select(e => e.Outcome)
            .Should().Equal(AuditOutcomes.Refused, AuditOutcomes.Success, AuditOutcomes.Refused, AuditOutcomes.Refused);
    }

    [Test]
    public async Task UnderRequirePurpose_APlainDetokenize_IsRefused_AndAPurposeReadIsNot()
    {
        await using var host = await StartAsync(o => o.Privacy.RequirePurpose = true);
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var card = await tokens.TokenizeAsync(Card, new TokenizeOptions { Scope = "card" });

        (await FluentActions.Awaiting(() => tokens.DetokenizeAsync(card)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.PurposeRequired);
        (await FluentActions.Awaiting(() => tokens.DetokenizeManyAsync([card])).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.PurposeRequired);

        (await tokens.DetokenizeForPurposeAsync(card, "fraud")).Should().Be(Card);
        (await tokens.DetokenizeManyForPurposeAsync([card], "fraud")).Should().Equal(Card);
        (await FluentActions.Awaiting(() => tokens.DetokenizeForPurposeAsync(card, "no-such-purpose")).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.NotDeclared);
    }

    [Test]
    public async Task WithoutRequirePurpose_APlainDetokenize_StillReadsEveryScope()
    {
        await using var host = await StartAsync();
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var iban = await tokens.TokenizeAsync(Iban, new TokenizeOptions { Scope = "iban" });
        (await tokens.DetokenizeAsync(iban)).Should().Be(Iban);
    }

    [Test]
    public async Task AScopeRewrittenInTheDatabase_FailsToOpen_InsteadOfReachingAnotherPurpose()
    {
        await using var host = await StartAsync();
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var iban = await tokens.TokenizeAsync(Iban, new TokenizeOptions { Scope = "iban" });
        await FluentActions.Awaiting(() => host.Vault.ForPurpose("fraud").DetokenizeAsync(iban)).Should().ThrowAsync<PurposeNotAllowedException>();

        host.Sql("UPDATE tokens SET scope = 'card' WHERE scope = 'iban'");
        await FluentActions.Awaiting(() => host.Vault.ForPurpose("fraud").DetokenizeAsync(iban)).Should().ThrowAsync<VaultCryptoException>("the scope is part of the value's associated data");

        host.Sql("UPDATE tokens SET scope = NULL");
        await FluentActions.Awaiting(() => tokens.DetokenizeAsync(iban)).Should().ThrowAsync<VaultCryptoException>("a scoped token cannot pass for one made before scopes were kept");
    }

    [TestCase(UnscopedTokens.Sealing.Current)]
    [TestCase(UnscopedTokens.Sealing.Legacy)]
    [TestCase(UnscopedTokens.Sealing.System)]
    public async Task ATokenMadeBeforeScopesWereKept_IsReadOnlyForTheVaultsOwnPurpose_AndGainsNoScopeByARewrite(UnscopedTokens.Sealing sealing)
    {
        await using var host = await StartAsync();
        var token = await UnscopedTokens.AddAsync(host.Services, "OLD-VALUE-1", sealing: sealing);

        (await host.Services.GetRequiredService<ITokenizer>().DetokenizeAsync(token)).Should().Be("OLD-VALUE-1", "a plain read reads it as before");
        (await host.Vault.ForPurpose(Databunker.Core.Privacy.Purposes.DataProtection).DetokenizeAsync(token)).Should().Be("OLD-VALUE-1");
        (await FluentActions.Awaiting(() => host.Vault.ForPurpose("fraud").DetokenizeAsync(token)).Should().ThrowAsync<PurposeNotAllowedException>())
            .Which.Reason.Should().Be(PurposeRefusal.DataNotDeclared, "its scope is not known, so no purpose's declaration covers it");

        host.Sql("UPDATE tokens SET scope = 'card'");
        await FluentActions.Awaiting(() => host.Vault.ForPurpose("fraud").DetokenizeAsync(token)).Should().ThrowAsync<VaultCryptoException>();
    }

    [Test]
    public async Task ADeterministicTokenMadeBeforeScopes_IsGivenBackForItsValue_UntilDeletedAndMadeAgainWithItsScope()
    {
        await using var host = await StartAsync();
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var old = await UnscopedTokens.AddAsync(host.Services, Card, deterministic: true);
        var options = new TokenizeOptions { Kind = TokenKind.Deterministic };

        (await tokens.TokenizeAsync(Card, options)).Should().Be(old, "the deterministic hash already covered the scope \"default\"");
        await FluentActions.Awaiting(() => host.Vault.ForPurpose("fraud").DetokenizeAsync(old)).Should().ThrowAsync<PurposeNotAllowedException>();

        (await tokens.DeleteTokenAsync(old)).Should().BeTrue();
        var scoped = await tokens.TokenizeAsync(Card, options with { Scope = "card" });
        scoped.Should().NotBe(old);
        (await host.Vault.ForPurpose("fraud").DetokenizeAsync(scoped)).Should().Be(Card);
        (await tokens.TokenizeAsync(Card, options with { Scope = "card" })).Should().Be(scoped);
    }

    [Test]
    public async Task ATokensScope_SurvivesARenewalOfTheSealingKey_AndIsInTheOwnersExport()
    {
        await using var host = await StartAsync();
        var person = await host.Vault.CreatePersonAsync(ShopCatalog.Customer());
        var tokens = host.Services.GetRequiredService<ITokenizer>();
        var unowned = await tokens.TokenizeAsync(Card, new TokenizeOptions { Scope = "card" });
        var owned = await tokens.TokenizeAsync(Iban, new TokenizeOptions { Scope = "iban", Person = person, Kind = TokenKind.Deterministic });

        (await host.Administration.RenewTokenSealingKeyAsync()).Rewrapped.Should().Be(1, "the unowned token moves to the new sealing key; the owned one stays under its owner's key");
        (await host.Vault.ForPurpose("fraud").DetokenizeAsync(unowned)).Should().Be(Card);
        (await host.Vault.ForPurpose(Databunker.Core.Privacy.Purposes.DataProtection).DetokenizeAsync(owned)).Should().Be(Iban);

        using var export = System.Text.Json.JsonDocument.Parse(await ExportAsync(host, person));
        var exported = export.RootElement.GetProperty("tokens").EnumerateArray().Single();
        exported.GetProperty("value").GetString().Should().Be(Iban);
        exported.GetProperty("scope").GetString().Should().Be("iban");
    }

    private static async Task<string> ExportAsync(VaultHost host, Guid person)
    {
        using var stream = new MemoryStream();
        await host.Services.GetRequiredService<Databunker.Core.Export.IPersonExporter>().ExportAsync(person, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private async Task<VaultHost> StartAsync(Action<DatabunkerOptions>? configure = null)
    {
        var host = await VaultHost.StartAsync(
            o =>
            {
                ShopCatalog.Declare(o.Privacy);
                configure?.Invoke(o);
            },
            store: _store,
            keys: b => ShopCatalog.AddTransforms(b.UseMasterKey(RandomNumberGenerator.GetBytes(32))));
        await host.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }
}
