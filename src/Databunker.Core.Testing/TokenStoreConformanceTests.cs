namespace Databunker.Core.Testing;

/// <summary>The contract of the tokens role (<see cref="ITokenStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class TokenStoreConformanceTests : StorageConformanceTests
{
    /// <summary>A token with random hash and value, created at 5.</summary>
    private static NewToken Token(Guid? owner = null, long? expiresAt = null) =>
        new(Bytes(32), Bytes(48), null, null, owner, expiresAt, 5);

    /// <summary>AddTokensAsync: then get by hash, live ones only.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddTokensAsync_ThenGet_LiveOnesOnly()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var owned = Token(owner: owner.Token);
        var expiring = Token(expiresAt: 50);

        var outcomes = await Tokens.AddTokensAsync([owned, expiring], [Audit(owner.Token), Audit(null)], 10, default);

        outcomes.Should().Equal(TokenAddOutcome.Added, TokenAddOutcome.Added);
        var found = await Tokens.GetTokensAsync([owned.TokenHash, expiring.TokenHash, Bytes(32)], 10, default);
        found[0]!.Value.Should().Equal(owned.Value);
        found[0]!.Person.Should().Be(owner.Token);
        found[0]!.PersonKey!.Ciphertext.Should().Equal(owner.DataKey.Ciphertext, "an owned token comes with its owner's wrapped key");
        found[1]!.ExpiresAt.Should().Be(50);
        found[2].Should().BeNull();
        (await Tokens.GetTokensAsync([expiring.TokenHash], 50, default)).Should().Equal([null], "a token is gone at its expiry");
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(2, "the person's creation and the token's event");
    }

    /// <summary>
    /// AddTokensAsync: each token keeps its scope, or none, whichever way it was written (many unowned random tokens,
    /// one alone, owned or deterministic ones), and every read gives it back: a purpose-bound read checks it.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddTokensAsync_KeepsEachTokensScope_InEveryRead()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var card = Token() with { Scope = "card" };
        var unscoped = Token();
        var alone = Token() with { Scope = "iban" };
        var owned = Token(owner: owner.Token) with { Scope = "loyalty", DeterministicHash = Bytes(32), SealedToken = Bytes(40) };

        await Tokens.AddTokensAsync([card, unscoped], [Audit(null), Audit(null)], 10, default);
        await Tokens.AddTokensAsync([alone], [Audit(null)], 10, default);
        await Tokens.AddTokensAsync([owned], [Audit(owner.Token)], 10, default);

        (await Tokens.GetTokensAsync([card.TokenHash, unscoped.TokenHash, alone.TokenHash, owned.TokenHash], 10, default)).Select(t => t!.Scope)
            .Should().Equal("card", null, "iban", "loyalty");
        (await Tokens.GetTokensAsync([owned.TokenHash], 10, default))[0]!.Scope.Should().Be("loyalty");
        (await Tokens.GetTokenAuditedAsync(alone.TokenHash, 10, Audit(null), default)).Value!.Scope.Should().Be("iban");
        var seals = await Tokens.GetTokenSealsAsync(null, 10, default);
        seals.ToDictionary(t => Convert.ToHexString(t.TokenHash), t => t.Scope).Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            [Convert.ToHexString(card.TokenHash)] = "card",
            [Convert.ToHexString(unscoped.TokenHash)] = null,
            [Convert.ToHexString(alone.TokenHash)] = "iban",
            [Convert.ToHexString(owned.TokenHash)] = "loyalty",
        });
        (await Tokens.GetPersonTokensAsync(owner.Token, null, 10, default)).Single().Scope.Should().Be("loyalty");
    }

    /// <summary>AddTokensAsync: a taken token hash is reported, and neither the row nor its event is written.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddTokensAsync_TakenHash_ReportsItAndWritesNothingForIt()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var first = Token();
        await Tokens.AddTokensAsync([first], [Audit(null)], 10, default);
        var clash = Token(owner: owner.Token) with { TokenHash = first.TokenHash };

        var outcomes = await Tokens.AddTokensAsync([clash], [Audit(owner.Token)], 10, default);

        outcomes.Should().Equal(TokenAddOutcome.HashTaken);
        (await Tokens.GetTokensAsync([first.TokenHash], 10, default))[0]!.Value.Should().Equal(first.Value);
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().ContainSingle("only the person's creation");
    }

    /// <summary>AddTokensAsync: a live deterministic token is given back instead of a second one.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddTokensAsync_LiveDeterministic_ReturnsTheExistingSealedToken()
    {
        var deterministic = Bytes(32);
        var first = Token() with { DeterministicHash = deterministic, SealedToken = Bytes(40) };
        await Tokens.AddTokensAsync([first], [Audit(null)], 10, default);
        var again = Token() with { DeterministicHash = deterministic, SealedToken = Bytes(40) };

        var outcomes = await Tokens.AddTokensAsync([again], [Audit(null)], 10, default);

        outcomes[0].Stored.Should().BeFalse();
        outcomes[0].ExistingSealedToken.Should().Equal(first.SealedToken);
        (await Tokens.GetTokensAsync([again.TokenHash], 10, default)).Should().Equal([null]);
    }

    /// <summary>AddTokensAsync: an owner that does not exist fails the whole call.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddTokensAsync_UnknownPerson_ThrowsAndWritesNothing()
    {
        var free = Token();
        var orphan = Token(owner: Guid.NewGuid());

        var act = () => Tokens.AddTokensAsync([free, orphan], [Audit(null), Audit(null)], 10, default);

        await act.Should().ThrowAsync<PersonNotFoundException>();
        (await Tokens.GetTokensAsync([free.TokenHash], 10, default)).Should().Equal([null]);
    }

    /// <summary>DeleteTokenAsync and DeleteExpiredTokensAsync: each deletes what it names, once.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Delete_OneByHashAndExpiredOnesInBatches()
    {
        var keep = Token();
        var gone = Token();
        var expired = Enumerable.Range(0, 3).Select(_ => Token(expiresAt: 20)).ToList();
        await Tokens.AddTokensAsync([keep, gone, .. expired], [.. Enumerable.Range(0, 5).Select(_ => Audit(null))], 10, default);

        (await Tokens.DeleteTokenAsync(gone.TokenHash, Audit(null), default)).Should().BeTrue();
        (await Tokens.DeleteTokenAsync(gone.TokenHash, Audit(null), default)).Should().BeFalse();
        (await Tokens.DeleteExpiredTokensAsync(20, 2, default)).Should().Be(2);
        (await Tokens.DeleteExpiredTokensAsync(20, 2, default)).Should().Be(1);
        (await Tokens.DeleteExpiredTokensAsync(20, 2, default)).Should().Be(0);
        (await Tokens.GetTokensAsync([keep.TokenHash], 30, default))[0].Should().NotBeNull();
    }

    /// <summary>Seals: paged in hash order and replaced only when unchanged.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Seals_PagedAndReplacedOnlyWhenUnchanged()
    {
        var tokens = Enumerable.Range(0, 4).Select(_ => Token()).ToList();
        await Tokens.AddTokensAsync(tokens, [.. tokens.Select(_ => Audit(null))], 10, default);

        var page = await Tokens.GetTokenSealsAsync(null, 3, default);
        var rest = await Tokens.GetTokenSealsAsync(page[^1].TokenHash, 3, default);
        page.Concat(rest).Select(t => Convert.ToHexString(t.TokenHash)).Should().BeEquivalentTo(tokens.Select(t => Convert.ToHexString(t.TokenHash)));
        var replaced = await Tokens.ReplaceTokenSealsAsync(
            [new TokenSealReplacement(page[0].TokenHash, page[0].Value, Bytes(50), null), new TokenSealReplacement(page[1].TokenHash, Bytes(50), Bytes(50), null)], default);

        replaced.Should().Be(1, "the second names a value the row no longer holds");
    }

    /// <summary>Erasure: the tokens a person owns go with them; others stay.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_DeletesThePersonsTokensOnly()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var owned = Token(owner: owner.Token);
        var free = Token();
        await Tokens.AddTokensAsync([owned, free], [Audit(owner.Token), Audit(null)], 10, default);

        (await ForgetAsync(owner.Token, 20)).Should().BeTrue();

        var found = await Tokens.GetTokensAsync([owned.TokenHash, free.TokenHash], 30, default);
        found[0].Should().BeNull();
        found[1].Should().NotBeNull();
    }

    /// <summary>GetPersonTokensAsync: the owner's tokens only, page by page in hash order.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetPersonTokens_PagesThroughThePersonsTokensOnly()
    {
        var owner = NewPerson();
        var other = NewPerson();
        await Persons.CreatePersonsAsync([owner, other], default);
        var owned = Enumerable.Range(0, 5).Select(_ => Token(owner: owner.Token)).ToList();
        await Tokens.AddTokensAsync([.. owned, Token(owner: other.Token), Token()], [.. Enumerable.Range(0, 7).Select(_ => Audit(null))], 10, default);

        var first = await Tokens.GetPersonTokensAsync(owner.Token, null, 3, default);
        var rest = await Tokens.GetPersonTokensAsync(owner.Token, first[^1].TokenHash, 3, default);

        first.Should().HaveCount(3);
        rest.Should().HaveCount(2);
        first.Concat(rest).Select(t => Convert.ToHexString(t.TokenHash)).Should().BeInAscendingOrder(StringComparer.Ordinal)
            .And.BeEquivalentTo(owned.Select(t => Convert.ToHexString(t.TokenHash)));
        first[0].Person.Should().Be(owner.Token);
        first[0].PersonKey!.Ciphertext.Should().Equal(owner.DataKey.Ciphertext);
    }

    /// <summary>GetEarliestTokenExpiryAsync: the first expiry of the tokens that expire, until they are removed; none without them.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetEarliestTokenExpiry_IsTheFirstExpiry_UntilItIsRemoved()
    {
        (await Tokens.GetEarliestTokenExpiryAsync(default)).Should().BeNull("no token is stored");
        await Tokens.AddTokensAsync([Token(), Token(expiresAt: 70), Token(expiresAt: 50)], [Audit(null), Audit(null), Audit(null)], 10, default);

        (await Tokens.GetEarliestTokenExpiryAsync(default)).Should().Be(50, "a token that never expires is not due");
        await Tokens.DeleteExpiredTokensAsync(60, 10, default);
        (await Tokens.GetEarliestTokenExpiryAsync(default)).Should().Be(70);
    }
}
