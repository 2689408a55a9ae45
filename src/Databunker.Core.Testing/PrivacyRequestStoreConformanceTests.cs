using Databunker.Core.Requests;

namespace Databunker.Core.Testing;

/// <summary>The contract of the data-subject requests' role (<see cref="IPrivacyRequestStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class PrivacyRequestStoreConformanceTests : StorageConformanceTests
{
    /// <summary>A request received at <paramref name="receivedAt"/>, due at <paramref name="dueAt"/>, with every field set.</summary>
    private static PrivacyRequestRow Request(Guid owner, long receivedAt = 10, long dueAt = 1000, PrivacyRequestState state = PrivacyRequestState.Received, long? wakeAt = 500) => new()
    {
        Id = Guid.NewGuid(),
        Person = owner,
        Type = PrivacyRequestType.Rectification,
        Regime = PrivacyRegime.Ccpa,
        State = state,
        Version = 1,
        Activity = "newsletter",
        ReceivedAt = receivedAt,
        AcknowledgeBy = 200,
        AcknowledgedAt = receivedAt,
        DueAt = dueAt,
        Extended = false,
        VerifyBy = 500,
        CodeHash = Bytes(32),
        CodeExpiresAt = 40,
        CodesSent = 1,
        WakeAt = wakeAt,
        Sealed = Bytes(80),
    };

    /// <summary>AddPrivacyRequestAsync: every field reads back as written, by id and by owner; an unknown owner fails and writes nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_ThenGetByIdAndPerson()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var later = Request(owner.Token, receivedAt: 20);
        var earlier = Request(owner.Token, receivedAt: 10) with { Activity = null, AcknowledgeBy = null, Sealed = null, CodeHash = null, CodeExpiresAt = null, WakeAt = null };

        await PrivacyRequests.AddPrivacyRequestAsync(later, Audit(owner.Token), default);
        await PrivacyRequests.AddPrivacyRequestAsync(earlier, Audit(owner.Token), default);

        (await PrivacyRequests.GetPrivacyRequestAsync(later.Id, default)).Should().BeEquivalentTo(later);
        (await PrivacyRequests.GetPrivacyRequestAsync(earlier.Id, default)).Should().BeEquivalentTo(earlier);
        (await PrivacyRequests.GetPrivacyRequestAsync(Guid.NewGuid(), default)).Should().BeNull();
        (await PrivacyRequests.GetPrivacyRequestsOfAsync(owner.Token, default)).Select(r => r.Id).Should().Equal(earlier.Id, later.Id);
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(3);

        var orphan = Request(Guid.NewGuid());
        await FluentActions.Awaiting(() => PrivacyRequests.AddPrivacyRequestAsync(orphan, Audit(orphan.Person), default)).Should().ThrowAsync<PersonNotFoundException>();
        (await PrivacyRequests.GetPrivacyRequestAsync(orphan.Id, default)).Should().BeNull();
    }

    /// <summary>UpdatePrivacyRequestAsync: a compare-and-set on the version; of eight writers with one expected version exactly one wins, and only a win is audited.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Update_IsCompareAndSetOnTheVersion()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var request = Request(owner.Token);
        await PrivacyRequests.AddPrivacyRequestAsync(request, Audit(owner.Token), default);
        var verified = request with
        {
            State = PrivacyRequestState.AwaitingApproval, Version = 2, VerifiedAt = 30, CodeHash = null, CodeExpiresAt = null, CodeAttempts = 2, CodesSent = 3, Extended = true,
            DueAt = 2000, DecidedAt = 31, DecidedBy = "dpo", ClosedAt = 32, Outcome = "carried-out", OverdueAt = 33, WakeAt = null, Sealed = Bytes(90), AcknowledgedAt = 11,
            AcknowledgeBy = 201, VerifyBy = 501,
        };

        (await PrivacyRequests.UpdatePrivacyRequestAsync(verified, 1, Audit(owner.Token), default)).Should().BeTrue();
        (await PrivacyRequests.UpdatePrivacyRequestAsync(verified with { Version = 2 }, 1, Audit(owner.Token), default)).Should().BeFalse("the request is at version 2 now");
        (await PrivacyRequests.GetPrivacyRequestAsync(request.Id, default)).Should().BeEquivalentTo(verified);

        var wins = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            PrivacyRequests.UpdatePrivacyRequestAsync(verified with { Version = 3, Outcome = "writer " + i }, 2, Audit(owner.Token), default))));
        wins.Count(w => w).Should().Be(1);
        (await PrivacyRequests.UpdatePrivacyRequestAsync(verified with { Version = 4 }, 3, null, default)).Should().BeTrue("a write without an audit event is allowed");
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(1 + 1 + 1 + 1, "creation, the add, the first update and the one winner");
    }

    /// <summary>ListPrivacyRequestsAsync: by state, soonest due first then by id, in pages.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task List_ByStateByDueDateInPages()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var requests = new[]
        {
            Request(owner.Token, dueAt: 300),
            Request(owner.Token, dueAt: 100, state: PrivacyRequestState.AwaitingApproval),
            Request(owner.Token, dueAt: 200),
            Request(owner.Token, dueAt: 200),
            Request(owner.Token, dueAt: 50, state: PrivacyRequestState.Completed),
        };
        foreach (var request in requests)
        {
            await PrivacyRequests.AddPrivacyRequestAsync(request, Audit(owner.Token), default);
        }

        var open = new[] { PrivacyRequestState.Received, PrivacyRequestState.AwaitingApproval };
        var tied = requests.Where(r => r.DueAt == 200).Select(r => r.Id).OrderBy(id => id.ToByteArray(), ByteOrder.Instance).ToList();
        var first = await PrivacyRequests.ListPrivacyRequestsAsync(open, null, null, 2, default);
        first.Select(r => r.Id).Should().Equal(requests[1].Id, tied[0]);
        var second = await PrivacyRequests.ListPrivacyRequestsAsync(open, first[^1].DueAt, first[^1].Id, 2, default);
        second.Select(r => r.Id).Should().Equal(tied[1], requests[0].Id);
        (await PrivacyRequests.ListPrivacyRequestsAsync(open, second[^1].DueAt, second[^1].Id, 2, default)).Should().BeEmpty();
        (await PrivacyRequests.ListPrivacyRequestsAsync([PrivacyRequestState.Completed], null, null, 10, default)).Select(r => r.Id).Should().Equal(requests[4].Id);
    }

    /// <summary>GetPrivacyRequestsToWakeAsync: those whose wake time came, soonest first, never one without a wake time; DeletePrivacyRequestAsync at a version.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Wake_FindsWhatIsDue_AndDeleteIsAtAVersion()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var late = Request(owner.Token, wakeAt: 300);
        var soon = Request(owner.Token, wakeAt: 100);
        var never = Request(owner.Token, wakeAt: null);
        var future = Request(owner.Token, wakeAt: 301);
        foreach (var request in new[] { late, soon, never, future })
        {
            await PrivacyRequests.AddPrivacyRequestAsync(request, Audit(owner.Token), default);
        }

        (await PrivacyRequests.GetPrivacyRequestsToWakeAsync(99, 10, default)).Should().BeEmpty();
        (await PrivacyRequests.GetPrivacyRequestsToWakeAsync(300, 10, default)).Select(r => r.Id).Should().Equal(soon.Id, late.Id);
        (await PrivacyRequests.GetPrivacyRequestsToWakeAsync(300, 1, default)).Select(r => r.Id).Should().Equal(soon.Id);

        (await PrivacyRequests.DeletePrivacyRequestAsync(soon.Id, 2, Audit(owner.Token), default)).Should().BeFalse("it is at version 1");
        (await PrivacyRequests.DeletePrivacyRequestAsync(soon.Id, 1, Audit(owner.Token), default)).Should().BeTrue();
        (await PrivacyRequests.GetPrivacyRequestAsync(soon.Id, default)).Should().BeNull();
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(1 + 4 + 1);
    }

    /// <summary>EnlistErasureAsync: a forget removes the sealed change and reasons and the code hash and raises the version; the record stays.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Forget_RemovesSealedPartsAndCode_KeepsTheRecord()
    {
        var owner = NewPerson();
        var other = NewPerson();
        await Persons.CreatePersonsAsync([owner, other], default);
        var request = Request(owner.Token);
        var kept = Request(other.Token);
        await PrivacyRequests.AddPrivacyRequestAsync(request, Audit(owner.Token), default);
        await PrivacyRequests.AddPrivacyRequestAsync(kept, Audit(other.Token), default);

        (await ForgetAsync(owner.Token, 50)).Should().BeTrue();

        (await PrivacyRequests.GetPrivacyRequestAsync(request.Id, default)).Should().BeEquivalentTo(request with { Sealed = null, CodeHash = null, CodeExpiresAt = null, Version = 2 });
        (await PrivacyRequests.GetPrivacyRequestAsync(kept.Id, default)).Should().BeEquivalentTo(kept);
    }

    /// <summary>Byte-wise order, as both providers compare ids.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>GetEarliestPrivacyRequestWakeAsync: the first wake time of the stored requests; a request with none is not due.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetEarliestPrivacyRequestWake_IsTheFirstWakeTime()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        (await PrivacyRequests.GetEarliestPrivacyRequestWakeAsync(default)).Should().BeNull("no request is stored");
        await PrivacyRequests.AddPrivacyRequestAsync(Request(owner.Token, wakeAt: null), Audit(owner.Token), default);
        (await PrivacyRequests.GetEarliestPrivacyRequestWakeAsync(default)).Should().BeNull("a request without a wake time is not due");
        await PrivacyRequests.AddPrivacyRequestAsync(Request(owner.Token, wakeAt: 700), Audit(owner.Token), default);
        await PrivacyRequests.AddPrivacyRequestAsync(Request(owner.Token, wakeAt: 300), Audit(owner.Token), default);

        (await PrivacyRequests.GetEarliestPrivacyRequestWakeAsync(default)).Should().Be(300);
    }
}
