using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

public sealed partial class ServerGoneTests
{
    [Test]
    public async Task ServerStoppedDuringADuePass_LaterPassesFinishIt_EveryoneForgottenAndAuditedOnce()
    {
        const int Due = 400;
        var claimTimeout = TimeSpan.FromMinutes(5);
        await using var host = await StartAsync(o => (o.Expiration.BatchSize, o.Expiration.ClaimTimeout) = (25, claimTimeout));
        for (var i = 0; i < Due; i++)
        {
            var person = await host.Vault.CreatePersonAsync(Person(i));
            await host.Expirations.StartAsync(PersonLookup.ByToken(person), TimeSpan.FromHours(1));
        }

        host.Time.Advance(TimeSpan.FromHours(2));
        var someForgotten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forgotten = 0;
        host.Logs.Written += line =>
        {
            if (line.Contains("Forgot a person (expiration.expired)", StringComparison.Ordinal) && Interlocked.Increment(ref forgotten) == 50)
            {
                someForgotten.TrySetResult();
            }
        };

        var pass = Task.Run(() => host.Administration.RunDueWorkAsync());
        await someForgotten.Task;
        _cluster.Halt("immediate");
        var cut = (await pass.Awaiting(p => p).Should().ThrowAsync<DatabunkerStorageException>("the server went away under the pass")).Which;
        cut.IsTransient.Should().BeTrue();

        _cluster.Resume();
        var beforeStop = Stored(host, "SELECT COUNT(*) FROM tombstones");
        var resumed = (await host.Administration.RunDueWorkAsync())["expiration"];
        var waitingForClaims = Stored(host, "SELECT COUNT(*) FROM users");
        waitingForClaims.Should().BeLessThanOrEqualTo(25, "only the batch that the cut pass had claimed waits for its claim to time out");

        host.Time.Advance(claimTimeout + TimeSpan.FromSeconds(1));
        var afterClaims = (await host.Administration.RunDueWorkAsync())["expiration"];
        (await host.Administration.RunDueWorkAsync())["expiration"].Should().Be(0);

        Stored(host, "SELECT COUNT(*) FROM users").Should().Be(0, "everyone due is forgotten");
        Stored(host, "SELECT COUNT(*) FROM tombstones").Should().Be(Due);
        Stored(host, "SELECT COUNT(*) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(Due, "each forget is audited once");
        Stored(host, "SELECT COUNT(DISTINCT subject) FROM audit_events WHERE operation = 'expiration.expired'").Should().Be(Due);
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        TestContext.Out.WriteLine(
            $"server gone during a due pass: {beforeStop} of {Due} forgotten before the crash stop, {resumed} by the first pass after the restart, " +
            $"{afterClaims} once the cut pass's claims timed out ({claimTimeout.TotalMinutes} min); {Due} forgotten and audited exactly once");
    }

    private static long Stored(VaultHost host, string sql) => host.Scalar<long>(sql);
}
