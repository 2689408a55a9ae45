using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class PersonalDataVaultTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private VaultHost _host = null!;

    private IPersonalDataVault Vault => _host.Vault;

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync(store: _store);

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task CreateUserAsync_NestedArraysAndNonAscii_RoundTripsExactly()
    {
        var profile = Parse("""
            {"login":"zoë","email":"alice@example.com","name":"Zoë Ångström-Łukasiewicz 山田 🎉",
             "address":{"lines":["1 Rue de l’Église","Bâtiment C"],"geo":{"lat":48.85,"lon":2.35}},
             "tags":["a",1,true,null,{"k":[[]]}],"age":42,"vip":false,"nothing":null}
            """);

        var token = await Vault.CreatePersonAsync(profile);
        var user = await Vault.GetPersonAsync(PersonLookup.ByToken(token));

        user.Should().NotBeNull();
        user!.Token.Should().Be(token);
        SameJson(user.Profile, profile).Should().BeTrue();
        user.Profile.GetProperty("name").GetString().Should().Be("Zoë Ångström-Łukasiewicz 山田 🎉");
        user.CreatedAt.Should().Be(_host.Time.GetUtcNow());
    }

    [Test]
    public async Task GetUserAsync_ByEveryIndex_FindsThePerson()
    {
        var token = await Vault.CreatePersonAsync(Json(new { login = "alice", email = "alice@example.com", phone = "+44 20 7946 0958", custom = "EMP-7" }));

        foreach (var lookup in new[]
                 {
                     PersonLookup.ByLogin("alice"), PersonLookup.ByEmail("alice@example.com"), PersonLookup.ByPhone("+442079460958"),
                     PersonLookup.ByCustom("EMP-7"), PersonLookup.ByToken(token), PersonLookup.Create("email", "alice@example.com"),
                 })
        {
            (await Vault.GetPersonAsync(lookup))?.Token.Should().Be(token, $"{lookup} finds the person");
        }
    }

    [Test]
    public async Task GetUserAsync_EmailWithSpacesAndCapitals_FindsNormalisedEmail()
    {
        var token = await Vault.CreatePersonAsync(Json(new { email = "alice@example.com" }));

        (await Vault.GetPersonAsync(PersonLookup.ByEmail(" Alice@Example.COM ")))!.Token.Should().Be(token);
    }

    [TestCase("+44 20 7946 0958")]
    [TestCase("0044 (20) 7946-0958")]
    [TestCase("020 7946 0958")]
    [TestCase("+44 (0) 20 7946 0958")]
    [TestCase("+44 (0)20 7946 0958")]
    [TestCase("(020) 7946 0958")]
    public async Task GetUserAsync_PhoneWrittenManyWays_FindsOnePerson(string written)
    {
        var token = await Vault.CreatePersonAsync(Json(new { phone = "+44-20-7946-0958" }));

        (await Vault.GetPersonAsync(PersonLookup.ByPhone(written)))!.Token.Should().Be(token);
    }

    [Test]
    public async Task GetUserAsync_LoginInDecomposedUnicode_FindsComposedLogin()
    {
        var token = await Vault.CreatePersonAsync(Json(new { login = "zo\u00EB" }));

        (await Vault.GetPersonAsync(PersonLookup.ByLogin(" zoe\u0308 ")))!.Token.Should().Be(token);
    }

    [Test]
    public async Task GetUserAsync_Unknown_ReturnsNull()
    {
        (await Vault.GetPersonAsync(PersonLookup.ByEmail("nobody@example.com"))).Should().BeNull();
        (await Vault.GetPersonAsync(PersonLookup.ByToken(Guid.NewGuid()))).Should().BeNull();
    }

    [Test]
    public async Task CreateUserAsync_SameEmailTwice_ThrowsDuplicateNamingIndexNotValue()
    {
        await Vault.CreatePersonAsync(Json(new { email = "bob@example.com" }));

        var act = () => Vault.CreatePersonAsync(Json(new { email = " BOB@example.com" }));

        var error = (await act.Should().ThrowAsync<DuplicateIndexException>()).Which;
        error.IndexName.Should().Be("email");
        error.Message.Should().NotContainEquivalentOf("bob");
    }

    [Test]
    public async Task CreateUserAsync_SixteenParallelWithOneEmail_ExactlyOneSucceeds()
    {
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await Vault.CreatePersonAsync(Json(new { email = "race@example.com", attempt = i }));
        })).ToList();
        start.Set();

        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                await t;
                return "created";
            }
            catch (DuplicateIndexException ex) when (ex.IndexName == "email")
            {
                return "duplicate";
            }
        }));

        outcomes.Count(o => o == "created").Should().Be(1);
        outcomes.Count(o => o == "duplicate").Should().Be(15);
        (await Vault.GetPersonAsync(PersonLookup.ByEmail("race@example.com"))).Should().NotBeNull();
    }

    [Test]
    public async Task CreateUsersAsync_Many_CreatesAllInOrder()
    {
        var profiles = Enumerable.Range(0, 50).Select(Person).ToList();

        var tokens = await Vault.CreatePersonsAsync(profiles);

        tokens.Should().HaveCount(50).And.OnlyHaveUniqueItems();
        for (var i = 0; i < 50; i += 7)
        {
            var user = await Vault.GetPersonAsync(PersonLookup.ByCustom($"EMP-{i:D5}-X"));
            user!.Token.Should().Be(tokens[i]);
            SameJson(user.Profile, profiles[i]).Should().BeTrue();
        }
    }

    [Test]
    public async Task CreateUsersAsync_OneDuplicateInBatch_CreatesNone()
    {
        var profiles = new[] { Json(new { login = "one" }), Json(new { login = "two" }), Json(new { login = "ONE " }), Json(new { login = "one" }) };

        var act = () => Vault.CreatePersonsAsync(profiles);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("login");
        (await Vault.GetPersonAsync(PersonLookup.ByLogin("two"))).Should().BeNull();
        (await Vault.GetPersonAsync(PersonLookup.ByLogin("one"))).Should().BeNull();
    }

    [Test]
    public async Task UpdateUserAsync_MergePatch_MergesRemovesAndReindexes()
    {
        var token = await Vault.CreatePersonAsync(Json(new { email = "old@example.com", name = "Old", address = new { city = "Leeds", zip = "LS1" }, tags = new[] { 1, 2 } }));

        var updated = await Vault.UpdatePersonAsync(PersonLookup.ByEmail("old@example.com"),
            Parse("""{"email":"new@example.com","name":null,"address":{"zip":null,"street":"High St"},"tags":[3]}"""));

        updated.Should().BeTrue();
        (await Vault.GetPersonAsync(PersonLookup.ByEmail("old@example.com"))).Should().BeNull();
        var user = await Vault.GetPersonAsync(PersonLookup.ByEmail("new@example.com"));
        user!.Token.Should().Be(token);
        SameJson(user.Profile, Parse("""{"email":"new@example.com","address":{"city":"Leeds","street":"High St"},"tags":[3]}""")).Should().BeTrue();
    }

    [Test]
    public async Task UpdateUserAsync_ToATakenEmail_ThrowsAndChangesNothing()
    {
        await Vault.CreatePersonAsync(Json(new { email = "taken@example.com" }));
        var token = await Vault.CreatePersonAsync(Json(new { email = "mine@example.com", name = "Me" }));

        var act = () => Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { email = "taken@example.com", name = "Changed" }));

        await act.Should().ThrowAsync<DuplicateIndexException>();
        var user = await Vault.GetPersonAsync(PersonLookup.ByEmail("mine@example.com"));
        user!.Profile.GetProperty("name").GetString().Should().Be("Me");
    }

    [Test]
    public async Task UpdateUserAsync_ConcurrentPatches_NoneIsLost()
    {
        var token = await Vault.CreatePersonAsync(Json(new { login = "counter" }));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Parse($$"""{"field{{i}}":{{i}}}""")))));

        var profile = (await Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile;
        Enumerable.Range(0, 20).Where(i => !profile.TryGetProperty($"field{i}", out var _)).Should().BeEmpty();
    }

    [Test]
    public async Task UpdateUserAsync_Unknown_ReturnsFalse()
    {
        (await Vault.UpdatePersonAsync(PersonLookup.ByToken(Guid.NewGuid()), Json(new { a = 1 }))).Should().BeFalse();
    }

    [Test]
    public async Task GetAuditEventsAsync_ListsOperationsWithDetailsAndActor()
    {
        var token = await Vault.CreatePersonAsync(Json(new { email = "audit@example.com", phone = "+447700900123" }));
        using (AuditActor.Begin("support-agent-17"))
        {
            await Vault.GetPersonAsync(PersonLookup.ByToken(token));
        }

        // The read's event may commit after the update's (group commit); the trail lists events by time.
        _host.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { name = "N" }));

        var events = await Vault.GetAuditEventsAsync(token);

        events.Select(e => e.Operation).Should().Equal(AuditOperations.PersonCreate, AuditOperations.PersonGet, AuditOperations.PersonUpdate);
        events.Select(e => e.Actor).Should().Equal("tests", "support-agent-17", "tests");
        events.Should().OnlyContain(e => e.Outcome == AuditOutcomes.Success && e.Person == token);
        events[0].Details.Should().Be("""{"indexes":["email","phone"]}""");
        events[2].Details.Should().Be("""{"changed":["name"]}""");
    }

    [Test]
    public async Task PurgeAuditEventsAsync_RemovesOnlyEventsOlderThanRetention()
    {
        var token = await Vault.CreatePersonAsync(Json(new { login = "old-events" }));
        _host.Time.Advance(TimeSpan.FromDays(366));
        await Vault.GetPersonAsync(PersonLookup.ByToken(token));

        var purged = await _host.Administration.PurgeAuditEventsAsync();

        purged.Should().Be(2, "the creation and the consent.link of the start that created the vault");
        (await Vault.GetAuditEventsAsync(token)).Select(e => e.Operation).Should().Equal(AuditOperations.PersonGet);
    }
}
