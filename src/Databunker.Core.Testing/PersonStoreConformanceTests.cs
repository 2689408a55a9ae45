using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the persons role (<see cref="IPersonStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class PersonStoreConformanceTests : StorageConformanceTests
{
    /// <summary>CreatePersonsAsync: then read, by token and by index.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreatePersonsAsync_ThenRead_ByTokenAndByIndex()
    {
        var email = Kind(LookupKind.Email);
        var user = NewPerson(email, Kind(LookupKind.Phone));

        await Persons.CreatePersonsAsync([user], default);

        var byToken = await Persons.GetPersonAsync(user.Token, default);
        byToken!.Profile.Should().Equal(user.Profile);
        byToken.DataKey.Should().BeEquivalentTo(user.DataKey);
        byToken.Version.Should().Be(1);
        byToken.CreatedAt.Should().Be(user.CreatedAt);
        (await Persons.GetPersonByIndexAsync(email.Hash, default))!.Token.Should().Be(user.Token);
        (await Persons.FindPersonByIndexAsync(email.Hash, default)).Should().Be(user.Token);
        (await Persons.FindPersonByIndexAsync(Bytes(32), default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().ContainSingle();
    }

    /// <summary>CreatePersonsAsync: taken hash, throws naming the index and writes nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreatePersonsAsync_TakenHash_ThrowsNamingTheIndexAndWritesNothing()
    {
        var phone = Kind(LookupKind.Phone);
        await Persons.CreatePersonsAsync([NewPerson(phone)], default);
        var fresh = NewPerson(Kind(LookupKind.Email));
        var clash = NewPerson(Kind(LookupKind.Login), new IndexEntry(LookupKind.Phone, phone.Hash));

        var act = () => Persons.CreatePersonsAsync([fresh, clash], default);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("phone");
        (await Persons.GetPersonAsync(fresh.Token, default)).Should().BeNull();
        (await Persons.GetPersonAsync(clash.Token, default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(fresh.Token, default)).Should().BeEmpty();
    }

    /// <summary>EmptyBatches: are no ops.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task EmptyBatches_AreNoOps()
    {
        await Persons.CreatePersonsAsync([], default);
        await AuditTrail.AppendAuditAsync(Array.Empty<AuditRecord>(), default);
        (await DataKeys.ReplaceDataKeysAsync([], default)).Should().Be(0);
        (await Tokens.GetTokensAsync([], 0, default)).Should().BeEmpty();
        (await DataKeys.CountDataKeysNotUnderAsync("none", default)).Should().Be(0);
    }

    /// <summary>UpdatePersonAsync: replaces indexes and checks version.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdatePersonAsync_ReplacesIndexesAndChecksVersion()
    {
        var oldEmail = Kind(LookupKind.Email);
        var user = NewPerson(oldEmail);
        await Persons.CreatePersonsAsync([user], default);
        var newEmail = Kind(LookupKind.Email);

        var stale = await Persons.UpdatePersonAsync(Change(user.Token, 7, newEmail), default);
        var afterStale = await AuditTrail.GetAuditAsync(user.Token, default);
        var staleIndex = await Persons.FindPersonByIndexAsync(oldEmail.Hash, default);
        var fresh = await Persons.UpdatePersonAsync(Change(user.Token, 1, newEmail), default);
        var again = await Persons.UpdatePersonAsync(Change(user.Token, 2, newEmail), default);
        var missing = await Persons.UpdatePersonAsync(Change(Guid.NewGuid(), 1), default);

        stale.Should().Be(UpdateOutcome.VersionConflict);
        afterStale.Should().ContainSingle("a stale update writes no audit event");
        staleIndex.Should().Be(user.Token, "a stale update keeps the old indexes");
        fresh.Should().Be(UpdateOutcome.Updated);
        again.Should().Be(UpdateOutcome.Updated, "keeping an index's value is no conflict with oneself");
        missing.Should().Be(UpdateOutcome.NotFound);
        (await Persons.FindPersonByIndexAsync(oldEmail.Hash, default)).Should().BeNull();
        (await Persons.FindPersonByIndexAsync(newEmail.Hash, default)).Should().Be(user.Token);
        (await Persons.GetPersonAsync(user.Token, default))!.Version.Should().Be(3);
        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().HaveCount(3);
    }

    /// <summary>UpdatePersonAsync: taken hash, throws and keeps the old state.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdatePersonAsync_TakenHash_ThrowsAndKeepsTheOldState()
    {
        var taken = Kind(LookupKind.Custom);
        await Persons.CreatePersonsAsync([NewPerson(taken)], default);
        var mine = Kind(LookupKind.Custom);
        var user = NewPerson(mine);
        await Persons.CreatePersonsAsync([user], default);

        var act = () => Persons.UpdatePersonAsync(Change(user.Token, 1, new IndexEntry(LookupKind.Custom, taken.Hash)), default);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("custom");
        (await Persons.FindPersonByIndexAsync(mine.Hash, default)).Should().Be(user.Token);
        (await Persons.GetPersonAsync(user.Token, default))!.Version.Should().Be(1);
    }
}
