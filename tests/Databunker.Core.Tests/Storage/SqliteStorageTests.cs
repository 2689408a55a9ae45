using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Storage;

/// <summary>What the SQLite storage promises beyond the shared contract.</summary>
public sealed class SqliteStorageTests
{
    [Test]
    public async Task Database_IsInWalModeWithSchemaVersionTable()
    {
        await using var host = await VaultHost.StartAsync();

        Scalar<string>(host.Database, "PRAGMA journal_mode").Should().Be("wal");
        Scalar<long>(host.Database, "SELECT MAX(version) FROM schema_version").Should().BeGreaterThanOrEqualTo(2);
    }

    [Test]
    public async Task Forget_WithSecureDelete_LeavesNoOldBytesInTheFileAfterCheckpoint()
    {
        await using var host = await VaultHost.StartAsync();
        var keep = await host.Vault.CreateUserAsync(Json(new { login = "stays" }));
        var token = await host.Vault.CreateUserAsync(Json(new { login = "leaves", bio = new string('b', 500) }));
        var wrappedKey = Scalar<byte[]>(host.Database, "SELECT wrapped FROM data_keys WHERE owner = @t", new { t = token.ToByteArray() })!;
        var profile = Scalar<byte[]>(host.Database, "SELECT profile FROM users WHERE token = @t", new { t = token.ToByteArray() })!;
        Sql(host.Database, "PRAGMA wal_checkpoint(TRUNCATE)");
        Contains(File.ReadAllBytes(host.Database), wrappedKey).Should().BeTrue("the check must be able to see the key while it exists");

        await host.Vault.DeleteUserAsync(UserLookup.ByToken(token));
        Sql(host.Database, "PRAGMA wal_checkpoint(TRUNCATE)");

        var file = File.ReadAllBytes(host.Database);
        Contains(file, wrappedKey).Should().BeFalse("secure_delete overwrites the freed wrapped key");
        Contains(file, profile[^64..]).Should().BeFalse("secure_delete overwrites the freed profile");
        (await host.Vault.GetUserAsync(UserLookup.ByToken(keep))).Should().NotBeNull();
    }

    [Test]
    public async Task CompactAsync_AfterForget_LeavesTheWrappedKeyNeitherInTheFileNorInTheWal()
    {
        await using var host = await VaultHost.StartAsync();
        var token = await host.Vault.CreateUserAsync(Json(new { login = "shredded" }));
        var wrappedKey = Scalar<byte[]>(host.Database, "SELECT wrapped FROM data_keys WHERE owner = @t", new { t = token.ToByteArray() })!;
        await host.Vault.DeleteUserAsync(UserLookup.ByToken(token));
        Contains(File.ReadAllBytes(host.Database + "-wal"), wrappedKey).Should().BeTrue("before compaction the WAL still holds the old page");

        (await host.Administration.CompactAsync()).Should().BeTrue();

        foreach (var file in new[] { host.Database, host.Database + "-wal" }.Where(File.Exists))
        {
            Contains(File.ReadAllBytes(file), wrappedKey).Should().BeFalse($"{Path.GetFileName(file)} no longer holds the forgotten key");
        }
    }

    [Test]
    public async Task RunDueAsync_ThatForgotSomeone_CompactsTheWal()
    {
        await using var host = await VaultHost.StartAsync();
        var token = await host.Vault.CreateUserAsync(Json(new { login = "expires" }));
        var wrappedKey = Scalar<byte[]>(host.Database, "SELECT wrapped FROM data_keys WHERE owner = @t", new { t = token.ToByteArray() })!;
        var ticket = await host.Expirations.StartAsync(UserLookup.ByToken(token), TimeSpan.FromHours(1));
        host.Time.SetUtcNow(ticket.DueAt);

        (await host.Expirations.RunDueAsync()).Deleted.Should().Be(1);

        foreach (var file in new[] { host.Database, host.Database + "-wal" }.Where(File.Exists))
        {
            Contains(File.ReadAllBytes(file), wrappedKey).Should().BeFalse();
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
