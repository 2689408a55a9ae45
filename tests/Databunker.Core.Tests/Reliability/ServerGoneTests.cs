using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// The PostgreSQL server goes away (stopped as an operator would, or as a crash) while the vault works, on a
/// cluster of this fixture's own: every call either committed or failed with a transient
/// <see cref="DatabunkerStorageException"/>, a forget is never half done, and a due-work pass that was cut off
/// is finished by the next ones, each person forgotten and audited exactly once.
/// </summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
[Category(TestCategories.Faults)]
[NonParallelizable]
public sealed partial class ServerGoneTests
{
    private ThrowawayCluster _cluster = null!;
    private int _databases;

    [OneTimeSetUp]
    public void StartCluster() => _cluster = ThrowawayCluster.Start();

    /// <summary>A test that failed while the server was down leaves it running for the next.</summary>
    [TearDown]
    public void RestartIfHalted() => _cluster.EnsureRunning();

    [OneTimeTearDown]
    public void StopCluster() => _cluster?.Dispose();

    [Test]
    public async Task StoppedServer_EveryCallFailsAsTransient_AndTheSameProviderWorksWhenItIsBack()
    {
        await using var host = await StartAsync();
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var person = await host.Vault.CreatePersonAsync(Person(1));
        var token = await tokenizer.TokenizeAsync(NationalId(1), new TokenizeOptions { Person = person });

        _cluster.Halt("fast");
        var calls = new Dictionary<string, Func<Task>>
        {
            ["create"] = () => host.Vault.CreatePersonAsync(Person(2)),
            ["get"] = () => host.Vault.GetPersonAsync(PersonLookup.ByEmail("person00001@mail-1.example")),
            ["update"] = () => host.Vault.UpdatePersonAsync(PersonLookup.ByToken(person), Json(new { name = "Given00002 Family" })),
            ["tokenize"] = () => tokenizer.TokenizeAsync(NationalId(2)),
            ["detokenize"] = () => tokenizer.DetokenizeAsync(token),
            ["expiration"] = () => host.Expirations.StartAsync(PersonLookup.ByToken(person), TimeSpan.FromDays(1)),
            ["due work"] = () => host.Administration.RunDueWorkAsync(),
            ["forget"] = () => host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person)),
        };
        foreach (var (name, call) in calls)
        {
            var thrown = (await call.Should().ThrowAsync<DatabunkerStorageException>(name)).Which;
            thrown.IsTransient.Should().BeTrue($"{name}: a stopped server comes back");
            thrown.Message.Should().NotContain("person00001").And.NotContain("Given0000");
        }

        _cluster.Resume();
        var recovered = 0;
        foreach (var (name, call) in calls)
        {
            await call();
            recovered++;
        }

        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().BeNull("the forget after the restart went through");
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("person00002@mail-2.example"))).Should().NotBeNull();
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        TestContext.Out.WriteLine($"stopped server: {calls.Count} kinds of call refused as transient while down, {recovered} of {calls.Count} succeeded after the restart, no restart of the provider");
    }

    /// <summary>
    /// The storage keeps open connections its calls gave back (newest first); a restart leaves them all dead. The first
    /// call that meets one fails, and takes the others with it: the calls after it succeed.
    /// </summary>
    [Test]
    public async Task KeptConnections_AfterARestart_OnlyTheFirstCallFails()
    {
        await using var host = await StartAsync();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 6).Select(i => host.Vault.CreatePersonAsync(Person(100 + (10 * round) + i))));
        }

        _cluster.Halt("fast");
        _cluster.Resume();
        var failed = 0;
        for (var i = 0; i < 6; i++)
        {
            try
            {
                await host.Vault.CreatePersonAsync(Person(200 + i));
            }
            catch (DatabunkerStorageException ex) when (ex.IsTransient)
            {
                failed++;
            }
        }

        failed.Should().BeLessThanOrEqualTo(1);
        TestContext.Out.WriteLine($"after a restart with kept connections: {failed} of 6 creates failed");
    }

    private async Task<VaultHost> StartAsync(Action<DatabunkerOptions>? configure = null)
    {
        var name = $"gone{Interlocked.Increment(ref _databases)}";
        _cluster.Sql("postgres", $"CREATE DATABASE {name};");
        return await VaultHost.StartAsync(configure, store: TestStore.PostgreSql, database: _cluster.Of(name));
    }

    /// <summary>Waits, without a clock, until the workers have done what <paramref name="until"/> asks.</summary>
    private static async Task WaitAsync(SemaphoreSlim progress, Func<bool> until, Task workers)
    {
        while (!until())
        {
            if (workers.IsCompleted)
            {
                await workers;
                Assert.Fail("The workers stopped early.");
            }

            (await progress.WaitAsync(TimeSpan.FromMinutes(1))).Should().BeTrue("the workers make progress");
        }
    }

    private sealed record Outcome(string Kind, int Index, Guid? Token, bool Done);
}
