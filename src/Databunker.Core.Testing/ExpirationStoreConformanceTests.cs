using Databunker.Core.Expiration;

namespace Databunker.Core.Testing;

/// <summary>The contract of the expirations role (<see cref="IExpirationStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class ExpirationStoreConformanceTests : StorageConformanceTests
{
    /// <summary>Expirations: start retain cancel.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Expirations_StartRetainCancel()
    {
        var user = NewPerson();
        await Persons.CreatePersonsAsync([user], default);
        var expiration = Expiration(user.Token, 10);

        (await Expirations.StartExpirationAsync(Expiration(Guid.NewGuid(), 10), 1, Audit(null), default)).Should().BeFalse();
        (await Expirations.StartExpirationAsync(expiration, 1, Audit(user.Token), default)).Should().BeTrue();
        (await Expirations.GetExpirationAsync(user.Token, default)).Should().BeEquivalentTo(
            new StoredExpiration(ExpirationState.Waiting, 10, expiration.RetainHash, expiration.DeleteHash, expiration.Binding));

        (await Expirations.FindExpirationLinkAsync(expiration.RetainHash, Bytes(32), default)).Should().BeEquivalentTo(
            new { Token = user.Token, MatchedDelete = false });
        (await Expirations.FindExpirationLinkAsync(Bytes(32), expiration.DeleteHash, default))!.MatchedDelete.Should().BeTrue();
        (await Expirations.FindExpirationLinkAsync(expiration.DeleteHash, expiration.RetainHash, default)).Should().BeNull("each hash matches its own column only");
        (await Expirations.RetainExpirationAsync(user.Token, expiration.DeleteHash, 2, Audit(user.Token), default)).Should().BeFalse("the delete hash does not retain");
        (await Expirations.RetainExpirationAsync(Guid.NewGuid(), expiration.RetainHash, 2, Audit(null), default)).Should().BeFalse("another person's row is not touched");
        (await Expirations.RetainExpirationAsync(user.Token, expiration.RetainHash, 2, Audit(user.Token), default)).Should().BeTrue();
        (await Expirations.RetainExpirationAsync(user.Token, expiration.RetainHash, 3, Audit(user.Token), default)).Should().BeFalse();
        var retained = await Expirations.GetExpirationAsync(user.Token, default);
        retained!.State.Should().Be(ExpirationState.Retained);
        retained.RetainHash.Should().BeNull("using one link ends both");
        retained.DeleteHash.Should().BeNull();
        (await Expirations.FindExpirationLinkAsync(expiration.RetainHash, expiration.DeleteHash, default)).Should().BeNull();
        (await ForgetAsync(user.Token, 3, e => Expirations.HoldsDeleteLinkAsync(e, user.Token, expiration.DeleteHash, default))).Should().BeFalse();
        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().Contain(e => e.Operation == "test.op" && e.Person == user.Token);

        (await Expirations.CancelExpirationAsync(user.Token, Audit(user.Token), default)).Should().BeTrue();
        (await Expirations.CancelExpirationAsync(user.Token, Audit(user.Token), default)).Should().BeFalse();
        (await Expirations.GetExpirationAsync(user.Token, default)).Should().BeNull();
    }

    /// <summary>Expirations: forget by delete hash, is single use.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Expirations_ForgetByDeleteHash_IsSingleUse()
    {
        var user = NewPerson();
        await Persons.CreatePersonsAsync([user], default);
        var expiration = Expiration(user.Token, 10);
        await Expirations.StartExpirationAsync(expiration, 1, Audit(user.Token), default);

        (await ForgetAsync(user.Token, 2, e => Expirations.HoldsDeleteLinkAsync(e, user.Token, expiration.RetainHash, default))).Should().BeFalse("the retain hash does not delete");
        (await ForgetAsync(user.Token, 2, e => Expirations.HoldsDeleteLinkAsync(e, user.Token, expiration.DeleteHash, default))).Should().BeTrue();
        (await ForgetAsync(user.Token, 3, e => Expirations.HoldsDeleteLinkAsync(e, user.Token, expiration.DeleteHash, default))).Should().BeFalse();
        (await Persons.GetPersonAsync(user.Token, default)).Should().BeNull();
        (await Vault.IsForgottenAsync(user.Token, default)).Should().BeTrue();
    }

    /// <summary>Expirations: claims are exclusive until they time out.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Expirations_ClaimsAreExclusiveUntilTheyTimeOut()
    {
        var users = Enumerable.Range(0, 4).Select(_ => NewPerson()).ToList();
        await Persons.CreatePersonsAsync(users, default);
        for (var i = 0; i < users.Count; i++)
        {
            await Expirations.StartExpirationAsync(Expiration(users[i].Token, 100 + i), 1, Audit(users[i].Token), default);
        }

        var early = await Expirations.ClaimDueExpirationsAsync(99, 10, Bytes(16), 1000, default);
        var first = await Expirations.ClaimDueExpirationsAsync(102, 10, Bytes(16), 1000, default);
        var second = await Expirations.ClaimDueExpirationsAsync(200, 10, Bytes(16), 1000, default);
        var afterTimeout = await Expirations.ClaimDueExpirationsAsync(1000, 10, Bytes(16), 2000, default);

        early.Should().BeEmpty();
        first.Should().BeEquivalentTo(users.Take(3).Select(u => u.Token));
        second.Should().Equal(users[3].Token);
        afterTimeout.Should().HaveCount(4);
    }

    /// <summary>Erasure: holds claim, only for the holder of a waiting claim.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_HoldsClaim_OnlyForTheHolderOfAWaitingClaim()
    {
        var user = NewPerson();
        await Persons.CreatePersonsAsync([user], default);
        await Expirations.StartExpirationAsync(Expiration(user.Token, 10), 1, Audit(user.Token), default);
        var claim = Bytes(16);
        (await Expirations.ClaimDueExpirationsAsync(10, 10, claim, 100, default)).Should().ContainSingle();

        (await ForgetAsync(user.Token, 11, e => Expirations.HoldsClaimAsync(e, user.Token, Bytes(16), default))).Should().BeFalse();
        (await ForgetAsync(user.Token, 11, e => Expirations.HoldsClaimAsync(e, user.Token, claim, default))).Should().BeTrue();
        (await ForgetAsync(user.Token, 12, e => Expirations.HoldsClaimAsync(e, user.Token, claim, default))).Should().BeFalse();
    }

    /// <summary>Expirations: the earliest due time is that of the waiting expiration due first, null when none waits.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Expirations_EarliestDue_IsTheFirstWaitingOne()
    {
        (await Expirations.GetEarliestDueAsync(default)).Should().BeNull("no expiration waits");
        var users = Enumerable.Range(0, 3).Select(_ => NewPerson()).ToList();
        await Persons.CreatePersonsAsync(users, default);
        var first = Expiration(users[0].Token, 500);
        await Expirations.StartExpirationAsync(first, 1, Audit(users[0].Token), default);
        await Expirations.StartExpirationAsync(Expiration(users[1].Token, 700), 1, Audit(users[1].Token), default);
        await Expirations.StartExpirationAsync(Expiration(users[2].Token, 900), 1, Audit(users[2].Token), default);
        (await Expirations.GetEarliestDueAsync(default)).Should().Be(500);

        (await Expirations.RetainExpirationAsync(users[0].Token, first.RetainHash, 2, Audit(users[0].Token), default)).Should().BeTrue();
        (await Expirations.GetEarliestDueAsync(default)).Should().Be(700, "a retained expiration no longer waits");
        (await Expirations.CancelExpirationAsync(users[1].Token, Audit(users[1].Token), default)).Should().BeTrue();
        (await Expirations.GetEarliestDueAsync(default)).Should().Be(900, "a cancelled expiration no longer waits");
    }
}
