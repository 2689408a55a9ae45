using System.Text;
using Databunker.Core.AppData;
using Databunker.Core.Shares;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Shares;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ShareLinkManagerTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);
    private VaultHost _host = null!;
    private Guid _person;

    private IShareLinkManager Shares => _host.Services.GetRequiredService<IShareLinkManager>();

    [SetUp]
    public async Task Start()
    {
        _host = await VaultHost.StartAsync(o => o.AppData.Register("shop"), store: _store);
        _person = await _host.Vault.CreatePersonAsync(Json(new { email = "share@example.com", name = "Sharon Shore", address = new { city = "Leeds", street = "1 Quarry Hill" } }));
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task Redeem_ReturnsTheCurrentValuesOfJustTheSharedFieldsUntilTheReadsAreSpent()
    {
        var link = await Shares.CreateAsync(_person, new ShareRequest { Recipient = "Acme Insurance", Fields = ["/email", "/address/city"], MaxReads = 2 });
        link.Token.Should().MatchRegex("^[A-Za-z0-9_-]{43}$");
        link.ToString().Should().NotContain(link.Token);
        link.ExpiresAt.Should().Be(_host.Time.GetUtcNow() + TimeSpan.FromDays(7));

        var first = await Shares.RedeemAsync(link.Token);
        first.Status.Should().Be(ShareLinkStatus.Redeemed);
        first.Record!.Recipient.Should().Be("Acme Insurance");
        first.Record.ReadsLeft.Should().Be(1);
        SameJson(first.Record.Fields, Json(new Dictionary<string, string> { ["/email"] = "share@example.com", ["/address/city"] = "Leeds" })).Should().BeTrue();

        await _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(_person), Json(new { address = new { city = "York" } }));
        var second = await Shares.RedeemAsync(link.Token);
        second.Record!.Fields.GetProperty("/address/city").GetString().Should().Be("York", "a redemption reads the values as they are now");
        second.Record.Fields.TryGetProperty("/name", out _).Should().BeFalse();

        (await Shares.RedeemAsync(link.Token)).Should().Be(new ShareRedemption(ShareLinkStatus.Exhausted, null));
    }

    [Test]
    public async Task AppDataFields_CanBeShared()
    {
        await _host.Services.GetRequiredService<IAppDataManager>().PutAsync(_person, "shop", Json(new { sizes = new[] { "M", "L" }, colour = "blue" }));

        var link = await Shares.CreateAsync(_person, new ShareRequest { Recipient = "Tailor", App = "shop", Fields = ["/sizes/1"] });
        var redeemed = await Shares.RedeemAsync(link.Token);

        SameJson(redeemed.Record!.Fields, Json(new Dictionary<string, string> { ["/sizes/1"] = "L" })).Should().BeTrue();
    }

    [Test]
    public async Task ExpiredRevokedUnknownAndMalformed_AreStatusesAndSpendNothing()
    {
        var expiring = await Shares.CreateAsync(_person, new ShareRequest { Recipient = "A", Fields = ["/email"], Lifetime = TimeSpan.FromHours(1) });
        var revoked = await Shares.CreateAsync(_person, new ShareRequest { Recipient = "B", Fields = ["/email"], MaxReads = 3 });

        (await Shares.RevokeAsync(_person, revoked.Handle)).Should().BeTrue();
        (await Shares.RevokeAsync(_person, revoked.Handle)).Should().BeFalse();
        (await Shares.RedeemAsync(revoked.Token)).Status.Should().Be(ShareLinkStatus.Revoked);
        (await Shares.RedeemAsync(revoked.Token[..^1] + (revoked.Token[^1] == 'A' ? 'B' : 'A'))).Status.Should().Be(ShareLinkStatus.Unknown);
        (await Shares.RedeemAsync("not a token")).Status.Should().Be(ShareLinkStatus.Unknown);
        _host.Time.Advance(TimeSpan.FromHours(1));
        (await Shares.RedeemAsync(expiring.Token)).Status.Should().Be(ShareLinkStatus.Expired);

        var listed = await Shares.ListAsync(_person);
        listed.Single(l => l.Handle == revoked.Handle).Should().Match<ShareLinkInfo>(l => l.RevokedAt != null && l.ReadsLeft == 3 && l.Recipient == "B" && l.Fields.SequenceEqual(new[] { "/email" }));

        _host.Time.Advance(TimeSpan.FromDays(7));
        (await _host.Administration.RunDueWorkAsync())["shares"].Should().Be(2);
        (await Shares.RedeemAsync(expiring.Token)).Status.Should().Be(ShareLinkStatus.Unknown, "an expired link is removed by the due-work pass");
        (await Shares.ListAsync(_person)).Should().BeEmpty();
    }

    [TestCase("email", TestName = "NotAPointer")]
    [TestCase("/phone", TestName = "NamesNothing")]
    [TestCase("/address/city/x", TestName = "PastALeaf")]
    [TestCase("/a~2b", TestName = "BadEscape")]
    public async Task AFieldThatNamesNothing_IsRefusedWithoutItsValue(string pointer)
    {
        var act = () => Shares.CreateAsync(_person, new ShareRequest { Recipient = "R", Fields = ["/email", pointer] });

        (await act.Should().ThrowAsync<VaultInputException>()).Which.Message.Should().Contain("Field 2").And.NotContain(pointer.TrimStart('/'));
        (await Shares.ListAsync(_person)).Should().BeEmpty();
    }

    [Test]
    public async Task BadRequests_AreRefused()
    {
        async Task Refused(ShareRequest request) =>
            await FluentActions.Awaiting(() => Shares.CreateAsync(_person, request)).Should().ThrowAsync<VaultInputException>();

        await Refused(new ShareRequest { Recipient = "", Fields = ["/email"] });
        await Refused(new ShareRequest { Recipient = "R", Fields = [] });
        await Refused(new ShareRequest { Recipient = "R", Fields = ["/email"], Lifetime = TimeSpan.FromDays(31) });
        await Refused(new ShareRequest { Recipient = "R", Fields = ["/email"], MaxReads = 0 });
        await Refused(new ShareRequest { Recipient = "R", Fields = ["/email"], App = "unregistered" });
        await FluentActions.Awaiting(() => Shares.CreateAsync(Guid.NewGuid(), new ShareRequest { Recipient = "R", Fields = ["/email"] })).Should().ThrowAsync<PersonNotFoundException>();
    }

    [Test]
    public async Task CreateAndRedeem_AreAuditedWithTheRecipientSealed_AndNothingIsStoredInPlaintext()
    {
        var link = await Shares.CreateAsync(_person, new ShareRequest { Recipient = "Acme Insurance", Fields = ["/name"] });
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await Shares.RedeemAsync(link.Token);
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await Shares.RevokeAsync(_person, link.Handle);
        await _host.Administration.FlushAuditAsync();

        var events = await _host.Vault.GetAuditEventsAsync(_person);
        events.Select(e => e.Operation).Should().EndWith([AuditOperations.ShareCreate, AuditOperations.ShareRedeem, AuditOperations.ShareRevoke]);
        events.Where(e => e.Operation == AuditOperations.ShareRedeem).Should().ContainSingle(e => e.Details == """{"recipient":["Acme Insurance"]}""");
        foreach (var needle in new[] { link.Token, "Acme", "/name" })
        {
            _host.Holds(Encoding.UTF8.GetBytes(needle)).Should().BeFalse($"'{needle}' must not be stored in plaintext");
        }
    }

    [Test]
    public async Task Forget_DeletesThePersonsLinks()
    {
        var link = await Shares.CreateAsync(_person, new ShareRequest { Recipient = "R", Fields = ["/email"] });

        await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(_person));

        (await Shares.RedeemAsync(link.Token)).Status.Should().Be(ShareLinkStatus.Unknown);
        _host.Scalar<long>("SELECT COUNT(*) FROM share_links").Should().Be(0);
    }
}
