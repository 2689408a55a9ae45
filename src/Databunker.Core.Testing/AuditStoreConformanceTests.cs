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

    /// <summary>AuditChain: links every append in order, and purge moves its start.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AuditChain_LinksEveryAppendInOrder_AndPurgeMovesItsStart()
    {
        var start = await AuditTrail.GetAuditChainAsync(default);
        await AuditTrail.AppendAuditAsync(new AuditRecord(0, 100, "a", "op.one", Guid.NewGuid(), "success", Bytes(10)), default);
        await AuditTrail.AppendAuditAsync([new AuditRecord(0, 200, "b", "op.two", null, "success", null), new AuditRecord(0, 300, "c", "op.three", null, "success", null)], default);

        var chain = await AuditTrail.GetAuditChainAsync(default);
        chain.HeadSequence.Should().Be(start.HeadSequence + 3);
        chain.Events.Should().Be(start.Events + 3);
        var events = await AuditTrail.GetChainedAuditAsync(start.HeadSequence, 10, default);
        events.Select(e => e.Sequence).Should().Equal(start.HeadSequence + 1, start.HeadSequence + 2, start.HeadSequence + 3);
        var previous = start.HeadLink;
        foreach (var entry in events)
        {
            entry.Link.Should().Equal(Chain.Link(previous, entry.Sequence, entry.Event), "each link follows the one before it");
            previous = entry.Link!;
        }

        chain.HeadLink.Should().Equal(previous);
        (await AuditTrail.GetChainedAuditAsync(start.HeadSequence + 1, 1, default)).Should().ContainSingle().Which.Event.Operation.Should().Be("op.two");

        (await AuditTrail.PurgeAuditAsync(250, default)).Should().Be(2 + (int)start.Events, "the oldest events up to the first one kept");
        var purged = await AuditTrail.GetAuditChainAsync(default);
        purged.FirstSequence.Should().Be(start.HeadSequence + 3);
        purged.FirstPrevious.Should().Equal(events[1].Link);
        purged.HeadSequence.Should().Be(chain.HeadSequence);
    }

    /// <summary>GetAuditPageAsync: a subject's events page by page in id order, the same as GetAuditAsync reads at once.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetAuditPage_PagesThroughTheSubjectsEventsInOrder()
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

        pages.Should().HaveCount(25).And.OnlyContain(e => e.Subject == subject);
        pages.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        pages.Select(e => e.Id).Should().Equal((await AuditTrail.GetAuditAsync(subject, default)).Select(e => e.Id));
    }
}
