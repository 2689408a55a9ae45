using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>Defects 2, 3, 4 (owned token values), 6 and 8 of the second security review, on every provider.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class LinkAndTamperTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;
    private Guid _alice;
    private Guid _bob;

    private ITokenizer Tokenizer => _host.Services.GetRequiredService<ITokenizer>();

    [SetUp]
    public async Task Start()
    {
        _host = await VaultHost.StartAsync(store: _store);
        _alice = await _host.Vault.CreatePersonAsync(Json(new { email = "alice@example.com", name = "Alice" }));
        _bob = await _host.Vault.CreatePersonAsync(Json(new { email = "bob@example.com", name = "Bob" }));
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task KeepLink_CannotDelete_AndDeleteLink_CannotKeep()
    {
        var ticket = await _host.Expirations.StartAsync(PersonLookup.ByToken(_alice), TimeSpan.FromDays(30));

        (await _host.Expirations.DeleteAsync(ticket.RetainToken)).Should().Be(ExpirationLinkResult.NotFound, "whoever sees the keep link cannot delete");
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(_alice))).Should().NotBeNull();
        (await _host.Expirations.RetainAsync(ticket.DeleteToken)).Should().Be(ExpirationLinkResult.NotFound);
        (await _host.Expirations.RetainAsync(ticket.RetainToken)).Should().Be(ExpirationLinkResult.Retained);
        (await _host.Expirations.DeleteAsync(ticket.DeleteToken)).Should().Be(ExpirationLinkResult.NotFound, "using one link ends both");
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(_alice))).Should().NotBeNull();
    }

    [Test]
    public async Task InspectLinkAsync_TellsActionStateAndDueTime_AndChangesNothing()
    {
        var ticket = await _host.Expirations.StartAsync(PersonLookup.ByToken(_alice), TimeSpan.FromDays(30));
        var events = (await _host.Vault.GetAuditEventsAsync(_alice)).Count;

        for (var scan = 0; scan < 3; scan++)
        {
            (await _host.Expirations.InspectLinkAsync(ticket.RetainToken)).Should().Be(
                new ExpirationLinkInfo(ExpirationLinkAction.Retain, ExpirationState.Waiting, ticket.DueAt));
            (await _host.Expirations.InspectLinkAsync(ticket.DeleteToken)).Should().Be(
                new ExpirationLinkInfo(ExpirationLinkAction.Delete, ExpirationState.Waiting, ticket.DueAt));
        }

        (await _host.Expirations.InspectLinkAsync("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).Should().BeNull();
        (await _host.Expirations.InspectLinkAsync("not a token")).Should().BeNull();
        (await _host.Vault.GetAuditEventsAsync(_alice)).Should().HaveCount(events, "an inspection writes nothing");
        (await _host.Expirations.GetStatusAsync(PersonLookup.ByToken(_alice)))!.State.Should().Be(ExpirationState.Waiting);

        (await _host.Expirations.DeleteAsync(ticket.DeleteToken)).Should().Be(ExpirationLinkResult.Deleted, "the links still work after any number of inspections");
        (await _host.Expirations.InspectLinkAsync(ticket.RetainToken)).Should().BeNull("a used link inspects as unknown");
    }

    [Test]
    public async Task ExpirationLinkMovedToAnotherPerson_IsDetected()
    {
        var aliceTicket = await _host.Expirations.StartAsync(PersonLookup.ByToken(_alice), TimeSpan.FromDays(30));
        await _host.Expirations.StartAsync(PersonLookup.ByToken(_bob), TimeSpan.FromDays(30));

        // Alice's delete hash (and her binding) copied into Bob's row, so that Alice's link would forget Bob.
        var hash = _host.Scalar<byte[]>("SELECT delete_hash FROM expirations WHERE token = @t", new { t = _alice.ToByteArray() });
        var binding = _host.Scalar<byte[]>("SELECT binding FROM expirations WHERE token = @t", new { t = _alice.ToByteArray() });
        _host.Sql("DELETE FROM expirations WHERE token = @t", new { t = _alice.ToByteArray() });
        _host.Sql("UPDATE expirations SET delete_hash = @hash, binding = @binding WHERE token = @t", new { hash, binding, t = _bob.ToByteArray() });

        var act = () => _host.Expirations.DeleteAsync(aliceTicket.DeleteToken);
        await act.Should().ThrowAsync<VaultCryptoException>();
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(_bob))).Should().NotBeNull("Bob was not forgotten");
        _host.Logs.Lines.Should().Contain(m => m.Contains("integrity check", StringComparison.Ordinal));
    }

    [Test]
    public async Task ExpirationDueTimeMoved_IsDetected()
    {
        await _host.Expirations.StartAsync(PersonLookup.ByToken(_alice), TimeSpan.FromDays(30));
        _host.Sql("UPDATE expirations SET due_at = due_at + 100000000");

        var act = () => _host.Expirations.GetStatusAsync(PersonLookup.ByToken(_alice));
        await act.Should().ThrowAsync<VaultCryptoException>();
    }

    [Test]
    public async Task IndexRepointedAtAnotherPerson_IsDetected()
    {
        // Alice's email hash re-pointed at Bob's token: a lookup by Alice's email must not return (or forget) Bob.
        _host.Sql("DELETE FROM user_indexes WHERE token = @bob", new { bob = _bob.ToByteArray() });
        _host.Sql("UPDATE user_indexes SET token = @bob WHERE token = @alice", new { bob = _bob.ToByteArray(), alice = _alice.ToByteArray() });

        var get = () => _host.Vault.GetPersonAsync(PersonLookup.ByEmail("alice@example.com"));
        await get.Should().ThrowAsync<VaultCryptoException>();
        var delete = () => _host.Vault.ForgetPersonAsync(PersonLookup.ByEmail("alice@example.com"));
        await delete.Should().ThrowAsync<VaultCryptoException>();
        var update = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByEmail("alice@example.com"), Json(new { name = "Mallory" }));
        await update.Should().ThrowAsync<VaultCryptoException>();
        var expire = () => _host.Expirations.StartAsync(PersonLookup.ByEmail("alice@example.com"), TimeSpan.FromDays(1));
        await expire.Should().ThrowAsync<VaultCryptoException>();
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(_bob)))!.Profile.GetProperty("name").GetString().Should().Be("Bob");
    }

    [Test]
    public async Task OwnedTokenValue_IsShreddedWithItsOwner_EvenFromACopyOfTheRow()
    {
        var token = await Tokenizer.TokenizeAsync("GB33BUKB20201555555555", new TokenizeOptions { Person = _alice });
        var row = _host.Scalar<byte[]>("SELECT value FROM tokens WHERE owner = @o", new { o = _alice.ToByteArray() })!;
        var hash = _host.Scalar<byte[]>("SELECT token_hash FROM tokens WHERE owner = @o", new { o = _alice.ToByteArray() })!;

        await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(_alice));

        // A backup or a carved log page still holds the token row; put it back as it was.
        _host.Sql("INSERT INTO tokens (token_hash, value, owner, created_at) VALUES (@hash, @row, @o, 1)", new { hash, row, o = _alice.ToByteArray() });
        var act = () => Tokenizer.DetokenizeAsync(token);
        await act.Should().ThrowAsync<VaultCryptoException>("the value was sealed under Alice's data key, which is gone");
    }

    [TestCase("UPDATE tokens SET owner = NULL")]
    [TestCase("UPDATE tokens SET expires_at = NULL")]
    [TestCase("UPDATE tokens SET owner = NULL, expires_at = NULL")]
    public async Task TokenOwnerOrExpiryCleared_IsDetected(string tamper)
    {
        var token = await Tokenizer.TokenizeAsync("4111111111111111", new TokenizeOptions { Person = _alice, Expires = TimeSpan.FromDays(1) });
        var free = await Tokenizer.TokenizeAsync("free value", new TokenizeOptions { Expires = TimeSpan.FromDays(1) });
        _host.Sql(tamper);

        var owned = () => Tokenizer.DetokenizeAsync(token);
        await owned.Should().ThrowAsync<VaultCryptoException>();
        if (tamper.Contains("expires_at", StringComparison.Ordinal))
        {
            var unowned = () => Tokenizer.DetokenizeAsync(free);
            await unowned.Should().ThrowAsync<VaultCryptoException>("an unowned value is bound to its expiry too");
        }
    }

    [Test]
    public async Task AuditDetailsMovedToAnotherEventOfTheSamePerson_FailToOpen()
    {
        await _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(_alice), Json(new { name = "Alice B." }));
        _host.Sql("UPDATE audit_events SET details = (SELECT details FROM audit_events WHERE subject = @a AND operation = 'person.create') " +
                  "WHERE subject = @a AND operation = 'person.update'", new { a = _alice.ToByteArray() });

        var act = () => _host.Vault.GetAuditEventsAsync(_alice);
        await act.Should().ThrowAsync<VaultCryptoException>("details are bound to their event, not only to their owner");
    }

    [Test]
    public async Task CardTokens_CanBeMadeLuhnInvalid_SoThatNoTokenIsACardNumber()
    {
        var luhnInvalid = new TokenizeOptions { Format = TokenFormat.CardNumber, LuhnInvalid = true };
        var tokens = await Tokenizer.TokenizeManyAsync(Enumerable.Repeat("4111 1111 1111 1111", 200), luhnInvalid);
        var kept = await Tokenizer.TokenizeManyAsync(Enumerable.Repeat("4111-1111-1111-1111", 50), luhnInvalid with { KeepLastFour = true });
        var valid = await Tokenizer.TokenizeAsync("4111111111111111", new TokenizeOptions { Format = TokenFormat.CardNumber });

        tokens.Should().OnlyContain(t => !FormatPreservingTokens.IsLuhnValid(t) && t.Length == 19 && t[4] == ' ');
        kept.Should().OnlyContain(t => !FormatPreservingTokens.IsLuhnValid(t) && t.EndsWith("1111", StringComparison.Ordinal));
        FormatPreservingTokens.IsLuhnValid(valid).Should().BeTrue("the default stays Luhn-valid");
        (await Tokenizer.DetokenizeAsync(tokens[0])).Should().Be("4111 1111 1111 1111");
        var opaque = () => Tokenizer.TokenizeAsync("x", new TokenizeOptions { LuhnInvalid = true });
        (await opaque.Should().ThrowAsync<VaultInputException>()).Which.Field.Should().Be(nameof(TokenizeOptions.LuhnInvalid));
    }

    [Test]
    public async Task DeterministicTokens_DoNotCollideAcrossScopesOrValues()
    {
        var options = new TokenizeOptions { Kind = TokenKind.Deterministic, Scope = "x" };
        var first = await Tokenizer.TokenizeAsync("y\0Opaque\0False\0\0z", options);
        var act = () => Tokenizer.TokenizeAsync("z", options with { Scope = "x\0Opaque\0False\0\0y" });

        (await act.Should().ThrowAsync<VaultInputException>()).Which.Field.Should().Be(nameof(TokenizeOptions.Scope));
        first.Should().NotBe(await Tokenizer.TokenizeAsync("y\0Opaque\0False\0\0z", options with { Scope = "x2" }));
        (await Tokenizer.TokenizeAsync("a|b", options with { Scope = "s" })).Should().NotBe(await Tokenizer.TokenizeAsync("b", options with { Scope = "s|a" }));
        (await Tokenizer.TokenizeAsync("v", options with { Person = _alice })).Should().NotBe(await Tokenizer.TokenizeAsync("v", options));
    }
}
