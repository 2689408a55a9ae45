using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>
/// A head this instance remembers from before a purge may lie below the stripe's new start, where no row refuses the
/// next sequence number: the append must fail there and go to another stripe, never land below the start.
/// </summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
public sealed class StaleStripeTests
{
    [Test]
    public async Task AnAppendAfterTheHeadItRemembers_WasMovedPastByAPurge_LandsOnAnotherStripe()
    {
        await using var host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, store: TestStore.PostgreSql);
        await host.Vault.CreatePersonAsync(Json(new { email = "first@example.com" }));
        var stripe = host.Scalar<int>("SELECT stripe FROM audit_events ORDER BY id DESC LIMIT 1");
        var head = host.Scalar<long>($"SELECT MAX(seq) FROM audit_events WHERE stripe = {stripe}");

        // What another instance's appends and a purge leave: the stripe now starts (and holds its newest event) well past
        // the head this instance remembers.
        host.Sql($"INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq, link) " +
                 $"SELECT at, actor, operation, subject, outcome, details, stripe, {head + 100}, link FROM audit_events WHERE stripe = {stripe} AND seq = {head}");
        host.Sql($"DELETE FROM audit_events WHERE stripe = {stripe} AND seq <= {head}");
        host.Sql($"UPDATE audit_chain SET first_seq = {head + 100} WHERE id = {stripe}");

        await host.Vault.CreatePersonAsync(Json(new { email = "second@example.com" }));

        host.Scalar<long>("SELECT COUNT(*) FROM audit_events e JOIN audit_chain c ON c.id = e.stripe WHERE e.seq < c.first_seq")
            .Should().Be(0, "no event may land below its stripe's start");
        host.Scalar<int>("SELECT stripe FROM audit_events ORDER BY id DESC LIMIT 1").Should().NotBe(stripe);
    }
}
