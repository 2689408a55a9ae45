namespace Databunker.Core.Testing;

/// <summary>The contract of the app-data role (<see cref="IAppDocumentStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class AppDocumentStoreConformanceTests : StorageConformanceTests
{
    /// <summary>A document of random bytes written at <paramref name="at"/>.</summary>
    private static NewAppDocument Document(Guid owner, string app, long at = 10, long? expiresAt = null) =>
        new(owner, app, Bytes(60), at, expiresAt);

    /// <summary>PutAppDocumentAsync: then get with the owner's wrapped key, list by name, and the write's event.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Put_ThenGetAndList()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var shop = Document(owner.Token, "shop");
        var blog = Document(owner.Token, "blog");

        (await AppDocuments.PutAppDocumentAsync(shop, null, Audit(owner.Token), default)).Should().Be(1);
        (await AppDocuments.PutAppDocumentAsync(blog, null, Audit(owner.Token), default)).Should().Be(1);

        var found = await AppDocuments.GetAppDocumentAsync(owner.Token, "shop", 20, default);
        found!.Data.Should().Equal(shop.Data);
        found.Version.Should().Be(1);
        found.UpdatedAt.Should().Be(10);
        found.ExpiresAt.Should().BeNull();
        found.PersonKey.Ciphertext.Should().Equal(owner.DataKey.Ciphertext, "a document comes with its owner's wrapped key");
        (await AppDocuments.GetAppDocumentAsync(owner.Token, "other", 20, default)).Should().BeNull();
        (await AppDocuments.GetAppDocumentAsync(Guid.NewGuid(), "shop", 20, default)).Should().BeNull();
        (await AppDocuments.ListAppDocumentsAsync(owner.Token, 20, default)).Select(h => h.App).Should().Equal("blog", "shop");
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(3, "the person's creation and the two writes");
    }

    /// <summary>PutAppDocumentAsync: the expected version decides; a mismatch writes neither the document nor its event.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Put_ExpectedVersion_WritesOnlyOnAMatch()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var first = Document(owner.Token, "shop");
        var second = Document(owner.Token, "shop", at: 11);

        (await AppDocuments.PutAppDocumentAsync(first, 0, Audit(owner.Token), default)).Should().Be(1, "0 means: only if there is none");
        (await AppDocuments.PutAppDocumentAsync(second, 0, Audit(owner.Token), default)).Should().BeNull("there is one now");
        (await AppDocuments.PutAppDocumentAsync(second, 2, Audit(owner.Token), default)).Should().BeNull("it is at version 1");
        (await AppDocuments.GetAppDocumentAsync(owner.Token, "shop", 20, default))!.Data.Should().Equal(first.Data);
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(2, "refused writes leave no event");

        (await AppDocuments.PutAppDocumentAsync(second, 1, Audit(owner.Token), default)).Should().Be(2);
        (await AppDocuments.PutAppDocumentAsync(first, null, Audit(owner.Token), default)).Should().Be(3, "no expected version writes over any");
    }

    /// <summary>PutAppDocumentAsync: an owner that does not exist fails, writing nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Put_UnknownPerson_ThrowsAndWritesNothing()
    {
        var stranger = Guid.NewGuid();

        var act = () => AppDocuments.PutAppDocumentAsync(Document(stranger, "shop"), null, Audit(stranger), default);

        await act.Should().ThrowAsync<PersonNotFoundException>();
        (await AppDocuments.ListAppDocumentsAsync(stranger, 20, default)).Should().BeEmpty();
        (await AuditTrail.GetAuditAsync(stranger, default)).Should().BeEmpty();
    }

    /// <summary>An expired document is absent to reads and to the version check, before and after it is swept.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Expired_CountsAsAbsent()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "shop", at: 10, expiresAt: 50), null, Audit(owner.Token), default);

        (await AppDocuments.GetAppDocumentAsync(owner.Token, "shop", 49, default)).Should().NotBeNull();
        (await AppDocuments.GetAppDocumentAsync(owner.Token, "shop", 50, default)).Should().BeNull("it expires at 50");
        (await AppDocuments.ListAppDocumentsAsync(owner.Token, 50, default)).Should().BeEmpty();
        (await AppDocuments.DeleteAppDocumentAsync(owner.Token, "shop", null, 50, Audit(owner.Token), default)).Should().BeFalse();
        (await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "shop", at: 60), 0, Audit(owner.Token), default)).Should().Be(1, "an expired document counts as none");
    }

    /// <summary>DeleteAppDocumentAsync: by expected version, once, with its event.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Delete_ByExpectedVersionOnce()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "shop"), null, Audit(owner.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "shop"), null, Audit(owner.Token), default);

        (await AppDocuments.DeleteAppDocumentAsync(owner.Token, "shop", 1, 20, Audit(owner.Token), default)).Should().BeFalse("it is at version 2");
        (await AppDocuments.GetAppDocumentAsync(owner.Token, "shop", 20, default)).Should().NotBeNull();
        (await AppDocuments.DeleteAppDocumentAsync(owner.Token, "shop", 2, 20, Audit(owner.Token), default)).Should().BeTrue();
        (await AppDocuments.DeleteAppDocumentAsync(owner.Token, "shop", null, 20, Audit(owner.Token), default)).Should().BeFalse("it is gone");
        (await AppDocuments.GetAppDocumentAsync(owner.Token, "shop", 20, default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(4, "creation, two writes, one deletion");
    }

    /// <summary>DeleteExpiredAppDocumentsAsync: in batches, each removal audited under its owner, live ones kept.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteExpired_InBatchesWithAnEventPerDocument()
    {
        var alice = NewPerson();
        var bob = NewPerson();
        await Persons.CreatePersonsAsync([alice, bob], default);
        foreach (var app in new[] { "a", "b", "c" })
        {
            await AppDocuments.PutAppDocumentAsync(Document(alice.Token, app, expiresAt: 30), null, Audit(alice.Token), default);
        }

        await AppDocuments.PutAppDocumentAsync(Document(bob.Token, "a", expiresAt: 30), null, Audit(bob.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(bob.Token, "b", expiresAt: 90), null, Audit(bob.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(bob.Token, "c"), null, Audit(bob.Token), default);

        (await AppDocuments.DeleteExpiredAppDocumentsAsync(29, 10, Audit(null), default)).Should().Be(0);
        (await AppDocuments.DeleteExpiredAppDocumentsAsync(30, 3, Audit(null), default)).Should().Be(3);
        (await AppDocuments.DeleteExpiredAppDocumentsAsync(30, 3, Audit(null), default)).Should().Be(1);
        (await AppDocuments.DeleteExpiredAppDocumentsAsync(30, 3, Audit(null), default)).Should().Be(0);

        (await AppDocuments.ListAppDocumentsAsync(alice.Token, 0, default)).Should().BeEmpty();
        (await AppDocuments.ListAppDocumentsAsync(bob.Token, 0, default)).Select(h => h.App).Should().Equal("b", "c");
        (await AuditTrail.GetAuditAsync(alice.Token, default)).Should().HaveCount(1 + 3 + 3, "creation, three writes, three removals");
        (await AuditTrail.GetAuditAsync(bob.Token, default)).Should().HaveCount(1 + 3 + 1);
    }

    /// <summary>DeleteExpiredAppDocumentsAsync: concurrent calls remove each document exactly once.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteExpired_Concurrent_RemovesEachOnce()
    {
        var owners = Enumerable.Range(0, 40).Select(_ => NewPerson()).ToList();
        await Persons.CreatePersonsAsync(owners, default);
        foreach (var owner in owners)
        {
            await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "a", expiresAt: 30), null, Audit(owner.Token), default);
            await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "b", expiresAt: 30), null, Audit(owner.Token), default);
        }

        async Task<int> DrainAsync()
        {
            var total = 0;
            for (int removed; (removed = await AppDocuments.DeleteExpiredAppDocumentsAsync(30, 7, Audit(null), default)) > 0;)
            {
                total += removed;
            }

            return total;
        }

        var counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(DrainAsync)));

        counts.Sum().Should().Be(80, "every document is removed and counted once");
        foreach (var owner in owners)
        {
            (await AuditTrail.GetAuditAsync(owner.Token, default)).Count(e => e.Person == owner.Token).Should().Be(1 + 2 + 2);
        }
    }

    /// <summary>Erasure: the documents a person owns go with them; others stay.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_DeletesThePersonsDocumentsOnly()
    {
        var owner = NewPerson();
        var other = NewPerson();
        await Persons.CreatePersonsAsync([owner, other], default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "a"), null, Audit(owner.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "b"), null, Audit(owner.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(other.Token, "a"), null, Audit(other.Token), default);

        (await ForgetAsync(owner.Token, 20)).Should().BeTrue();

        (await AppDocuments.ListAppDocumentsAsync(owner.Token, 20, default)).Should().BeEmpty();
        (await AppDocuments.GetAppDocumentAsync(other.Token, "a", 20, default)).Should().NotBeNull();
    }

    /// <summary>GetEarliestAppDocumentExpiryAsync: the first expiry of the documents that expire, until they are removed.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetEarliestAppDocumentExpiry_IsTheFirstExpiry_UntilItIsRemoved()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        (await AppDocuments.GetEarliestAppDocumentExpiryAsync(default)).Should().BeNull("no document is stored");
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "kept"), null, Audit(owner.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "cart", expiresAt: 50), null, Audit(owner.Token), default);
        await AppDocuments.PutAppDocumentAsync(Document(owner.Token, "wishlist", expiresAt: 90), null, Audit(owner.Token), default);

        (await AppDocuments.GetEarliestAppDocumentExpiryAsync(default)).Should().Be(50, "a document that never expires is not due");
        await AppDocuments.DeleteExpiredAppDocumentsAsync(60, 10, Audit(null), default);
        (await AppDocuments.GetEarliestAppDocumentExpiryAsync(default)).Should().Be(90);
    }
}
