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

    /// <summary>FindKnownTokensAsync: finds stored persons and forgotten ones, and no stranger.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task FindKnownTokensAsync_FindsStoredAndForgottenPersons_AndNoStranger()
    {
        var kept = NewPerson(Kind(LookupKind.Email));
        var forgotten = NewPerson(Kind(LookupKind.Email));
        await Persons.CreatePersonsAsync([kept, forgotten], default);
        (await ForgetAsync(forgotten.Token, 7_000)).Should().BeTrue();
        var stranger = Guid.NewGuid();

        (await Persons.FindKnownTokensAsync([stranger, kept.Token, forgotten.Token], default)).Should().BeEquivalentTo([kept.Token, forgotten.Token]);
        (await Persons.FindKnownTokensAsync([stranger], default)).Should().BeEmpty();
        (await Persons.FindKnownTokensAsync([], default)).Should().BeEmpty();
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

    /// <summary>Field retention: a new person's first look, moved only earlier by a change, replaced by the pass, due in order.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task FieldRetention_FirstLookMovesEarlierOnly_TheScheduleReplaces_AndIsDueInOrder()
    {
        var early = NewPerson(Kind(LookupKind.Email)) with { FieldsDueAt = 5_000 };
        var late = NewPerson(Kind(LookupKind.Email)) with { FieldsDueAt = 9_000 };
        var none = NewPerson(Kind(LookupKind.Email));
        await Persons.CreatePersonsAsync([late, early, none], default);

        (await Persons.GetFieldRetentionDueAsync(4_999, 10, default)).Should().BeEmpty();
        (await Persons.GetFieldRetentionDueAsync(10_000, 10, default)).Should().Equal(early.Token, late.Token);
        (await Persons.GetFieldRetentionDueAsync(10_000, 1, default)).Should().Equal(early.Token);

        await Persons.ScheduleFieldRetentionAsync(late.Token, 12_000, onlyEarlier: true, default);
        await Persons.ScheduleFieldRetentionAsync(late.Token, 3_000, onlyEarlier: true, default);
        await Persons.ScheduleFieldRetentionAsync(early.Token, 20_000, onlyEarlier: false, default);
        await Persons.ScheduleFieldRetentionAsync(none.Token, null, onlyEarlier: true, default);
        await Persons.ScheduleFieldRetentionAsync(Guid.NewGuid(), 1, onlyEarlier: false, default);
        (await Persons.GetFieldRetentionDueAsync(19_999, 10, default)).Should().Equal([late.Token], "a later time does not move a look with onlyEarlier; without it, it replaces; nobody is scheduled who is not there");

        await Persons.ScheduleFieldRetentionAsync(late.Token, null, onlyEarlier: false, default);
        (await Persons.GetFieldRetentionDueAsync(long.MaxValue, 10, default)).Should().Equal(early.Token);

        var stored = (await Persons.GetPersonAsync(none.Token, default))!;
        var change = new PersonChange(none.Token, stored.Version, Bytes(80), [], 2_000, Audit(none.Token), FieldsDueAt: 7_000);
        (await Persons.UpdatePersonAsync(change, default)).Should().Be(UpdateOutcome.Updated);
        (await Persons.GetFieldRetentionDueAsync(7_000, 10, default)).Should().Equal(none.Token);
    }

    /// <summary>Purpose states: the first end stays and is audited, the latest use wins, a stranger gets nothing, a forget takes them.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task PurposeStates_FirstEndStays_LatestUseWins_AndAForgetTakesThem()
    {
        var user = NewPerson(Kind(LookupKind.Email));
        await Persons.CreatePersonsAsync([user], default);

        (await Persons.EndPurposeAsync(user.Token, "delivery", 3_000, Audit(user.Token), default)).Should().BeTrue();
        (await Persons.EndPurposeAsync(user.Token, "delivery", 4_000, Audit(user.Token), default)).Should().BeTrue();
        await Persons.RecordPurposeUseAsync(user.Token, "fraud", 2_000, default);
        await Persons.RecordPurposeUseAsync(user.Token, "fraud", 6_000, default);
        await Persons.RecordPurposeUseAsync(user.Token, "fraud", 5_000, default);
        var stranger = Guid.NewGuid();
        (await Persons.EndPurposeAsync(stranger, "delivery", 3_000, Audit(stranger), default)).Should().BeFalse();
        await Persons.RecordPurposeUseAsync(stranger, "fraud", 1, default);

        (await Persons.GetPurposeStatesAsync(user.Token, default)).Should().Equal(new PurposeState("delivery", 3_000, null), new PurposeState("fraud", null, 6_000));
        (await Persons.GetFieldRetentionDueAsync(3_000, 10, default)).Should().Equal([user.Token], "an end makes the person's fields due");
        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().HaveCount(3, "the create and both ends");
        (await Persons.GetPurposeStatesAsync(stranger, default)).Should().BeEmpty();
        (await AuditTrail.GetAuditAsync(stranger, default)).Should().BeEmpty();

        (await ForgetAsync(user.Token, 7_000)).Should().BeTrue();
        (await Persons.GetPurposeStatesAsync(user.Token, default)).Should().BeEmpty();
        (await Persons.GetFieldRetentionDueAsync(long.MaxValue, 10, default)).Should().BeEmpty();
    }
}
