using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Expiration;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ExpirationManagerTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private VaultHost _host = null!;

    private IExpirationManager Expirations => _host.Expirations;

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync(store: _store);

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task StartAsync_ReturnsTokenDueTimeAndLinks()
    {
        var token = await NewPerson("links@example.com");

        var ticket = await Expirations.StartAsync(PersonLookup.ByEmail("links@example.com"), ExpirationTime.Parse("30d"));

        ticket.PersonToken.Should().Be(token);
        ticket.DueAt.Should().Be(_host.Time.GetUtcNow().AddDays(30));
        ticket.RetainToken.Should().MatchRegex("^[A-Za-z0-9_-]{32}$", "192 random bits in URL-safe base64");
        ticket.DeleteToken.Should().MatchRegex("^[A-Za-z0-9_-]{32}$", "192 other random bits");
        ticket.DeleteToken.Should().NotBe(ticket.RetainToken, "each link has its own token");
        ticket.RetainUrl.Should().Be(new Uri($"https://app.example/privacy/retain/{ticket.RetainToken}"));
        ticket.DeleteUrl.Should().Be(new Uri($"https://app.example/privacy/delete/{ticket.DeleteToken}"));
        ticket.ToString().Should().NotContain(ticket.RetainToken).And.NotContain(ticket.DeleteToken);
        (await Expirations.GetStatusAsync(PersonLookup.ByToken(token))).Should().Be(new ExpirationStatus(token, ExpirationState.Waiting, ticket.DueAt));
    }

    [Test]
    public async Task StartAsync_DefaultsAndRefusals()
    {
        await NewPerson("times@example.com");
        var lookup = PersonLookup.ByEmail("times@example.com");
        var now = _host.Time.GetUtcNow();

        (await Expirations.StartAsync(lookup)).DueAt.Should().Be(now.AddDays(30), "the default retention is 30 days");
        (await Expirations.StartAsync(lookup, TimeSpan.FromDays(365))).DueAt.Should().Be(now.AddDays(365), "the maximum retention itself is allowed");
        (await Expirations.StartAsync(lookup, now.AddHours(2))).DueAt.Should().Be(now.AddHours(2));

        // Beyond the maximum is refused, not quietly shortened: the caller would promise the person 10 years.
        (await FluentActions.Awaiting(() => Expirations.StartAsync(lookup, ExpirationTime.Parse("520w"))).Should().ThrowAsync<VaultInputException>())
            .WithMessage("*365 days*MaxRetention*");
        (await FluentActions.Awaiting(() => Expirations.StartAsync(lookup, now.AddDays(365).AddMilliseconds(1))).Should().ThrowAsync<VaultInputException>())
            .Which.ParamName.Should().Be("time");
        (await Expirations.GetStatusAsync(lookup))!.DueAt.Should().Be(now.AddHours(2), "a refused restart leaves the running expiration alone");

        await FluentActions.Awaiting(() => Expirations.StartAsync(lookup, now)).Should().ThrowAsync<VaultInputException>();
        await FluentActions.Awaiting(() => Expirations.StartAsync(lookup, TimeSpan.Zero)).Should().ThrowAsync<VaultInputException>();
        await FluentActions.Awaiting(() => Expirations.StartAsync(lookup, TimeSpan.FromSeconds(-1))).Should().ThrowAsync<VaultInputException>();
        await FluentActions.Awaiting(() => Expirations.StartAsync(PersonLookup.ByEmail("nobody@example.com"), TimeSpan.FromDays(1))).Should().ThrowAsync<PersonNotFoundException>();
    }

    [Test]
    public async Task RunDueAsync_ForgetsExactlyAtTheDueTimeAndNotATickBefore()
    {
        var token = await NewPerson("due@example.com");
        _host.Time.Advance(TimeSpan.FromTicks(3));
        var ticket = await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromHours(1));

        _host.Time.SetUtcNow(ticket.DueAt - TimeSpan.FromTicks(1));
        (await Expirations.RunDueAsync()).Deleted.Should().Be(0);
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().NotBeNull();

        _host.Time.SetUtcNow(ticket.DueAt);
        (await Expirations.RunDueAsync()).Should().Be(new ExpirationPassResult(1, 1, 0, 0, 1));
        (await _host.Vault.GetPersonAsync(PersonLookup.ByEmail("due@example.com"))).Should().BeNull();
        (await Expirations.GetStatusAsync(PersonLookup.ByToken(token)))!.State.Should().Be(ExpirationState.Deleted);
        var audit = await _host.Vault.GetAuditEventsAsync(token);
        audit.Should().ContainSingle(e => e.Operation == AuditOperations.ExpirationExpired).Which.Actor.Should().Be("databunker-scheduler");
    }

    [Test]
    public async Task RetainAsync_PersonIsNeverForgotten()
    {
        var token = await NewPerson("keep@example.com");
        var ticket = await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1));

        (await Expirations.RetainAsync(ticket.RetainToken)).Should().Be(ExpirationLinkResult.Retained);
        _host.Time.Advance(TimeSpan.FromDays(400));
        (await Expirations.RunDueAsync()).Deleted.Should().Be(0);

        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().NotBeNull();
        (await Expirations.GetStatusAsync(PersonLookup.ByEmail("keep@example.com"))).Should().Be(new ExpirationStatus(token, ExpirationState.Retained, null));
    }

    [Test]
    public async Task CancelAsync_PersonIsNeverForgottenAndLinksDie()
    {
        var token = await NewPerson("cancel@example.com");
        var ticket = await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1));

        (await Expirations.CancelAsync(PersonLookup.ByEmail("cancel@example.com"))).Should().BeTrue();
        (await Expirations.CancelAsync(PersonLookup.ByEmail("cancel@example.com"))).Should().BeFalse();
        _host.Time.Advance(TimeSpan.FromDays(2));

        (await Expirations.RunDueAsync()).Claimed.Should().Be(0);
        (await Expirations.RetainAsync(ticket.RetainToken)).Should().Be(ExpirationLinkResult.NotFound);
        (await Expirations.DeleteAsync(ticket.DeleteToken)).Should().Be(ExpirationLinkResult.NotFound);
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(token))).Should().NotBeNull();
        (await Expirations.GetStatusAsync(PersonLookup.ByToken(token)))!.State.Should().Be(ExpirationState.None);
    }

    [Test]
    public async Task StartAsync_Again_InvalidatesTheOldToken()
    {
        var token = await NewPerson("restart@example.com");
        var first = await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1));
        var second = await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(10));

        (await Expirations.DeleteAsync(first.DeleteToken)).Should().Be(ExpirationLinkResult.NotFound);
        (await Expirations.RetainAsync(first.RetainToken)).Should().Be(ExpirationLinkResult.NotFound);
        _host.Time.Advance(TimeSpan.FromDays(2));
        (await Expirations.RunDueAsync()).Claimed.Should().Be(0, "the restart moved the due time");

        (await Expirations.RetainAsync(second.RetainToken)).Should().Be(ExpirationLinkResult.Retained);
    }

    [Test]
    public async Task StartAsync_AfterRetain_WaitsAgain()
    {
        var token = await NewPerson("again@example.com");
        await Expirations.RetainAsync((await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1))).RetainToken);

        var ticket = await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1));
        _host.Time.SetUtcNow(ticket.DueAt);

        (await Expirations.RunDueAsync()).Deleted.Should().Be(1);
    }

    [Test]
    public async Task Links_AreSingleUse_AndUnknownTokensChangeNothing()
    {
        var kept = await NewPerson("kept@example.com");
        var gone = await NewPerson("gone@example.com");
        var keep = await Expirations.StartAsync(PersonLookup.ByToken(kept), TimeSpan.FromDays(1));
        var delete = await Expirations.StartAsync(PersonLookup.ByToken(gone), TimeSpan.FromDays(1));

        (await Expirations.RetainAsync(keep.RetainToken)).Should().Be(ExpirationLinkResult.Retained);
        (await Expirations.RetainAsync(keep.RetainToken)).Should().Be(ExpirationLinkResult.NotFound, "a second click");
        (await Expirations.DeleteAsync(keep.DeleteToken)).Should().Be(ExpirationLinkResult.NotFound, "using one link ends both");
        (await Expirations.DeleteAsync(delete.DeleteToken)).Should().Be(ExpirationLinkResult.Deleted);
        (await Expirations.DeleteAsync(delete.DeleteToken)).Should().Be(ExpirationLinkResult.NotFound, "a second click");
        (await Expirations.RetainAsync(delete.RetainToken)).Should().Be(ExpirationLinkResult.NotFound);
        foreach (var random in new[] { "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", string.Empty, "' OR 1=1 --", keep.RetainToken + "A" })
        {
            (await Expirations.RetainAsync(random)).Should().Be(ExpirationLinkResult.NotFound);
            (await Expirations.DeleteAsync(random)).Should().Be(ExpirationLinkResult.NotFound);
        }

        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(kept))).Should().NotBeNull();
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(gone))).Should().BeNull();
        (await Expirations.GetStatusAsync(PersonLookup.ByToken(kept)))!.State.Should().Be(ExpirationState.Retained);
        (await Expirations.GetStatusAsync(PersonLookup.ByToken(gone)))!.State.Should().Be(ExpirationState.Deleted);
        (await _host.Vault.GetAuditEventsAsync(gone)).Select(e => e.Operation).Should().Contain(AuditOperations.ExpirationDelete);
    }

    [Test]
    public async Task GetStatusAsync_UnknownPerson_IsNull()
    {
        (await Expirations.GetStatusAsync(PersonLookup.ByToken(Guid.NewGuid()))).Should().BeNull();
        (await Expirations.GetStatusAsync(PersonLookup.ByLogin("nobody"))).Should().BeNull();
    }

    [Test]
    public async Task Database_HoldsNoExpirationTokenInPlaintext()
    {
        var tickets = new List<ExpirationTicket>();
        for (var i = 0; i < 50; i++)
        {
            var token = await NewPerson($"p{i}@example.com");
            tickets.Add(await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromDays(1)));
        }

        foreach (var link in tickets.SelectMany(t => new[] { t.RetainToken, t.DeleteToken }))
        {
            _host.Holds(System.Text.Encoding.ASCII.GetBytes(link)).Should().BeFalse();
            _host.Holds(System.Buffers.Text.Base64Url.DecodeFromChars(link)).Should().BeFalse();
        }

        _host.Holds(System.Text.Encoding.ASCII.GetBytes("p7@example.com")).Should().BeFalse("nor any email");
        _host.Holds(_store.Scalar<byte[]>(_host.Database, "SELECT wrapped FROM system_keys WHERE name = 'blind-index'")!)
            .Should().BeTrue("a positive control: the scan finds what is there");
    }

    [Test]
    public async Task RunPeriodicallyAsync_RunsPassesOnTheTimerUntilCancelled()
    {
        var token = await NewPerson("timer@example.com");
        await Expirations.StartAsync(PersonLookup.ByToken(token), TimeSpan.FromMinutes(30));
        var passes = new List<ExpirationPassResult>();
        using var passed = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();

        var loop = Expirations.RunPeriodicallyAsync(TimeSpan.FromMinutes(20), _host.Time, p =>
        {
            passes.Add(p);
            passed.Release();
        }, stop.Token);
        _host.Time.Advance(TimeSpan.FromMinutes(20));
        (await passed.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        _host.Time.Advance(TimeSpan.FromMinutes(20));
        (await passed.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        await stop.CancelAsync();
        await loop;

        passes.Select(p => p.Deleted).Should().Equal([0, 1], "the person fell due at 30 minutes, between the first tick and the second");
    }

    private async Task<Guid> NewPerson(string email) => await _host.Vault.CreatePersonAsync(Json(new { email, name = "N" }));
}
