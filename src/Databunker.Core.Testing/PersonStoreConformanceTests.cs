using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the persons role (<see cref="IPersonStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class PersonStoreConformanceTests : StorageConformanceTests
{
    /// <summary>CreateUsersAsync: then read, by token and by index.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateUsersAsync_ThenRead_ByTokenAndByIndex()
    {
        var email = Kind(LookupKind.Email);
        var user = NewUser(email, Kind(LookupKind.Phone));

        await Persons.CreateUsersAsync([user], default);

        var byToken = await Persons.GetUserAsync(user.Token, default);
        byToken!.Profile.Should().Equal(user.Profile);
        byToken.DataKey.Should().BeEquivalentTo(user.DataKey);
        byToken.Version.Should().Be(1);
        byToken.CreatedAt.Should().Be(user.CreatedAt);
        (await Persons.GetUserByIndexAsync(email.Hash, default))!.Token.Should().Be(user.Token);
        (await Persons.FindTokenByIndexAsync(email.Hash, default)).Should().Be(user.Token);
        (await Persons.FindTokenByIndexAsync(Bytes(32), default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().ContainSingle();
    }

    /// <summary>CreateUsersAsync: taken hash, throws naming the index and writes nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateUsersAsync_TakenHash_ThrowsNamingTheIndexAndWritesNothing()
    {
        var phone = Kind(LookupKind.Phone);
        await Persons.CreateUsersAsync([NewUser(phone)], default);
        var fresh = NewUser(Kind(LookupKind.Email));
        var clash = NewUser(Kind(LookupKind.Login), new IndexEntry(LookupKind.Phone, phone.Hash));

        var act = () => Persons.CreateUsersAsync([fresh, clash], default);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("phone");
        (await Persons.GetUserAsync(fresh.Token, default)).Should().BeNull();
        (await Persons.GetUserAsync(clash.Token, default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(fresh.Token, default)).Should().BeEmpty();
    }

    /// <summary>EmptyBatches: are no ops.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task EmptyBatches_AreNoOps()
    {
        await Persons.CreateUsersAsync([], default);
        await AuditTrail.AppendAuditAsync(Array.Empty<AuditRecord>(), default);
        (await DataKeys.ReplaceDataKeysAsync([], default)).Should().Be(0);
        (await Tokens.GetTokensAsync([], 0, default)).Should().BeEmpty();
        (await DataKeys.CountDataKeysNotUnderAsync("none", default)).Should().Be(0);
    }

    /// <summary>UpdateUserAsync: replaces indexes and checks version.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateUserAsync_ReplacesIndexesAndChecksVersion()
    {
        var oldEmail = Kind(LookupKind.Email);
        var user = NewUser(oldEmail);
        await Persons.CreateUsersAsync([user], default);
        var newEmail = Kind(LookupKind.Email);

        var stale = await Persons.UpdateUserAsync(Change(user.Token, 7, newEmail), default);
        var afterStale = await AuditTrail.GetAuditAsync(user.Token, default);
        var staleIndex = await Persons.FindTokenByIndexAsync(oldEmail.Hash, default);
        var fresh = await Persons.UpdateUserAsync(Change(user.Token, 1, newEmail), default);
        var again = await Persons.UpdateUserAsync(Change(user.Token, 2, newEmail), default);
        var missing = await Persons.UpdateUserAsync(Change(Guid.NewGuid(), 1), default);

        stale.Should().Be(UpdateOutcome.VersionConflict);
        afterStale.Should().ContainSingle("a stale update writes no audit event");
        staleIndex.Should().Be(user.Token, "a stale update keeps the old indexes");
        fresh.Should().Be(UpdateOutcome.Updated);
        again.Should().Be(UpdateOutcome.Updated, "keeping an index's value is no conflict with oneself");
        missing.Should().Be(UpdateOutcome.NotFound);
        (await Persons.FindTokenByIndexAsync(oldEmail.Hash, default)).Should().BeNull();
        (await Persons.FindTokenByIndexAsync(newEmail.Hash, default)).Should().Be(user.Token);
        (await Persons.GetUserAsync(user.Token, default))!.Version.Should().Be(3);
        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().HaveCount(3);
    }

    /// <summary>UpdateUserAsync: taken hash, throws and keeps the old state.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateUserAsync_TakenHash_ThrowsAndKeepsTheOldState()
    {
        var taken = Kind(LookupKind.Custom);
        await Persons.CreateUsersAsync([NewUser(taken)], default);
        var mine = Kind(LookupKind.Custom);
        var user = NewUser(mine);
        await Persons.CreateUsersAsync([user], default);

        var act = () => Persons.UpdateUserAsync(Change(user.Token, 1, new IndexEntry(LookupKind.Custom, taken.Hash)), default);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("custom");
        (await Persons.FindTokenByIndexAsync(mine.Hash, default)).Should().Be(user.Token);
        (await Persons.GetUserAsync(user.Token, default))!.Version.Should().Be(1);
    }
}
