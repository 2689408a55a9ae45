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
        var token = await vault.CreateUserAsync(Json(new { login = "gone", email = "gone@example.com", phone = "+447700900001", custom = "C-1" }));
        await vault.UpdateUserAsync(UserLookup.ByToken(token), Json(new { name = "Soon Gone" }));
        (await vault.GetAuditEventsAsync(token)).Where(e => e.Details is not null).Should().HaveCount(2);

        var deleted = await vault.DeleteUserAsync(UserLookup.ByEmail("gone@example.com"));

        deleted.Should().BeTrue();
        foreach (var lookup in new[] { UserLookup.ByToken(token), UserLookup.ByLogin("gone"), UserLookup.ByEmail("gone@example.com"), UserLookup.ByPhone("+447700900001"), UserLookup.ByCustom("C-1") })
        {
            (await vault.GetUserAsync(lookup)).Should().BeNull($"{lookup} finds nothing after forget");
        }

        var audit = await vault.GetAuditEventsAsync(token);
        audit.Where(e => e.DetailsUnreadable).Should().HaveCount(2, "the details of create and update were under the person's key");
        audit.Should().OnlyContain(e => e.Details == null);
        audit.Select(e => e.Operation).Should().Contain(AuditOperations.UserDelete);

        var tokenBytes = token.ToByteArray();
        _host.Scalar<long>("SELECT COUNT(*) FROM data_keys WHERE owner = @t", new { t = tokenBytes }).Should().Be(0);
        _host.Scalar<long>("SELECT COUNT(*) FROM users WHERE token = @t", new { t = tokenBytes }).Should().Be(0);
        _host.Scalar<long>("SELECT COUNT(*) FROM user_indexes WHERE token = @t", new { t = tokenBytes }).Should().Be(0);
        _host.Scalar<long>("SELECT COUNT(*) FROM tombstones WHERE token = @t", new { t = tokenBytes }).Should().Be(1);

        var successor = await vault.CreateUserAsync(Json(new { login = "gone", email = "gone@example.com", phone = "+447700900001", custom = "C-1" }));
        (await vault.GetUserAsync(UserLookup.ByEmail("gone@example.com")))!.Token.Should().Be(successor);
    }

    [Test]
    public async Task DeleteUserAsync_Twice_SecondReturnsFalse()
    {
        var token = await _host.Vault.CreateUserAsync(Json(new { login = "twice" }));

        (await _host.Vault.DeleteUserAsync(UserLookup.ByToken(token))).Should().BeTrue();
        (await _host.Vault.DeleteUserAsync(UserLookup.ByToken(token))).Should().BeFalse();
        (await _host.Vault.DeleteUserAsync(UserLookup.ByLogin("twice"))).Should().BeFalse();
    }
}
