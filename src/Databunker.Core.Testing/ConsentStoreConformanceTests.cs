using Databunker.Core.Consent;
using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the consent ledger's role (<see cref="IConsentStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class ConsentStoreConformanceTests : StorageConformanceTests
{
    private static NewConsentEvent Decision(Guid owner, string activity, ConsentDecision decision, long at, long? expiresAt = null) =>
        new(owner, activity, decision, ConsentMethod.Form, "signup", "notice-" + activity, 1, Bytes(32), at, expiresAt, Bytes(50));

    /// <summary>AddConsentEventAsync: every event kept as written, in order, with its audit event.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_KeepsEveryEventInOrder()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        var granted = Decision(owner.Token, "newsletter", ConsentDecision.Granted, 10, expiresAt: 100);
        var withdrawn = Decision(owner.Token, "newsletter", ConsentDecision.Withdrawn, 20) with { Evidence = null, Source = null };

        var first = await Consents.AddConsentEventAsync(granted, Audit(owner.Token), default);
        var second = await Consents.AddConsentEventAsync(withdrawn, Audit(owner.Token), default);

        second.Should().BeGreaterThan(first);
        var events = await Consents.GetConsentEventsAsync(owner.Token, default);
        events.Select(e => e.Id).Should().Equal(first, second);
        events[0].Event.Should().BeEquivalentTo(granted);
        events[1].Event.Should().BeEquivalentTo(withdrawn);
        (await Consents.GetConsentEventsAsync(Guid.NewGuid(), default)).Should().BeEmpty();
        (await AuditTrail.GetAuditAsync(owner.Token, default)).Should().HaveCount(3);
        await FluentActions.Awaiting(() => Consents.AddConsentEventAsync(Decision(Guid.NewGuid(), "newsletter", ConsentDecision.Granted, 10), Audit(null), default))
            .Should().ThrowAsync<PersonNotFoundException>();
    }

    /// <summary>ExpireConsentsAsync: closes grants whose validity ended and nothing else, once, even when passes run at once.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Expire_ClosesEachLapsedGrantOnce()
    {
        var owners = Enumerable.Range(0, 12).Select(_ => NewPerson()).ToList();
        await Persons.CreatePersonsAsync(owners, default);
        foreach (var owner in owners)
        {
            await Consents.AddConsentEventAsync(Decision(owner.Token, "newsletter", ConsentDecision.Granted, 10, expiresAt: 50), Audit(owner.Token), default);
            await Consents.AddConsentEventAsync(Decision(owner.Token, "analytics", ConsentDecision.Granted, 10, expiresAt: 500), Audit(owner.Token), default);
        }

        // Withdrawn after the grant: nothing left to close.
        await Consents.AddConsentEventAsync(Decision(owners[0].Token, "newsletter", ConsentDecision.Withdrawn, 20), Audit(owners[0].Token), default);

        (await Consents.ExpireConsentsAsync(49, 100, Audit(null), default)).Should().Be(0);
        var counts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var total = 0;
            for (int closed; (closed = await Consents.ExpireConsentsAsync(50, 4, Audit(null), default)) > 0;)
            {
                total += closed;
            }

            return total;
        })));

        counts.Sum().Should().Be(11);
        var last = (await Consents.GetConsentEventsAsync(owners[1].Token, default)).Where(e => e.Event.Activity == "newsletter").Last().Event;
        (last.Decision, last.Method, last.At, last.NoticeVersion).Should().Be((ConsentDecision.Expired, ConsentMethod.System, 50L, 1));
        (await Consents.ExpireConsentsAsync(50, 100, Audit(null), default)).Should().Be(0);
    }

    /// <summary>Erasure: the person's events go, or with the history kept, only their evidence.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_DeletesTheEventsOrOnlyTheEvidence()
    {
        var gone = NewPerson();
        var kept = NewPerson();
        await Persons.CreatePersonsAsync([gone, kept], default);
        await Consents.AddConsentEventAsync(Decision(gone.Token, "newsletter", ConsentDecision.Granted, 10), Audit(gone.Token), default);
        await Consents.AddConsentEventAsync(Decision(kept.Token, "newsletter", ConsentDecision.Granted, 10), Audit(kept.Token), default);

        (await ForgetAsync(gone.Token, 20)).Should().BeTrue();
        await using (var erasure = await Vault.BeginErasureAsync(default))
        {
            await Persons.EnlistErasureAsync(erasure, kept.Token, default);
            await Consents.EnlistErasureAsync(erasure, kept.Token, keepHistory: true, default);
            (await erasure.CommitAsync(kept.Token, 20, Audit(kept.Token), default)).Should().BeTrue();
        }

        (await Consents.GetConsentEventsAsync(gone.Token, default)).Should().BeEmpty();
        var history = await Consents.GetConsentEventsAsync(kept.Token, default);
        history.Should().ContainSingle().Which.Event.Evidence.Should().BeNull("the decision stays as proof, its evidence goes");
    }
}
