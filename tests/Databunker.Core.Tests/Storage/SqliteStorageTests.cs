using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Sqlite;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
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
    public async Task BackgroundCheckpoints_LetTheWriteAheadLogStartOver()
    {
        // SQLite's own checkpoint is off on the vault's connections: without the background ones the log keeps
        // every page of every commit; after a background checkpoint the next commit starts it over.
        var (rareFrames, rareCheckpoints) = await WalAfterCreatesAsync(checkpointEvery: 100_000);
        var (oftenFrames, oftenCheckpoints) = await WalAfterCreatesAsync(checkpointEvery: 16);

        rareCheckpoints.Should().Be(0);
        rareFrames.Should().BeGreaterThan(2000, "no commit checkpointed: the log holds the pages of all 400 creates");
        oftenCheckpoints.Should().BeGreaterThan(0);
        oftenFrames.Should().BeLessThan(100, "the log started over with the last create");
    }

    private static async Task<(long Frames, int Checkpoints)> WalAfterCreatesAsync(int checkpointEvery)
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite($"Data Source={path}", o => o.BackgroundCheckpointCommits = checkpointEvery).UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();
        var vault = provider.GetRequiredService<IPersonalDataVault>();
        var storage = (SqliteVaultStorage)provider.GetRequiredService<IVaultStore>();
        for (var i = 0; i < 400; i++)
        {
            await vault.CreateUserAsync(Json(new { email = $"wal{i}@example.com", note = new string('n', 300) }));
        }

        (await vault.GetUserAsync(UserLookup.ByEmail("wal399@example.com"))).Should().NotBeNull();
        if (checkpointEvery < 400)
        {
            await storage.Checkpointer.Request();
        }

        await vault.CreateUserAsync(Json(new { email = "last@example.com" }));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = checkpoint.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(1), storage.Checkpointer.Completed);
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
