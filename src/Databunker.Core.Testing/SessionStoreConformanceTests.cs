namespace Databunker.Core.Testing;

/// <summary>The contract of the sessions role (<see cref="ISessionStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class SessionStoreConformanceTests : StorageConformanceTests
{
    /// <summary>A session created at 10 with an idle timeout of 100 and an absolute expiry at 150: it expires at 110.</summary>
    private static NewSession Session(Guid? owner = null, long createdAt = 10, long idle = 100, long absolute = 150) =>
        new(Bytes(32), Guid.NewGuid(), owner, Bytes(70), Bytes(30), createdAt, idle, absolute);

    /// <summary>AddSessionAsync: then get by id hash, with the owner's wrapped key, while live.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_ThenGetWhileLive()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var owned = Session(owner.Token);
        var anonymous = Session();

        await Sessions.AddSessionAsync(owned, Audit(owner.Token), default);
        await Sessions.AddSessionAsync(anonymous, Audit(null), default);

        var found = await Sessions.GetSessionAsync(owned.IdHash, 20, null, default);
        found!.Handle.Should().Be(owned.Handle);
        found.Person.Should().Be(owner.Token);
        found.Data.Should().Equal(owned.Data);
        found.Label.Should().Equal(owned.Label);
        found.Version.Should().Be(1);
        (found.CreatedAt, found.LastSeenAt, found.ExpiresAt).Should().Be((10L, 10L, 110L));
        found.PersonKey!.Ciphertext.Should().Equal(owner.DataKey.Ciphertext);
        var free = await Sessions.GetSessionAsync(anonymous.IdHash, 20, null, default);
        free!.Person.Should().BeNull();
        free.PersonKey.Should().BeNull();
        (await Sessions.GetSessionAsync(owned.IdHash, 110, null, default)).Should().BeNull("it expired at 110");
        (await Sessions.GetSessionAsync(Bytes(32), 20, null, default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(2);
    }

    /// <summary>AddSessionAsync: an owner that does not exist fails, writing nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_UnknownPerson_ThrowsAndWritesNothing()
    {
        var orphan = Session(Guid.NewGuid());

        var act = () => Sessions.AddSessionAsync(orphan, Audit(orphan.Person), default);

        await act.Should().ThrowAsync<PersonNotFoundException>();
        (await Sessions.GetSessionAsync(orphan.IdHash, 20, null, default)).Should().BeNull();
    }

    /// <summary>GetSessionAsync: a touch slides the expiry only when the last touch is old enough, never past the absolute expiry.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Get_TouchSlidesTheExpiryWithinTheAbsoluteOne()
    {
        var session = Session();
        await Sessions.AddSessionAsync(session, Audit(null), default);

        var untouched = await Sessions.GetSessionAsync(session.IdHash, 30, null, default);
        untouched!.LastSeenAt.Should().Be(10, "no touch was asked for");
        var touched = await Sessions.GetSessionAsync(session.IdHash, 40, 35, default);
        (touched!.LastSeenAt, touched.ExpiresAt).Should().Be((40L, 140L));
        var fresh = await Sessions.GetSessionAsync(session.IdHash, 45, 39, default);
        fresh!.LastSeenAt.Should().Be(40, "the last touch is newer than the bound");
        (await Sessions.GetSessionAsync(session.IdHash, 139, null, default))!.LastSeenAt.Should().Be(40, "the touch was stored");
        var capped = await Sessions.GetSessionAsync(session.IdHash, 100, 100, default);
        (capped!.LastSeenAt, capped.ExpiresAt).Should().Be((100L, 150L), "the absolute expiry caps the sliding one");
        (await Sessions.GetSessionAsync(session.IdHash, 150, 150, default)).Should().BeNull("nothing revives a session at its absolute expiry");
    }

    /// <summary>ReplaceSessionDataAsync: by expected version, touching the session, with its event; not when expired.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReplaceData_ByExpectedVersion()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var session = Session(owner.Token);
        await Sessions.AddSessionAsync(session, Audit(owner.Token), default);
        var data = Bytes(80);

        (await Sessions.ReplaceSessionDataAsync(session.IdHash, data, 2, 20, Audit(owner.Token), default)).Should().BeNull("it is at version 1");
        (await Sessions.ReplaceSessionDataAsync(session.IdHash, data, 1, 20, Audit(owner.Token), default)).Should().Be(2);
        (await Sessions.ReplaceSessionDataAsync(session.IdHash, data, null, 30, Audit(owner.Token), default)).Should().Be(3);
        var found = await Sessions.GetSessionAsync(session.IdHash, 30, null, default);
        found!.Data.Should().Equal(data);
        (found.Version, found.LastSeenAt, found.ExpiresAt).Should().Be((3L, 30L, 130L));
        (await Sessions.ReplaceSessionDataAsync(session.IdHash, data, null, 130, Audit(owner.Token), default)).Should().BeNull("it expired at 130");
        (await Sessions.ReplaceSessionDataAsync(Bytes(32), data, null, 30, Audit(owner.Token), default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(4, "creation, the session, two replacements");
    }

    /// <summary>ReplaceSessionAsync: the live session gives way to the new one in one step.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReplaceSession_EndsTheOldAndStoresTheNew()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var anonymous = Session();
        await Sessions.AddSessionAsync(anonymous, Audit(null), default);
        var bound = Session(owner.Token, createdAt: 20);

        (await Sessions.ReplaceSessionAsync(anonymous.IdHash, 20, bound, Audit(owner.Token), default)).Should().BeTrue();
        (await Sessions.ReplaceSessionAsync(anonymous.IdHash, 20, Session(owner.Token, createdAt: 20), Audit(owner.Token), default)).Should().BeFalse("the old one is gone");

        (await Sessions.GetSessionAsync(anonymous.IdHash, 21, null, default)).Should().BeNull();
        (await Sessions.GetSessionAsync(bound.IdHash, 21, null, default))!.Person.Should().Be(owner.Token);
        (await Sessions.ListSessionsAsync(owner.Token, 21, default)).Should().ContainSingle();
    }

    /// <summary>ListSessionsAsync: the owner's live sessions, most recently seen first.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task List_LiveOnesOfThePersonMostRecentFirst()
    {
        var owner = NewPerson();
        var other = NewPerson();
        await Persons.CreatePersonsAsync([owner, other], default);
        var old = Session(owner.Token, createdAt: 10);
        var recent = Session(owner.Token, createdAt: 20);
        var expired = Session(owner.Token, createdAt: 0, idle: 15);
        foreach (var session in new[] { old, recent, expired, Session(other.Token), Session() })
        {
            await Sessions.AddSessionAsync(session, Audit(session.Person), default);
        }

        var listed = await Sessions.ListSessionsAsync(owner.Token, 25, default);

        listed.Select(s => s.Handle).Should().Equal(recent.Handle, old.Handle);
        listed[0].Label.Should().Equal(recent.Label);
        (listed[0].CreatedAt, listed[0].LastSeenAt, listed[0].ExpiresAt).Should().Be((20L, 20L, 120L));
    }

    /// <summary>Deletions: one by id hash (audited under its owner), one by handle, all but one, all.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Delete_ByIdByHandleAllButOneAndAll()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var sessions = Enumerable.Range(0, 5).Select(_ => Session(owner.Token)).ToList();
        foreach (var session in sessions)
        {
            await Sessions.AddSessionAsync(session, Audit(owner.Token), default);
        }

        (await Sessions.DeleteSessionAsync(sessions[0].IdHash, Audit(null), default)).Should().BeTrue();
        (await Sessions.DeleteSessionAsync(sessions[0].IdHash, Audit(null), default)).Should().BeFalse();
        (await Sessions.DeleteSessionsAsync(owner.Token, sessions[1].Handle, null, Audit(owner.Token), default)).Should().Be(1);
        (await Sessions.DeleteSessionsAsync(Guid.NewGuid(), sessions[2].Handle, null, Audit(null), default)).Should().Be(0, "a handle counts only under its owner");
        (await Sessions.DeleteSessionsAsync(owner.Token, null, sessions[4].IdHash, Audit(owner.Token), default)).Should().Be(2, "all but the current one");
        (await Sessions.ListSessionsAsync(owner.Token, 20, default)).Select(s => s.Handle).Should().Equal(sessions[4].Handle);
        (await Sessions.DeleteSessionsAsync(owner.Token, null, null, Audit(owner.Token), default)).Should().Be(1);
        (await Sessions.DeleteSessionsAsync(owner.Token, null, null, Audit(owner.Token), default)).Should().Be(0);

        var events = await AuditTrail.GetAuditAsync(owner.Token, default);
        events.Should().HaveCount(1 + 5 + 1 + 1 + 1 + 1, "creation, five sessions, and one event per deletion that deleted something");
    }

    /// <summary>DeleteExpiredSessionsAsync: in batches, live ones kept; concurrent calls remove each session once.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteExpired_InBatchesAndEachOnce()
    {
        var live = Session(idle: 1000, absolute: 1000);
        await Sessions.AddSessionAsync(live, Audit(null), default);
        for (var i = 0; i < 60; i++)
        {
            await Sessions.AddSessionAsync(Session(), Audit(null), default);
        }

        (await Sessions.DeleteExpiredSessionsAsync(109, 10, default)).Should().Be(0);
        (await Sessions.DeleteExpiredSessionsAsync(110, 10, default)).Should().Be(10);

        async Task<int> DrainAsync()
        {
            var total = 0;
            for (int removed; (removed = await Sessions.DeleteExpiredSessionsAsync(110, 7, default)) > 0;)
            {
                total += removed;
            }

            return total;
        }

        var counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(DrainAsync)));
        counts.Sum().Should().Be(50);
        (await Sessions.GetSessionAsync(live.IdHash, 110, null, default)).Should().NotBeNull();
    }

    /// <summary>Erasure: the sessions a person owns go with them; others stay.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_DeletesThePersonsSessionsOnly()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var owned = Session(owner.Token);
        var anonymous = Session();
        await Sessions.AddSessionAsync(owned, Audit(owner.Token), default);
        await Sessions.AddSessionAsync(anonymous, Audit(null), default);

        (await ForgetAsync(owner.Token, 20)).Should().BeTrue();

        (await Sessions.GetSessionAsync(owned.IdHash, 20, null, default)).Should().BeNull();
        (await Sessions.GetSessionAsync(anonymous.IdHash, 20, null, default)).Should().NotBeNull();
    }

    /// <summary>GetEarliestSessionExpiryAsync: the first expiry of the stored sessions, until they are removed.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetEarliestSessionExpiry_IsTheFirstExpiry_UntilItIsRemoved()
    {
        (await Sessions.GetEarliestSessionExpiryAsync(default)).Should().BeNull("no session is stored");
        await Sessions.AddSessionAsync(Session(createdAt: 10), Audit(null), default);
        await Sessions.AddSessionAsync(Session(createdAt: 30), Audit(null), default);

        (await Sessions.GetEarliestSessionExpiryAsync(default)).Should().Be(110);
        await Sessions.DeleteExpiredSessionsAsync(120, 10, default);
        (await Sessions.GetEarliestSessionExpiryAsync(default)).Should().Be(130);
    }
}
