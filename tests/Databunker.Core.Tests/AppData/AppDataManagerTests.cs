using System.Text;
using Databunker.Core.AppData;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.AppData;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class AppDataManagerTests(string store)
{
    private const string Secret = "Flat 7, 221B Baker Street";

    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;
    private Guid _person;

    private IAppDataManager AppData => _host.Services.GetRequiredService<IAppDataManager>();

    [SetUp]
    public async Task Start()
    {
        _host = await VaultHost.StartAsync(
            o => o.AppData.Register("shop").Register("blog").Register("small", maxDocumentBytes: 64).Register("cart", retention: TimeSpan.FromDays(30)),
            store: _store);
        _person = await _host.Vault.CreatePersonAsync(Json(new { email = "app@example.com" }));
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task PutGetPatchListDelete_RoundTrip()
    {
        (await AppData.PutAsync(_person, "shop", Json(new { address = Secret, size = "M", tags = new[] { "a" } }))).Should().Be(1);

        var read = await AppData.GetAsync(_person, "shop");
        read!.Version.Should().Be(1);
        read.App.Should().Be("shop");
        read.UpdatedAt.Should().Be(_host.Time.GetUtcNow());
        read.ExpiresAt.Should().BeNull("shop has no retention");
        SameJson(read.Data, Json(new { address = Secret, size = "M", tags = new[] { "a" } })).Should().BeTrue();

        var patched = await AppData.PatchAsync(_person, "shop", Json(new { size = (string?)null, colour = "blue" }), expectedVersion: 1);
        patched.Version.Should().Be(2);
        SameJson(patched.Data, Json(new { address = Secret, tags = new[] { "a" }, colour = "blue" })).Should().BeTrue("RFC 7396: null removes, new names are added");
        SameJson((await AppData.GetAsync(_person, "shop"))!.Data, patched.Data).Should().BeTrue();

        await AppData.PutAsync(_person, "blog", Json(new { theme = "dark" }));
        (await AppData.ListAsync(_person)).Select(d => (d.App, d.Version)).Should().Equal(("blog", 1L), ("shop", 2L));

        (await AppData.DeleteAsync(_person, "shop")).Should().BeTrue();
        (await AppData.DeleteAsync(_person, "shop")).Should().BeFalse("it is gone");
        (await AppData.GetAsync(_person, "shop")).Should().BeNull();
        (await AppData.GetAsync(_person, "blog")).Should().NotBeNull("another application's document stays");
    }

    [Test]
    public async Task Patch_NoDocumentYet_StartsFromAnEmptyObject()
    {
        var patched = await AppData.PatchAsync(_person, "shop", Json(new { size = "L", gone = (string?)null }), expectedVersion: 0);

        patched.Version.Should().Be(1);
        SameJson(patched.Data, Json(new { size = "L" })).Should().BeTrue();
    }

    [Test]
    public async Task EveryOperation_IsAuditedWithTheAppSealedInItsDetails()
    {
        // A second apart: read events join the chain when their batch commits, and the trail is read in time order.
        await AppData.PutAsync(_person, "shop", Json(new { address = Secret }));
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await AppData.GetAsync(_person, "shop");
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await AppData.PatchAsync(_person, "shop", Json(new { size = "M" }));
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await AppData.ListAsync(_person);
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await AppData.DeleteAsync(_person, "shop");

        var events = await _host.Vault.GetAuditEventsAsync(_person);

        events.Select(e => e.Operation).Should().Equal(
            AuditOperations.PersonCreate, AuditOperations.AppDataPut, AuditOperations.AppDataGet, AuditOperations.AppDataPatch, AuditOperations.AppDataList, AuditOperations.AppDataDelete);
        events.Where(e => e.Operation is AuditOperations.AppDataPut or AuditOperations.AppDataPatch or AuditOperations.AppDataDelete)
            .Should().OnlyContain(e => e.Details == """{"app":["shop"]}""" && e.Outcome == AuditOutcomes.Success);
        events.Should().NotContain(e => e.Details != null && e.Details.Contains("Baker", StringComparison.Ordinal));
    }

    [Test]
    public async Task UnknownApp_IsRefusedAndNothingIsWritten()
    {
        var put = () => AppData.PutAsync(_person, "Shop", Json(new { address = Secret }));
        var get = () => AppData.GetAsync(_person, "unknown");

        (await put.Should().ThrowAsync<VaultInputException>()).Which.ParamName.Should().Be("app");
        await get.Should().ThrowAsync<VaultInputException>();
        (await AppData.ListAsync(_person)).Should().BeEmpty();
    }

    [Test]
    public async Task OversizedOrNotAnObject_IsRefusedAndNothingIsWritten()
    {
        await AppData.PutAsync(_person, "small", Json(new { a = 1 }));

        var oversized = () => AppData.PutAsync(_person, "small", Json(new { note = new string('x', 100) }));
        var growsTooLarge = () => AppData.PatchAsync(_person, "small", Json(new { note = new string('x', 60) }));
        var array = () => AppData.PutAsync(_person, "shop", Parse("[1, 2]"));

        (await oversized.Should().ThrowAsync<VaultInputException>()).Which.Message.Should().Contain("the limit is 64").And.NotContain("xxx");
        (await growsTooLarge.Should().ThrowAsync<VaultInputException>()).Which.Message.Should().Contain("the limit is 64");
        (await array.Should().ThrowAsync<VaultInputException>()).Which.Message.Should().Contain("must be a JSON object");
        (await AppData.GetAsync(_person, "small"))!.Version.Should().Be(1, "nothing was written");
        (await AppData.GetAsync(_person, "shop")).Should().BeNull();
    }

    [Test]
    public async Task UnknownPerson_IsPersonNotFoundForEveryOperation()
    {
        var stranger = Guid.NewGuid();

        await FluentActions.Awaiting(() => AppData.GetAsync(stranger, "shop")).Should().ThrowAsync<PersonNotFoundException>();
        await FluentActions.Awaiting(() => AppData.PutAsync(stranger, "shop", Json(new { a = 1 }))).Should().ThrowAsync<PersonNotFoundException>();
        await FluentActions.Awaiting(() => AppData.PatchAsync(stranger, "shop", Json(new { a = 1 }))).Should().ThrowAsync<PersonNotFoundException>();
        await FluentActions.Awaiting(() => AppData.DeleteAsync(stranger, "shop")).Should().ThrowAsync<PersonNotFoundException>();
        await FluentActions.Awaiting(() => AppData.ListAsync(stranger)).Should().ThrowAsync<PersonNotFoundException>();
    }

    [Test]
    public async Task StaleVersion_IsAConflictAndNothingChanges()
    {
        await AppData.PutAsync(_person, "shop", Json(new { v = 1 }));
        await AppData.PutAsync(_person, "shop", Json(new { v = 2 }), expectedVersion: 1);

        var put = () => AppData.PutAsync(_person, "shop", Json(new { v = 3 }), expectedVersion: 1);
        var create = () => AppData.PutAsync(_person, "shop", Json(new { v = 3 }), expectedVersion: 0);
        var patch = () => AppData.PatchAsync(_person, "shop", Json(new { v = 3 }), expectedVersion: 1);
        var delete = () => AppData.DeleteAsync(_person, "shop", expectedVersion: 1);
        var deleteMissing = () => AppData.DeleteAsync(_person, "blog", expectedVersion: 1);

        (await put.Should().ThrowAsync<VersionConflictException>()).Which.ExpectedVersion.Should().Be(1);
        await create.Should().ThrowAsync<VersionConflictException>();
        await patch.Should().ThrowAsync<VersionConflictException>();
        await delete.Should().ThrowAsync<VersionConflictException>();
        await deleteMissing.Should().ThrowAsync<VersionConflictException>("a document at version 1 was expected and there is none");
        var current = await AppData.GetAsync(_person, "shop");
        current!.Version.Should().Be(2);
        SameJson(current.Data, Json(new { v = 2 })).Should().BeTrue();
        await FluentActions.Awaiting(() => AppData.PutAsync(_person, "shop", Json(new { v = 1 }), expectedVersion: -1)).Should().ThrowAsync<VaultInputException>();
    }

    [Test]
    public async Task TwoWritersWithOneExpectedVersion_OneWinsTheOtherIsTold()
    {
        for (var round = 0; round < 20; round++)
        {
            var version = await AppData.PutAsync(_person, "shop", Json(new { round }));
            using var start = new ManualResetEventSlim();
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    await AppData.PutAsync(_person, "shop", Json(new { round, writer = w }), expectedVersion: version);
                    return w;
                }
                catch (VersionConflictException)
                {
                    return -1;
                }
            })).ToList();
            start.Set();
            var outcomes = await Task.WhenAll(writers);

            outcomes.Count(o => o >= 0).Should().Be(1, $"exactly one writer wins round {round}");
            var winner = outcomes.Single(o => o >= 0);
            var stored = await AppData.GetAsync(_person, "shop");
            stored!.Version.Should().Be(version + 1);
            stored.Data.GetProperty("writer").GetInt32().Should().Be(winner, "the stored document is the winner's");
        }
    }

    [Test]
    public async Task ConcurrentPatchesWithoutAVersion_LoseNoUpdate()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => AppData.PatchAsync(_person, "shop", Json(new Dictionary<string, int> { [$"k{i}"] = i })))));

        var stored = await AppData.GetAsync(_person, "shop");
        stored!.Version.Should().Be(8);
        stored.Data.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(Enumerable.Range(0, 8).Select(i => $"k{i}"));
    }

    [Test]
    public async Task Retention_ExpiresFromTheLastWriteAndTheDueWorkPassRemovesIt()
    {
        var other = await _host.Vault.CreatePersonAsync(Json(new { email = "other@example.com" }));
        await AppData.PutAsync(_person, "cart", Json(new { items = 2 }));
        await AppData.PutAsync(other, "cart", Json(new { items = 1 }));
        await AppData.PutAsync(_person, "shop", Json(new { kept = true }));
        _host.Time.Advance(TimeSpan.FromDays(20));
        await AppData.PatchAsync(other, "cart", Json(new { items = 3 }));

        (await AppData.GetAsync(_person, "cart"))!.ExpiresAt.Should().Be(_host.Time.GetUtcNow() - TimeSpan.FromDays(20) + TimeSpan.FromDays(30));
        _host.Time.Advance(TimeSpan.FromDays(10));
        (await AppData.GetAsync(_person, "cart")).Should().BeNull("its retention passed, swept or not");
        var done = await _host.Administration.RunDueWorkAsync();

        done["appdata"].Should().Be(1, "the other cart was written 10 days ago");
        _host.Scalar<long>("SELECT COUNT(*) FROM app_data WHERE app = 'cart'").Should().Be(1);
        (await AppData.GetAsync(other, "cart")).Should().NotBeNull();
        (await AppData.GetAsync(_person, "shop")).Should().NotBeNull("shop has no retention");
        (await _host.Vault.GetAuditEventsAsync(_person)).Should().Contain(e => e.Operation == AuditOperations.AppDataExpired && e.Actor == "tests");
    }

    [Test]
    public async Task Forget_DeletesEveryDocumentInTheForgetTransaction()
    {
        var other = await _host.Vault.CreatePersonAsync(Json(new { email = "other@example.com" }));
        await AppData.PutAsync(_person, "shop", Json(new { address = Secret }));
        await AppData.PutAsync(_person, "blog", Json(new { theme = "dark" }));
        await AppData.PutAsync(other, "shop", Json(new { address = "elsewhere" }));

        (await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(_person))).Should().BeTrue();

        _host.Scalar<long>("SELECT COUNT(*) FROM app_data").Should().Be(1, "only the other person's document is left");
        await FluentActions.Awaiting(() => AppData.GetAsync(_person, "shop")).Should().ThrowAsync<PersonNotFoundException>();
        (await AppData.GetAsync(other, "shop")).Should().NotBeNull();
    }

    [Test]
    public async Task ADocumentMovedToAnotherApplication_FailsToOpen()
    {
        await AppData.PutAsync(_person, "shop", Json(new { address = Secret }));
        await AppData.PutAsync(_person, "blog", Json(new { theme = "dark" }));

        _host.Sql("UPDATE app_data SET data = (SELECT data FROM app_data WHERE app = 'shop') WHERE app = 'blog'");

        var act = () => AppData.GetAsync(_person, "blog");
        (await act.Should().ThrowAsync<VaultCryptoException>()).Which.Message.Should().NotContain("Baker");
        _host.Logs.Lines.Should().Contain(l => l.Contains("failed authentication during appdata.get", StringComparison.Ordinal));
    }

    [Test]
    public async Task NoValue_ReachesTheDatabaseFilesOrTheLogs()
    {
        await AppData.PutAsync(_person, "shop", Json(new { address = Secret }));
        await AppData.PatchAsync(_person, "shop", Json(new { note = Secret + " (rear)" }));
        await AppData.GetAsync(_person, "shop");
        await FluentActions.Awaiting(() => AppData.PutAsync(_person, "small", Json(new { address = Secret, pad = new string('y', 80) }))).Should().ThrowAsync<VaultInputException>();
        await _host.Administration.FlushAuditAsync();

        _host.Holds(Encoding.UTF8.GetBytes("Baker Street")).Should().BeFalse();
        _host.Logs.Lines.Should().NotContain(l => l.Contains("Baker", StringComparison.Ordinal));
    }
}
