using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ForgetTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private VaultHost _host = null!;

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync(store: _store);

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task DeleteUserAsync_CryptoShredsThePerson()
    {
        var vault = _host.Vault;
        var token = await vault.CreatePersonAsync(Json(new { login = "gone", email = "gone@example.com", phone = "+447700900001", custom = "C-1" }));
        await vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { name = "Soon Gone" }));
        (await vault.GetAuditEventsAsync(token)).Where(e => e.Details is not null).Should().HaveCount(2);

        var deleted = await vault.ForgetPersonAsync(PersonLookup.ByEmail("gone@example.com"));

        deleted.Should().BeTrue();
        foreach (var lookup in new[] { PersonLookup.ByToken(token), PersonLookup.ByLogin("gone"), PersonLookup.ByEmail("gone@example.com"), PersonLookup.ByPhone("+447700900001"), PersonLookup.ByCustom("C-1") })
        {
            (await vault.GetPersonAsync(lookup)).Should().BeNull($"{lookup} finds nothing after forget");
        }

        var audit = await vault.GetAuditEventsAsync(token);
        audit.Where(e => e.DetailsUnreadable).Should().HaveCount(2, "the details of create and update were under the person's key");
        audit.Should().OnlyContain(e => e.Details == null);
        audit.Select(e => e.Operation).Should().Contain(AuditOperations.PersonForget);

        var tokenBytes = token.ToByteArray();
        _host.Scalar<long>("SELECT COUNT(*) FROM data_keys WHERE owner = @t", new { t = tokenBytes }).Should().Be(0);
        _host.Scalar<long>("SELECT COUNT(*) FROM users WHERE token = @t", new { t = tokenBytes }).Should().Be(0);
        _host.Scalar<long>("SELECT COUNT(*) FROM user_indexes WHERE token = @t", new { t = tokenBytes }).Should().Be(0);
        _host.Scalar<long>("SELECT COUNT(*) FROM tombstones WHERE token = @t", new { t = tokenBytes }).Should().Be(1);

        var successor = await vault.CreatePersonAsync(Json(new { login = "gone", email = "gone@example.com", phone = "+447700900001", custom = "C-1" }));
        (await vault.GetPersonAsync(PersonLookup.ByEmail("gone@example.com")))!.Token.Should().Be(successor);
    }

    [Test]
    public async Task DeleteUserAsync_Twice_SecondReturnsFalse()
    {
        var token = await _host.Vault.CreatePersonAsync(Json(new { login = "twice" }));

        (await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token))).Should().BeTrue();
        (await _host.Vault.ForgetPersonAsync(PersonLookup.ByToken(token))).Should().BeFalse();
        (await _host.Vault.ForgetPersonAsync(PersonLookup.ByLogin("twice"))).Should().BeFalse();
    }
}
