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

    /// <summary>
    /// AddConsentEventAsync, ExpireConsentsAsync and GetConsentChainPageAsync: each person's decisions numbered 1, 2, 3 ...
    /// and linked onto their previous one (<see cref="IConsentChain"/>), whoever appends them; the chain read by owner, then sequence.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_LinksEachPersonsDecisionsInOrder()
    {
        var (alice, bob) = (NewPerson(), NewPerson());
        await Persons.CreatePersonsAsync([alice, bob], default);
        await Consents.AddConsentEventAsync(Decision(alice.Token, "newsletter", ConsentDecision.Granted, 10, expiresAt: 15), Audit(alice.Token), default);
        await Consents.AddConsentEventAsync(Decision(bob.Token, "newsletter", ConsentDecision.Granted, 11), Audit(bob.Token), default);
        await Consents.AddConsentEventAsync(Decision(alice.Token, "offers", ConsentDecision.Refused, 12), Audit(alice.Token), default);
        (await Consents.ExpireConsentsAsync(20, 10, Audit(null), default)).Should().Be(1);

        var ledger = await Consents.GetConsentEventsAsync(alice.Token, default);
        ledger.Select(e => e.Sequence).Should().Equal(1, 2, 3);
        var previous = new byte[ConsentChain.LinkSize];
        foreach (var stored in ledger)
        {
            stored.Link.Should().Equal(ConsentChain.Link(previous, stored.Sequence, stored.Event));
            previous = stored.Link!;
        }

        var first = await Consents.GetConsentChainPageAsync(null, 0, 2, default);
        var rest = await Consents.GetConsentChainPageAsync(first[^1].Event.Person, first[^1].Sequence, 10, default);
        var expected = new[] { (alice.Token, 1L), (alice.Token, 2L), (alice.Token, 3L), (bob.Token, 1L) }
            .OrderBy(e => Convert.ToHexString(e.Item1.ToByteArray()), StringComparer.Ordinal).ThenBy(e => e.Item2);
        first.Concat(rest).Select(e => (e.Event.Person, e.Sequence)).Should().Equal(expected);
        (await Consents.LinkLegacyConsentEventsAsync(Audit(null), default)).Should().Be(0, "a new store has no decisions from before the chain");
    }

    /// <summary>
    /// AddConsentEventAsync, ExpireConsentsAsync and the reads: each append moves its owner's head (<see cref="StoredConsentHead"/>)
    /// onto the new decision in the same transaction; the reads carry the head; no head is left without decisions.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Add_MovesEachPersonsHeadOntoTheirLastDecision()
    {
        var (alice, bob) = (NewPerson(), NewPerson());
        await Persons.CreatePersonsAsync([alice, bob], default);
        (await Consents.GetConsentHeadAsync(alice.Token, default)).Should().BeNull("a person with no decision has no head");
        await Consents.AddConsentEventAsync(Decision(alice.Token, "newsletter", ConsentDecision.Granted, 10, expiresAt: 15), Audit(alice.Token), default);
        await Consents.AddConsentEventAsync(Decision(bob.Token, "newsletter", ConsentDecision.Granted, 11), Audit(bob.Token), default);
        (await Consents.ExpireConsentsAsync(20, 10, Audit(null), default)).Should().Be(1);

        foreach (var (person, count) in new[] { (alice.Token, 2L), (bob.Token, 1L) })
        {
            var ledger = await Consents.GetConsentEventsAsync(person, default);
            var head = await Consents.GetConsentHeadAsync(person, default);
            head.Should().NotBeNull();
            (head!.Person, head.Sequence).Should().Be((person, count));
            var marker = new NewConsentEvent(person, string.Empty, default, default, null, string.Empty, 0, [], 0, null, null);
            head.Mac.Should().Equal(ConsentChain.Link(ledger[^1].Link, -count, marker), "the head's MAC is the chain's link over the last link, at the negated sequence number, of an event that carries only the owner");
            ledger.Should().OnlyContain(e => e.Head != null && e.Head.Sequence == count && e.Head.Mac.SequenceEqual(head.Mac));
        }

        (await Consents.GetConsentHeadsWithoutDecisionsAsync(10, default)).Should().BeEmpty();
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

    /// <summary>MarkReconsentRequiredAsync: marks latest grants under an older notice version, once, even when passes run at once; ListLatestConsentsAsync finds them.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task MarkReconsent_MarksEachOutdatedLatestGrantOnce_AndTheListingFindsThem()
    {
        var owners = Enumerable.Range(0, 9).Select(_ => NewPerson()).ToList();
        await Persons.CreatePersonsAsync(owners, default);
        foreach (var owner in owners)
        {
            await Consents.AddConsentEventAsync(Decision(owner.Token, "newsletter", ConsentDecision.Granted, 10), Audit(owner.Token), default);
        }

        // Granted again under version 2 already, or withdrawn: nothing to mark.
        await Consents.AddConsentEventAsync(Decision(owners[0].Token, "newsletter", ConsentDecision.Granted, 20) with { NoticeVersion = 2 }, Audit(owners[0].Token), default);
        await Consents.AddConsentEventAsync(Decision(owners[1].Token, "newsletter", ConsentDecision.Withdrawn, 20), Audit(owners[1].Token), default);

        (await Consents.MarkReconsentRequiredAsync("newsletter", 1, 30, 100, Audit(null), default)).Should().Be(0, "nothing is older than version 1");
        var counts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var total = 0;
            for (int marked; (marked = await Consents.MarkReconsentRequiredAsync("newsletter", 2, 30, 2, Audit(null), default)) > 0;)
            {
                total += marked;
            }

            return total;
        })));

        counts.Sum().Should().Be(7);
        var first = await Consents.ListLatestConsentsAsync("newsletter", ConsentDecision.ReconsentRequired, 0, 4, default);
        var rest = await Consents.ListLatestConsentsAsync("newsletter", ConsentDecision.ReconsentRequired, first[^1].Id, 10, default);
        first.Concat(rest).Select(e => e.Event.Person).Should().BeEquivalentTo(owners.Skip(2).Select(o => o.Token));
        first.Select(e => e.Id).Concat(rest.Select(e => e.Id)).Should().BeInAscendingOrder();
        (first[0].Event.Method, first[0].Event.NoticeVersion, first[0].Event.At).Should().Be((ConsentMethod.System, 1, 30L));
        (await Consents.ListLatestConsentsAsync("newsletter", ConsentDecision.Granted, 0, 10, default)).Select(e => e.Event.Person).Should().Equal(owners[0].Token);
    }

    /// <summary>Pending decisions: kept with their link, attachable once a person holds the index hash, attached once, and deleted when stale.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task PendingDecisions_AttachOnceToThePersonWhoHoldsTheHash_AndStaleOnesAreDeleted()
    {
        var hash = Bytes(32);
        var pending = new PendingConsentEvent(hash, Decision(Guid.Empty, "newsletter", ConsentDecision.Granted, 10)) { Link = Bytes(32) };
        var stale = new PendingConsentEvent(Bytes(32), Decision(Guid.Empty, "newsletter", ConsentDecision.Refused, 5));
        var id = await Consents.AddPendingConsentAsync(pending, Audit(null), default);
        await Consents.AddPendingConsentAsync(stale, Audit(null), default);
        (await Consents.GetAttachablePendingConsentsAsync(null, 10, default)).Should().BeEmpty("no person holds either hash");

        var person = NewPerson(new IndexEntry(LookupKind.Email, hash));
        await Persons.CreatePersonsAsync([person, NewPerson()], default);
        var attachable = await Consents.GetAttachablePendingConsentsAsync(null, 10, default);
        attachable.Should().ContainSingle().Which.Should().BeEquivalentTo(new StoredPendingConsent(id, person.Token, pending));
        (await Consents.GetAttachablePendingConsentsAsync(Guid.NewGuid(), 10, default)).Should().BeEmpty("only the given owner's");

        var attached = pending.Event with { Person = person.Token, Evidence = Bytes(50) };
        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Consents.AttachPendingConsentsAsync([id], [attached], Audit(null), default))));
        both.Count(b => b).Should().Be(1, "a pending decision is attached once");
        (await Consents.GetConsentEventsAsync(person.Token, default)).Should().ContainSingle().Which.Event.Should().BeEquivalentTo(attached);
        (await Consents.GetAttachablePendingConsentsAsync(null, 10, default)).Should().BeEmpty();

        (await Consents.DeletePendingConsentsAsync(4, 10, default)).Should().Be(0);
        (await Consents.DeletePendingConsentsAsync(5, 10, default)).Should().Be(1);
        (await Consents.DeletePendingConsentsAsync(5, 10, default)).Should().Be(0);
    }

    /// <summary>GetEarliestConsentExpiryAsync: the first expiry of the grants that are still a pair's latest decision.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetEarliestConsentExpiry_CountsOnlyGrantsThatAreStillTheLatestDecision()
    {
        var owner = NewPerson();
        await Persons.CreatePersonsAsync([owner], default);
        (await Consents.GetEarliestConsentExpiryAsync(default)).Should().BeNull("no decision is stored");
        await Consents.AddConsentEventAsync(Decision(owner.Token, "newsletter", ConsentDecision.Granted, 10, expiresAt: 50), Audit(owner.Token), default);
        await Consents.AddConsentEventAsync(Decision(owner.Token, "analytics", ConsentDecision.Granted, 10, expiresAt: 90), Audit(owner.Token), default);
        (await Consents.GetEarliestConsentExpiryAsync(default)).Should().Be(50);

        await Consents.AddConsentEventAsync(Decision(owner.Token, "newsletter", ConsentDecision.Withdrawn, 20), Audit(owner.Token), default);

        (await Consents.GetEarliestConsentExpiryAsync(default)).Should().Be(90, "a withdrawn grant no longer runs out");
    }
}
