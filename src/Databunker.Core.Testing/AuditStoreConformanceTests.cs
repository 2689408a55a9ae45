using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the audit role (<see cref="IAuditStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class AuditStoreConformanceTests : StorageConformanceTests
{
    /// <summary>Audit: append read and purge.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Audit_AppendReadAndPurge()
    {
        var subject = Guid.NewGuid();
        await AuditTrail.AppendAuditAsync(new AuditRecord(0, 100, "a", "op.one", subject, "success", Bytes(10)), default);
        await AuditTrail.AppendAuditAsync(new AuditRecord(0, 200, "b", "op.two", subject, "not-found", null), default);
        await AuditTrail.AppendAuditAsync(new AuditRecord(0, 300, "c", "op.three", null, "success", null), default);

        var events = await AuditTrail.GetAuditAsync(subject, default);
        events.Select(e => e.Operation).Should().Equal("op.one", "op.two");
        events[0].Id.Should().BeLessThan(events[1].Id);
        events[0].Details.Should().HaveCount(10);
        events[1].Details.Should().BeNull();

        (await AuditTrail.PurgeAuditAsync(150, default)).Should().Be(1);
        (await AuditTrail.GetAuditAsync(subject, default)).Select(e => e.Operation).Should().Equal("op.two");
    }

    /// <summary>AuditChain: links every append in order onto its stripe, a batch onto one, and purge moves each stripe's start.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AuditChain_LinksEveryAppendInOrder_AndPurgeMovesItsStart()
    {
        var start = await AuditTrail.GetAuditChainAsync(default);
        start.Stripes.Should().NotBeEmpty().And.BeInAscendingOrder(s => s.Stripe);
        await AuditTrail.AppendAuditAsync(new AuditRecord(0, 100, "a", "op.one", Guid.NewGuid(), "success", Bytes(10)), default);
        await AuditTrail.AppendAuditAsync([new AuditRecord(0, 200, "b", "op.two", null, "success", null), new AuditRecord(0, 300, "c", "op.three", null, "success", null)], default);

        var chain = await AuditTrail.GetAuditChainAsync(default);
        chain.Stripes.Select(s => s.Stripe).Should().Equal(start.Stripes.Select(s => s.Stripe), "stripes are fixed");
        chain.Stripes.Sum(s => s.HeadSequence).Should().Be(start.Stripes.Sum(s => s.HeadSequence) + 3);
        chain.Events.Should().Be(start.Events + 3);
        var appended = new List<(int Stripe, ChainedAuditRecord Entry)>();
        foreach (var (before, after) in start.Stripes.Zip(chain.Stripes))
        {
            var events = await AuditTrail.GetChainedAuditAsync(before.Stripe, before.HeadSequence, 10, default);
            events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, (int)(after.HeadSequence - before.HeadSequence)).Select(i => before.HeadSequence + i));
            var previous = before.HeadLink;
            foreach (var entry in events)
            {
                entry.Link.Should().Equal(Chain.Link(previous, before.Stripe, entry.Sequence, entry.Event), "each link follows the one before it in its stripe, and covers the stripe");
                previous = entry.Link!;
                appended.Add((before.Stripe, entry));
            }

            after.HeadLink.Should().Equal(previous);
        }

        appended.Select(e => e.Entry.Event.Operation).Should().BeEquivalentTo("op.one", "op.two", "op.three");
        var two = appended.Single(e => e.Entry.Event.Operation == "op.two");
        var three = appended.Single(e => e.Entry.Event.Operation == "op.three");
        three.Stripe.Should().Be(two.Stripe, "one append's events go onto one stripe");
        three.Entry.Sequence.Should().Be(two.Entry.Sequence + 1);
        (await AuditTrail.GetChainedAuditAsync(two.Stripe, two.Entry.Sequence, 1, default)).Should().ContainSingle().Which.Event.Operation.Should().Be("op.three");

        var count = await AuditTrail.PurgeAuditAsync(250, default);
        var purged = await AuditTrail.GetAuditChainAsync(default);
        count.Should().Be((int)(chain.Events - purged.Events)).And.BeGreaterThanOrEqualTo(1, "op.two goes: op.three follows it");
        purged.Stripes.Select(s => s.HeadSequence).Should().Equal(chain.Stripes.Select(s => s.HeadSequence), "a purge never moves a head");
        var kept = purged.Stripes.Single(s => s.Stripe == three.Stripe);
        kept.FirstSequence.Should().Be(three.Entry.Sequence);
        kept.FirstPrevious.Should().Equal(two.Entry.Link);
        foreach (var stripe in purged.Stripes)
        {
            var left = await AuditTrail.GetChainedAuditAsync(stripe.Stripe, stripe.FirstSequence - 1, 100, default);
            left.All(e => e.Event.At >= 250 || e.Sequence == stripe.HeadSequence).Should().BeTrue("a purge keeps what is new, and may keep each stripe's newest event");
            left.Select(e => e.Sequence).FirstOrDefault(stripe.HeadSequence + 1).Should().Be(stripe.FirstSequence, "the stripe starts at its oldest event kept");
        }
    }

    /// <summary>GetAuditPageAsync: a subject's events page by page in id order, the same as GetAuditAsync reads at once.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetAuditPage_PagesThroughThePersonsEventsInOrder()
    {
        var subject = Guid.NewGuid();
        var other = Guid.NewGuid();
        for (var i = 0; i < 25; i++)
        {
            await AuditTrail.AppendAuditAsync([Audit(subject), Audit(other), Audit(null)], default);
        }

        var pages = new List<AuditRecord>();
        for (long after = 0; ;)
        {
            var page = await AuditTrail.GetAuditPageAsync(subject, after, 7, default);
            page.Count.Should().BeLessThanOrEqualTo(7);
            pages.AddRange(page);
            if (page.Count < 7)
            {
                break;
            }

            after = page[^1].Id;
        }

        pages.Should().HaveCount(25).And.OnlyContain(e => e.Person == subject);
        pages.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        pages.Select(e => e.Id).Should().Equal((await AuditTrail.GetAuditAsync(subject, default)).Select(e => e.Id));
    }
}
