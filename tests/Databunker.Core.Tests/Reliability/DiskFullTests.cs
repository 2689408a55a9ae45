using System.Text.Json;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// The disk fills under a running vault: every write it cannot take is refused with a
/// <see cref="DatabunkerStorageException"/> that says "disk full", nothing acknowledged is lost, no half-written
/// person can be found, reads go on, and once space is freed the same service provider writes again.
/// </summary>
[TestFixture(DiskFullScenario.SqlitePageLimit, Category = TestStore.SqliteName)]
[TestFixture(DiskFullScenario.SqliteTmpfs, Category = TestStore.SqliteName)]
[TestFixture(DiskFullScenario.PostgreSqlTablespace, Category = TestStore.PostgreSqlName)]
[Category(TestCategories.Faults)]
[NonParallelizable]
public sealed partial class DiskFullTests(string kind)
{
    private const int Before = 20;

    [Test]
    public async Task WritesOnAFullDisk_AreRefusedAsDiskFull_LoseNothing_AndSucceedOnceSpaceIsFreed()
    {
        await using var scenario = await DiskFullScenario.StartAsync(kind);
        var host = scenario.Host;
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var people = new Dictionary<int, Guid>();
        var profiles = new Dictionary<int, JsonElement>();
        var tokens = new Dictionary<int, string>();
        for (var i = 0; i < Before; i++)
        {
            people[i] = await host.Vault.CreatePersonAsync(profiles[i] = Person(i));
            tokens[i] = await tokenizer.TokenizeAsync(NationalId(i), new TokenizeOptions { Person = people[i] });
        }

        scenario.Fill();

        // Creates until the disk has refused 25 in a row; the ones that fit in what was left are acknowledged.
        var refused = new List<int>();
        var acceptedWhileFilling = 0;
        for (int i = Before, inARow = 0; inARow < 25 && i < 5000; i++)
        {
            var created = await RefusedAsDiskFullAsync(() => host.Vault.CreatePersonAsync(Person(i)), $"person{i:D5}");
            if (created is { } token)
            {
                (people[i], profiles[i], inARow) = (token, Person(i), 0);
                acceptedWhileFilling++;
            }
            else
            {
                refused.Add(i);
                inARow++;
            }
        }

        // Updates and tokenizations meet the same full disk: each is taken whole or refused whole.
        var refusedOther = 0;
        for (var i = 0; i < 5; i++)
        {
            var patch = Json(new { name = $"Renamed{i:D5}" });
            if (await RefusedAsDiskFullAsync(() => host.Vault.UpdatePersonAsync(PersonLookup.ByToken(people[i]), patch), $"Renamed{i:D5}") is true)
            {
                profiles[i] = Merged(profiles[i], patch);
            }
            else
            {
                refusedOther++;
            }

            refusedOther += await RefusedAsDiskFullAsync(() => tokenizer.TokenizeAsync(NationalId(1000 + i)), NationalId(1000 + i)) is null ? 1 : 0;
        }

        refused.Should().NotBeEmpty("the disk is full");
        var readsWhileFull = await ReadEveryoneAsync(host, people, profiles, tokens);
        foreach (var i in refused)
        {
            (await host.Vault.GetPersonAsync(PersonLookup.ByEmail($"person{i:D5}@mail-{i % 7}.example"))).Should().BeNull("a refused create left nothing behind");
            (await host.Vault.GetPersonAsync(PersonLookup.ByLogin($"login-{i:D5}-zq"))).Should().BeNull();
        }

        scenario.StoredPersons().Should().Be(people.Count, "no profile of a refused create was stored");

        scenario.Free();

        // The same provider, no restart: every refused person is created now; a leftover index entry would refuse them as duplicates.
        foreach (var i in refused)
        {
            people[i] = await host.Vault.CreatePersonAsync(profiles[i] = Person(i));
        }

        await ReadEveryoneAsync(host, people, profiles, tokens);
        await host.Administration.FlushAuditAsync();
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        TestContext.Out.WriteLine(
            $"disk full ({kind}): {refused.Count} creates and {refusedOther} updates/tokenizations refused as disk full, " +
            $"{acceptedWhileFilling} creates taken in the last free space, {readsWhileFull} reads served while full, 0 acknowledged writes lost, " +
            $"{refused.Count} refused creates succeeded after freeing space without a restart");
    }

    [Test]
    public async Task ReadsOnAFullDisk_ServedWhileTheirAuditFitsTheWindow_ThenRefusedAsDiskFull_NeverUnaudited()
    {
        const int Window = 8;
        await using var scenario = await DiskFullScenario.StartAsync(kind, o => o.ReadAuditWindow = Window);
        var host = scenario.Host;
        var person = await host.Vault.CreatePersonAsync(Person(1));
        scenario.Fill();

        var served = 0;
        DatabunkerStorageException? refused = null;
        while (refused is null && served < 200)
        {
            try
            {
                (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().NotBeNull();
                served++;
            }
            catch (DatabunkerStorageException ex)
            {
                refused = ex;
            }
        }

        served.Should().BeGreaterThanOrEqualTo(Window, "reads go on while their events fit the window");
        refused.Should().NotBeNull("a read whose event cannot be committed is refused").And.Subject.As<Exception>().Message.Should().Contain("disk full");

        scenario.Free();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().NotBeNull("the same provider reads again");
        await host.Administration.FlushAuditAsync();
        var reads = (await host.Vault.GetAuditEventsAsync(person)).Count(e => e.Operation == AuditOperations.PersonGet);
        reads.Should().Be(served + 1, "every read served, and only those, is audited");
        TestContext.Out.WriteLine($"reads on a full disk ({kind}): {served} served with a window of {Window}, the next refused as disk full, {reads} read events in the trail after freeing space");
    }
}
