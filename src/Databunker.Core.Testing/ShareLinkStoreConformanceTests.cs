namespace Databunker.Core.Testing;

/// <summary>The contract of the shared-records role (<see cref="IShareLinkStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class ShareLinkStoreConformanceTests : StorageConformanceTests
{
    /// <summary>A link made at 10 that expires at 100 and allows <paramref name="reads"/> reads.</summary>
    private static NewShareLink Link(Guid owner, int reads = 2, long createdAt = 10, long expiresAt = 100) =>
        new(Bytes(32), Guid.NewGuid(), owner, Bytes(40), Bytes(60), createdAt, expiresAt, reads);

    /// <summary>AddShareLinkAsync: then get by token hash with the owner's key, and list by owner.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_ThenGetAndList()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var older = Link(owner.Token, createdAt: 10);
        var newer = Link(owner.Token, createdAt: 20);

        await ShareLinks.AddShareLinkAsync(older, Audit(owner.Token), default);
        await ShareLinks.AddShareLinkAsync(newer, Audit(owner.Token), default);

        var found = await ShareLinks.GetShareLinkAsync(older.TokenHash, default);
        found!.Handle.Should().Be(older.Handle);
        found.Person.Should().Be(owner.Token);
        found.Recipient.Should().Equal(older.Recipient);
        found.Fields.Should().Equal(older.Fields);
        (found.CreatedAt, found.ExpiresAt, found.MaxReads, found.ReadsLeft, found.RevokedAt).Should().Be((10L, 100L, 2, 2, (long?)null));
        found.PersonKey!.Ciphertext.Should().Equal(owner.DataKey.Ciphertext);
        (await ShareLinks.GetShareLinkAsync(Bytes(32), default)).Should().BeNull();
        (await ShareLinks.ListShareLinksAsync(owner.Token, default)).Select(l => l.Handle).Should().Equal(newer.Handle, older.Handle);
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(3);
    }

    /// <summary>AddShareLinkAsync: an owner that does not exist fails, writing nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_UnknownPerson_ThrowsAndWritesNothing()
    {
        var orphan = Link(Guid.NewGuid());

        var act = () => ShareLinks.AddShareLinkAsync(orphan, Audit(orphan.Person), default);

        await act.Should().ThrowAsync<PersonNotFoundException>();
        (await ShareLinks.GetShareLinkAsync(orphan.TokenHash, default)).Should().BeNull();
    }

    /// <summary>ConsumeShareLinkAsync: spends reads down to none, with an event per read; never after expiry or revocation.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Consume_SpendsReadsUntilNoneExpiredOrRevoked()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var link = Link(owner.Token, reads: 2);
        var expiring = Link(owner.Token, reads: 5, expiresAt: 50);
        var revoked = Link(owner.Token, reads: 5);
        foreach (var l in new[] { link, expiring, revoked })
        {
            await ShareLinks.AddShareLinkAsync(l, Audit(owner.Token), default);
        }

        (await ShareLinks.ConsumeShareLinkAsync(link.TokenHash, 20, Audit(owner.Token), default)).Should().Be(1);
        (await ShareLinks.ConsumeShareLinkAsync(link.TokenHash, 20, Audit(owner.Token), default)).Should().Be(0);
        (await ShareLinks.ConsumeShareLinkAsync(link.TokenHash, 20, Audit(owner.Token), default)).Should().BeNull("no reads are left");
        (await ShareLinks.ConsumeShareLinkAsync(expiring.TokenHash, 50, Audit(owner.Token), default)).Should().BeNull("it expired at 50");
        (await ShareLinks.RevokeShareLinkAsync(owner.Token, revoked.Handle, 30, Audit(owner.Token), default)).Should().BeTrue();
        (await ShareLinks.RevokeShareLinkAsync(owner.Token, revoked.Handle, 31, Audit(owner.Token), default)).Should().BeFalse("it is revoked already");
        (await ShareLinks.RevokeShareLinkAsync(Guid.NewGuid(), link.Handle, 31, Audit(null), default)).Should().BeFalse("a handle counts only under its owner");
        (await ShareLinks.ConsumeShareLinkAsync(revoked.TokenHash, 40, Audit(owner.Token), default)).Should().BeNull();

        (await ShareLinks.GetShareLinkAsync(revoked.TokenHash, default))!.RevokedAt.Should().Be(30);
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(1 + 3 + 2 + 1, "creation, three links, two reads, one revocation");
    }

    /// <summary>ConsumeShareLinkAsync: concurrent redemptions never spend more reads than the link has.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Consume_Concurrent_NeverOverspends()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var link = Link(owner.Token, reads: 5);
        await ShareLinks.AddShareLinkAsync(link, Audit(owner.Token), default);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => ShareLinks.ConsumeShareLinkAsync(link.TokenHash, 20, Audit(owner.Token), default))));

        outcomes.Count(o => o is not null).Should().Be(5);
        outcomes.Where(o => o is not null).Select(o => o!.Value).Should().BeEquivalentTo([0, 1, 2, 3, 4]);
    }

    /// <summary>DeleteExpiredShareLinksAsync: in batches, once each, live ones kept.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteExpired_InBatchesAndEachOnce()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var live = Link(owner.Token, expiresAt: 1000);
        await ShareLinks.AddShareLinkAsync(live, Audit(owner.Token), default);
        for (var i = 0; i < 30; i++)
        {
            await ShareLinks.AddShareLinkAsync(Link(owner.Token), Audit(owner.Token), default);
        }

        (await ShareLinks.DeleteExpiredShareLinksAsync(99, 10, default)).Should().Be(0);
        var counts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var total = 0;
            for (int removed; (removed = await ShareLinks.DeleteExpiredShareLinksAsync(100, 4, default)) > 0;)
            {
                total += removed;
            }

            return total;
        })));

        counts.Sum().Should().Be(30);
        (await ShareLinks.ListShareLinksAsync(owner.Token, default)).Select(l => l.Handle).Should().Equal(live.Handle);
    }

    /// <summary>Erasure: the links a person owns go with them; others stay.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_DeletesThePersonsLinksOnly()
    {
        var owner = NewPerson();
        var other = NewPerson();
        await Persons.CreatePersonsAsync([owner, other], default);
        var owned = Link(owner.Token);
        var kept = Link(other.Token);
        await ShareLinks.AddShareLinkAsync(owned, Audit(owner.Token), default);
        await ShareLinks.AddShareLinkAsync(kept, Audit(other.Token), default);

        (await ForgetAsync(owner.Token, 20)).Should().BeTrue();

        (await ShareLinks.GetShareLinkAsync(owned.TokenHash, default)).Should().BeNull();
        (await ShareLinks.GetShareLinkAsync(kept.TokenHash, default)).Should().NotBeNull();
    }

    /// <summary>GetEarliestShareLinkExpiryAsync: the first expiry of the stored links, until they are removed.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetEarliestShareLinkExpiry_IsTheFirstExpiry_UntilItIsRemoved()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        (await ShareLinks.GetEarliestShareLinkExpiryAsync(default)).Should().BeNull("no link is stored");
        await ShareLinks.AddShareLinkAsync(Link(owner.Token, expiresAt: 100), Audit(owner.Token), default);
        await ShareLinks.AddShareLinkAsync(Link(owner.Token, expiresAt: 80), Audit(owner.Token), default);

        (await ShareLinks.GetEarliestShareLinkExpiryAsync(default)).Should().Be(80);
        await ShareLinks.DeleteExpiredShareLinksAsync(90, 10, default);
        (await ShareLinks.GetEarliestShareLinkExpiryAsync(default)).Should().Be(100);
    }
}
