using System.Text;
using Databunker.Core.Sessions;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Sessions;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class SessionManagerTests(string store)
{
    private const string Secret = "basket for 10 Downing Street";

    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;
    private Guid _person;

    private ISessionManager Sessions => _host.Services.GetRequiredService<ISessionManager>();

    [SetUp]
    public async Task Start()
    {
        _host = await VaultHost.StartAsync(store: _store);
        _person = await _host.Vault.CreatePersonAsync(Json(new { email = "session@example.com" }));
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task Create_IssuesALongRandomIdThatReadsTheSessionBack()
    {
        var ticket = await Sessions.CreateAsync(Json(new { cart = Secret }), new SessionCreateOptions { Label = "Firefox on Linux" });
        var other = await Sessions.CreateAsync(Json(new { cart = 1 }));

        ticket.SessionId.Should().MatchRegex("^[A-Za-z0-9_-]{43}$", "256 random bits, URL-safe").And.NotBe(other.SessionId);
        ticket.ToString().Should().NotContain(ticket.SessionId);
        ticket.ExpiresAt.Should().Be(_host.Time.GetUtcNow() + TimeSpan.FromMinutes(20));
        var session = await Sessions.GetAsync(ticket.SessionId);
        session!.Person.Should().BeNull();
        session.Handle.Should().Be(ticket.Handle);
        session.Version.Should().Be(1);
        session.Label.Should().Be("Firefox on Linux");
        session.Data.GetProperty("cart").GetString().Should().Be(Secret);
    }

    [Test]
    public async Task TheDatabase_HoldsNeitherTheIdNorTheDataNorTheLabel()
    {
        var anonymous = await Sessions.CreateAsync(Json(new { cart = Secret }), new SessionCreateOptions { Label = "Firefox on Linux" });
        var owned = await Sessions.CreateAsync(Json(new { cart = Secret }), new SessionCreateOptions { Person = _person, Label = "Firefox on Linux" });
        await Sessions.ReplaceAsync(owned.SessionId, Json(new { cart = Secret + "!" }));

        foreach (var needle in new[] { anonymous.SessionId, owned.SessionId, "Downing", "Firefox" })
        {
            _host.Holds(Encoding.UTF8.GetBytes(needle)).Should().BeFalse($"'{needle}' must not be stored in plaintext");
        }

        _host.Logs.Lines.Should().NotContain(l => l.Contains(anonymous.SessionId, StringComparison.Ordinal) || l.Contains("Downing", StringComparison.Ordinal));
    }

    [Test]
    public async Task MalformedOrTamperedId_ReadsAsNothingAndWritesAreRefused()
    {
        var ticket = await Sessions.CreateAsync(Json(new { a = 1 }));
        var tampered = (ticket.SessionId[0] == 'A' ? "B" : "A") + ticket.SessionId[1..];

        foreach (var id in new[] { tampered, "short", ticket.SessionId + "x", "", new string('!', 43) })
        {
            (await Sessions.GetAsync(id)).Should().BeNull();
            (await Sessions.EndAsync(id)).Should().BeFalse();
            var replace = () => Sessions.ReplaceAsync(id, Json(new { a = 2 }));
            (await replace.Should().ThrowAsync<SessionNotFoundException>()).Which.Message.Should().NotContain(id.Length > 0 ? id : "\u0000");
            await FluentActions.Awaiting(() => Sessions.BindToPersonAsync(id, _person)).Should().ThrowAsync<SessionNotFoundException>();
        }

        (await Sessions.GetAsync(ticket.SessionId))!.Version.Should().Be(1, "nothing changed");
    }

    [Test]
    public async Task Expiry_SlidesWithUseUpToTheAbsoluteTimeout()
    {
        var ticket = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { IdleTimeout = TimeSpan.FromMinutes(20), AbsoluteTimeout = TimeSpan.FromHours(1) });

        _host.Time.Advance(TimeSpan.FromMinutes(15));
        (await Sessions.GetAsync(ticket.SessionId, touch: false)).Should().NotBeNull();
        _host.Time.Advance(TimeSpan.FromMinutes(6));
        (await Sessions.GetAsync(ticket.SessionId)).Should().BeNull("a read without touching did not slide the idle expiry");

        var active = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { IdleTimeout = TimeSpan.FromMinutes(20), AbsoluteTimeout = TimeSpan.FromHours(1) });
        for (var minutes = 15; minutes < 60; minutes += 15)
        {
            _host.Time.Advance(TimeSpan.FromMinutes(15));
            var read = await Sessions.GetAsync(active.SessionId);
            read!.LastSeenAt.Should().Be(_host.Time.GetUtcNow(), $"touched at minute {minutes}");
        }

        _host.Time.Advance(TimeSpan.FromMinutes(15));
        (await Sessions.GetAsync(active.SessionId)).Should().BeNull("the absolute timeout ends even an active session");
    }

    [Test]
    public async Task Touch_WritesOnlyOncePerTouchInterval()
    {
        var ticket = await Sessions.CreateAsync(Json(new { a = 1 }));
        var created = _host.Time.GetUtcNow();

        _host.Time.Advance(TimeSpan.FromSeconds(30));
        (await Sessions.GetAsync(ticket.SessionId))!.LastSeenAt.Should().Be(created, "within the touch interval nothing is written");
        _host.Time.Advance(TimeSpan.FromSeconds(30));
        (await Sessions.GetAsync(ticket.SessionId))!.LastSeenAt.Should().Be(created + TimeSpan.FromMinutes(1));
    }

    [Test]
    public async Task Replace_WithAStaleVersion_IsAConflict()
    {
        var ticket = await Sessions.CreateAsync(Json(new { step = 1 }));
        (await Sessions.ReplaceAsync(ticket.SessionId, Json(new { step = 2 }), expectedVersion: 1)).Should().Be(2);

        var stale = () => Sessions.ReplaceAsync(ticket.SessionId, Json(new { step = 3 }), expectedVersion: 1);

        (await stale.Should().ThrowAsync<VersionConflictException>()).Which.ExpectedVersion.Should().Be(1);
        (await Sessions.GetAsync(ticket.SessionId))!.Data.GetProperty("step").GetInt32().Should().Be(2);
    }

    [Test]
    public async Task TwoWritersWithOneExpectedVersion_OneWinsTheOtherIsTold()
    {
        var ticket = await Sessions.CreateAsync(Json(new { writer = -1 }));
        for (var round = 0; round < 10; round++)
        {
            var version = (await Sessions.GetAsync(ticket.SessionId))!.Version;
            using var start = new ManualResetEventSlim();
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    await Sessions.ReplaceAsync(ticket.SessionId, Json(new { writer = w }), version);
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
            (await Sessions.GetAsync(ticket.SessionId))!.Data.GetProperty("writer").GetInt32().Should().Be(outcomes.Single(o => o >= 0));
        }
    }

    [Test]
    public async Task Bind_IssuesANewIdAndTheOldOneIsWorthless()
    {
        var anonymous = await Sessions.CreateAsync(Json(new { cart = Secret }), new SessionCreateOptions { Label = "Phone" });

        var bound = await Sessions.BindToPersonAsync(anonymous.SessionId, _person);

        bound.SessionId.Should().NotBe(anonymous.SessionId);
        (await Sessions.GetAsync(anonymous.SessionId)).Should().BeNull("a fixed id planted before sign-in is worthless after it");
        var session = await Sessions.GetAsync(bound.SessionId);
        session!.Person.Should().Be(_person);
        session.Label.Should().Be("Phone");
        session.Data.GetProperty("cart").GetString().Should().Be(Secret);
        var other = await _host.Vault.CreatePersonAsync(Json(new { email = "other@example.com" }));
        await FluentActions.Awaiting(() => Sessions.BindToPersonAsync(bound.SessionId, other)).Should().ThrowAsync<DatabunkerException>();
        var another = await Sessions.CreateAsync(Json(new { a = 1 }));
        await FluentActions.Awaiting(() => Sessions.BindToPersonAsync(another.SessionId, Guid.NewGuid())).Should().ThrowAsync<PersonNotFoundException>();
        (await Sessions.GetAsync(bound.SessionId)).Should().NotBeNull("a refused binding changes nothing");
        (await Sessions.GetAsync(another.SessionId)).Should().NotBeNull();
    }

    [Test]
    public async Task ListEndByHandleAndEndAllButCurrent()
    {
        var laptop = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { Person = _person, Label = "Laptop" });
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        var phone = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { Person = _person, Label = "Phone" });
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        var tablet = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { Person = _person });
        await Sessions.CreateAsync(Json(new { a = 1 }));

        var listed = await Sessions.ListAsync(_person);
        listed.Select(s => (s.Handle, s.Label)).Should().Equal((tablet.Handle, null), (phone.Handle, "Phone"), (laptop.Handle, "Laptop"));

        (await Sessions.EndByHandleAsync(_person, phone.Handle)).Should().BeTrue();
        (await Sessions.GetAsync(phone.SessionId)).Should().BeNull();
        (await Sessions.EndAllAsync(_person, exceptSessionId: laptop.SessionId)).Should().Be(1);
        (await Sessions.ListAsync(_person)).Select(s => s.Handle).Should().Equal(laptop.Handle);
        (await Sessions.EndAsync(laptop.SessionId)).Should().BeTrue();
        (await Sessions.ListAsync(_person)).Should().BeEmpty();
        await FluentActions.Awaiting(() => Sessions.ListAsync(Guid.NewGuid())).Should().ThrowAsync<PersonNotFoundException>();
    }

    [Test]
    public async Task Writes_AreAuditedUnderThePersonWithoutTheId()
    {
        var anonymous = await Sessions.CreateAsync(Json(new { a = 1 }));
        var bound = await Sessions.BindToPersonAsync(anonymous.SessionId, _person);
        await Sessions.ReplaceAsync(bound.SessionId, Json(new { a = 2 }));
        await Sessions.GetAsync(bound.SessionId);
        await Sessions.EndAsync(bound.SessionId);

        var events = await _host.Vault.GetAuditEventsAsync(_person);

        events.Select(e => e.Operation).Should().Equal(
            AuditOperations.PersonCreate, AuditOperations.SessionBind, AuditOperations.SessionReplace, AuditOperations.SessionEnd);
        events.Should().OnlyContain(e => e.Details == null || !e.Details.Contains(bound.SessionId, StringComparison.Ordinal));
    }

    [Test]
    public async Task Forget_EndsThePersonsSessionsAndDueWorkRemovesExpiredOnes()
    {
        var owned = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { Person = _person });
        var anonymous = await Sessions.CreateAsync(Json(new { a = 1 }));
        var shortLived = await Sessions.CreateAsync(Json(new { a = 1 }), new SessionCreateOptions { IdleTimeout = TimeSpan.FromMinutes(5) });

        await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(_person));
        (await Sessions.GetAsync(owned.SessionId)).Should().BeNull();
        _host.Time.Advance(TimeSpan.FromMinutes(10));
        var done = await _host.Administration.RunDueWorkAsync();

        done["sessions"].Should().Be(1, "only the short-lived anonymous session expired");
        _host.Scalar<long>("SELECT COUNT(*) FROM sessions").Should().Be(1);
        (await Sessions.GetAsync(anonymous.SessionId)).Should().NotBeNull();
        (await Sessions.GetAsync(shortLived.SessionId)).Should().BeNull();
    }

    [Test]
    public async Task ASessionsDataMovedIntoAnotherRow_FailsToOpen()
    {
        var first = await Sessions.CreateAsync(Json(new { cart = Secret }), new SessionCreateOptions { Person = _person });
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Sessions.CreateAsync(Json(new { cart = 1 }), new SessionCreateOptions { Person = _person });

        // The first session's data, sealed under the same person's key, copied into the second's row.
        _host.Sql("UPDATE sessions SET data = (SELECT data FROM sessions ORDER BY created_at LIMIT 1) WHERE created_at = (SELECT MAX(created_at) FROM sessions)");

        (await Sessions.GetAsync(first.SessionId)).Should().NotBeNull();
        await FluentActions.Awaiting(() => Sessions.GetAsync(second.SessionId)).Should().ThrowAsync<VaultCryptoException>();
    }
}
