using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>
/// Round trips per call, counted on the wire by a relay in front of the server (<see cref="WireCounter"/>): each
/// operation sends its work, its audit event and its commit as one batch, as a hand-written floor does. Every call
/// is made a few times first, so that the stripe's head is known and the statements are prepared.
/// </summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
public sealed class RoundTripTests
{
    private const int Warm = 6;
    private WireCounter _wire = null!;
    private VaultHost _host = null!;

    private IPersonalDataVault Vault => _host.Vault;

    private ITokenizer Tokens => _host.Services.GetRequiredService<ITokenizer>();

    [SetUp]
    public async Task Start()
    {
        var direct = new NpgsqlConnectionStringBuilder(TestStore.PostgreSql.NewDatabase());
        _wire = new WireCounter(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = _wire.Port };
        _host = await VaultHost.StartAsync(o => o.ReadAuditWindow = 0, database: relayed.ConnectionString, store: TestStore.PostgreSql);
    }

    [TearDown]
    public async Task Stop()
    {
        await _host.DisposeAsync();
        await _wire.DisposeAsync();
    }

    [Test]
    public async Task Create_IsOneRoundTrip() =>
        (await CountAsync(() => Vault.CreatePersonAsync(Json(new { email = $"{Guid.NewGuid():N}@example.com", name = "A" })))).Should().Be(1);

    [Test]
    public async Task CreateMany_IsOneRoundTrip() =>
        (await CountAsync(() => Vault.CreatePersonsAsync([.. Enumerable.Range(0, 50).Select(_ => Json(new { email = $"{Guid.NewGuid():N}@example.com" }))]))).Should().Be(1);

    [Test]
    public async Task Update_IsTwoRoundTrips_TheReadOfWhatItPatchesAndOneBatch()
    {
        var tokens = await CreateAsync(Warm + 1);
        var next = 0;
        (await CountAsync(() => Vault.UpdatePersonAsync(PersonLookup.ByToken(tokens[next++]), Json(new { name = "B" })))).Should().Be(2, "the update reads the profile it patches, then writes");
    }

    [Test]
    public async Task Forget_IsOneRoundTrip()
    {
        var tokens = await CreateAsync(Warm + 1);
        var next = 0;
        (await CountAsync(() => Vault.ForgetPersonAsync(PersonLookup.ByToken(tokens[next++])))).Should().Be(1);
    }

    [Test]
    public async Task Tokenize_IsOneRoundTrip() =>
        (await CountAsync(() => Tokens.TokenizeAsync($"4111-{Guid.NewGuid():N}"))).Should().Be(1);

    [Test]
    public async Task AuditedReadByToken_IsOneRoundTrip()
    {
        var token = (await CreateAsync(1))[0];
        (await CountAsync(() => Vault.GetPersonAsync(PersonLookup.ByToken(token)))).Should().Be(1);
        (await _host.Vault.GetAuditEventsAsync(token)).Count(e => e.Operation == AuditOperations.PersonGet).Should().Be(Warm + 1, "every read committed its event");
    }

    [Test]
    public async Task AuditedReadByEmail_IsOneRoundTrip_OnceThisInstanceHasFoundThePerson()
    {
        await Vault.CreatePersonAsync(Json(new { email = "reader@example.com" }));
        (await CountAsync(() => Vault.GetPersonAsync(PersonLookup.ByEmail("reader@example.com")))).Should().Be(1);
    }

    [Test]
    public async Task AuditedDetokenize_IsOneRoundTrip()
    {
        var token = await Tokens.TokenizeAsync("4111111111111111");
        (await CountAsync(() => Tokens.DetokenizeAsync(token))).Should().Be(1);
    }

    [Test]
    public async Task TheTrailThatTheseCallsLeft_Verifies()
    {
        var tokens = await CreateAsync(3);
        await Vault.GetPersonAsync(PersonLookup.ByToken(tokens[0]));
        await Vault.UpdatePersonAsync(PersonLookup.ByToken(tokens[1]), Json(new { name = "C" }));
        await Vault.ForgetPersonAsync(PersonLookup.ByToken(tokens[2]));
        await Tokens.DetokenizeAsync(await Tokens.TokenizeAsync("x"));

        var result = await _host.Administration.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeTrue(result.Problem);
    }

    /// <summary>
    /// Npgsql's pool hands out its idle connections oldest first, which would send one task's calls to each server process
    /// in turn; the vault takes the connection its last call gave back, so that they stay on one.
    /// </summary>
    [Test]
    public async Task OneTasksCalls_StayOnOneConnection_WhenSeveralAreOpen()
    {
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Vault.CreatePersonAsync(Json(new { email = $"{Guid.NewGuid():N}@example.com", name = "A" }))));
        var tokens = await CreateAsync(Warm);
        var token = await Tokens.TokenizeAsync("x");

        _wire.Reset();
        for (var i = 0; i < 10; i++)
        {
            await Vault.CreatePersonAsync(Json(new { email = $"{Guid.NewGuid():N}@example.com", name = "A" }));
            await Vault.GetPersonAsync(PersonLookup.ByToken(tokens[i % tokens.Count]));
            await Tokens.DetokenizeAsync(token);
        }

        _wire.ConnectionsUsed.Should().Be(1);
    }

    private async Task<List<Guid>> CreateAsync(int count)
    {
        var tokens = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            tokens.Add(await Vault.CreatePersonAsync(Json(new { email = $"{Guid.NewGuid():N}@example.com", name = "A" })));
        }

        return tokens;
    }

    /// <summary>Calls <paramref name="call"/> <see cref="Warm"/> times, then once more while counting; returns that call's round trips.</summary>
    private async Task<long> CountAsync<T>(Func<Task<T>> call)
    {
        for (var i = 0; i < Warm; i++)
        {
            await call();
        }

        _wire.Reset();
        await call();
        return _wire.RoundTrips;
    }
}
