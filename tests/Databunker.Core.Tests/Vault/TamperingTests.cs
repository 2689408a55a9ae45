using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

/// <summary>Altered or moved ciphertexts fail with <see cref="VaultCryptoException"/>, never as garbage data.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class TamperingTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private VaultHost _host = null!;
    private Guid _alice;
    private Guid _bob;

    [SetUp]
    public async Task Start()
    {
        _host = await VaultHost.StartAsync(store: _store);
        _alice = await _host.Vault.CreatePersonAsync(Json(new { email = "alice@example.com", secret = "alice-secret" }));
        _bob = await _host.Vault.CreatePersonAsync(Json(new { email = "bob@example.com", secret = "bob-secret" }));
    }

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task GetUserAsync_ProfileCopiedFromAnotherPerson_ThrowsCryptoException()
    {
        _host.Sql("UPDATE users SET profile = (SELECT profile FROM users WHERE token = @from) WHERE token = @to",
            new { from = _alice.ToByteArray(), to = _bob.ToByteArray() });

        await AssertCryptoFailure(() => _host.Vault.GetPersonAsync(PersonLookup.ByToken(_bob)));
        _host.Logs.Lines.Should().Contain(m => m.Contains("failed authentication during person.get", StringComparison.Ordinal), "the failure is logged (event 5) before it reaches the caller");
        (await _host.Vault.GetPersonAsync(PersonLookup.ByToken(_alice)))!.Profile.GetProperty("secret").GetString().Should().Be("alice-secret");
    }

    [Test]
    public async Task GetUserAsync_DataKeyCopiedFromAnotherPerson_ThrowsCryptoException()
    {
        _host.Sql("UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE owner = @from) WHERE owner = @to",
            new { from = _alice.ToByteArray(), to = _bob.ToByteArray() });

        await AssertCryptoFailure(() => _host.Vault.GetPersonAsync(PersonLookup.ByToken(_bob)));
    }

    [Test]
    public async Task GetAuditEventsAsync_DetailsCopiedFromAnotherPerson_ThrowsCryptoException()
    {
        _host.Sql("UPDATE audit_events SET details = (SELECT details FROM audit_events WHERE subject = @from) WHERE subject = @to",
            new { from = _alice.ToByteArray(), to = _bob.ToByteArray() });

        await AssertCryptoFailure(() => _host.Vault.GetAuditEventsAsync(_bob));
    }

    [TestCase("users", "profile", "token")]
    [TestCase("data_keys", "wrapped", "owner")]
    [TestCase("audit_events", "details", "subject")]
    public async Task Read_AnyFlippedByte_ThrowsCryptoException(string table, string column, string owner)
    {
        var length = _host.Scalar<long>($"SELECT length({column}) FROM {table} WHERE {owner} = @t AND {column} IS NOT NULL", new { t = _bob.ToByteArray() });
        var original = _host.Scalar<byte[]>($"SELECT {column} FROM {table} WHERE {owner} = @t AND {column} IS NOT NULL", new { t = _bob.ToByteArray() })!;
        length.Should().BeGreaterThan(33);

        for (var position = 0; position < length; position++)
        {
            var tampered = (byte[])original.Clone();
            tampered[position] ^= 0x01;
            _host.Sql($"UPDATE {table} SET {column} = @v WHERE {owner} = @t AND {column} IS NOT NULL", new { v = tampered, t = _bob.ToByteArray() });

            await AssertCryptoFailure(table == "audit_events"
                ? () => _host.Vault.GetAuditEventsAsync(_bob)
                : () => _host.Vault.GetPersonAsync(PersonLookup.ByToken(_bob)));
        }
    }

    [TestCase(0)]
    [TestCase(20)]
    [TestCase(-1)]
    public async Task Start_SystemKeyWithAFlippedByte_RefusesToOpenWithCryptoCause(int position)
    {
        var path = _host.Database;
        var key = _host.MasterKey;
        await _host.DisposeAsync();
        var wrapped = _store.Scalar<byte[]>(path, "SELECT wrapped FROM system_keys WHERE name = 'blind-index'")!;
        wrapped[position < 0 ? wrapped.Length - 1 : position] ^= 0x80;
        _store.Sql(path, "UPDATE system_keys SET wrapped = @w WHERE name = 'blind-index'", new { w = wrapped });

        var act = () => VaultHost.StartAsync(database: path, masterKey: key, store: _store);

        (await act.Should().ThrowAsync<VaultConfigurationException>()).WithInnerException<VaultCryptoException>();
        _host = await VaultHost.StartAsync(store: _store);
    }

    private static async Task AssertCryptoFailure(Func<Task> read)
    {
        var error = (await read.Should().ThrowAsync<VaultCryptoException>()).Which;
        error.Message.Should().NotContain("secret").And.NotContain("example.com");
    }
}
