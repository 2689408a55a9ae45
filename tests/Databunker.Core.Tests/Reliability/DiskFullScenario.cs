using Databunker.Core.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// A vault whose disk can be filled and freed while it runs: SQLite under <c>PRAGMA max_page_count</c> (works
/// anywhere) or on a small tmpfs, and PostgreSQL with its database in a tablespace on a small tmpfs (the write-
/// ahead log stays on the cluster's own disk, so the server keeps running). The tmpfs kinds need <c>mount</c>.
/// </summary>
public sealed class DiskFullScenario : IAsyncDisposable
{
    public const string SqlitePageLimit = "sqlite-page-limit";
    public const string SqliteTmpfs = "sqlite-tmpfs";
    public const string PostgreSqlTablespace = "postgresql-tmpfs-tablespace";

    // 6 MiB of 4 KiB pages: room for the schema and the persons created before the disk fills.
    private const long PageLimit = 1536;

    private readonly SmallDisk? _disk;
    private readonly ThrowawayCluster? _cluster;

    private DiskFullScenario(string kind, VaultHost host, SmallDisk? disk, ThrowawayCluster? cluster)
    {
        Kind = kind;
        Host = host;
        _disk = disk;
        _cluster = cluster;
    }

    public string Kind { get; }

    public VaultHost Host { get; }

    public static async Task<DiskFullScenario> StartAsync(string kind, Action<DatabunkerOptions>? configure = null)
    {
        switch (kind)
        {
            case SqlitePageLimit:
                return new(kind, await VaultHost.StartAsync(configure, sqlite: o => o.MaxPageCount = PageLimit), null, null);
            case SqliteTmpfs:
            {
                var disk = Mount(32, owner: null);
                return new(kind, await VaultHost.StartAsync(configure, database: Path.Combine(disk.Path, "vault.db")), disk, null);
            }

            default:
            {
                var cluster = ThrowawayCluster.Start();
                var disk = Mount(32, owner: "postgres");
                cluster.Sql("postgres", $"CREATE TABLESPACE small LOCATION '{disk.Path}'; ");
                cluster.Sql("postgres", "CREATE DATABASE vault TABLESPACE small;");
                var host = await VaultHost.StartAsync(configure, store: TestStore.PostgreSql, database: cluster.Of("vault"));
                return new(kind, host, disk, cluster);
            }
        }
    }

    /// <summary>Takes every free byte the vault could write to.</summary>
    public void Fill()
    {
        if (_disk is not null)
        {
            _disk.Fill();
            return;
        }

        // The limit is per connection: this one sets it too, and fills the file up to it.
        using var connection = OpenRaw();
        Execute(connection, $"PRAGMA max_page_count = {PageLimit}; CREATE TABLE IF NOT EXISTS filler (b BLOB);");
        foreach (var size in new[] { 3000, 100 })
        {
            try
            {
                while (true)
                {
                    Execute(connection, $"INSERT INTO filler VALUES (zeroblob({size}));");
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 13)
            {
                // SQLITE_FULL at this size: smaller rows take what is left.
            }
        }
    }

    /// <summary>Frees the space again (deletes the filler), while the vault keeps running.</summary>
    public void Free()
    {
        if (_disk is not null)
        {
            _disk.Free();
            return;
        }

        using var connection = OpenRaw();
        Execute(connection, "DELETE FROM filler;");
    }

    /// <summary>How many persons the database holds, read directly.</summary>
    public long StoredPersons() => Host.Scalar<long>("SELECT COUNT(*) FROM users");

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _cluster?.Dispose();
        _disk?.Dispose();
    }

    private static SmallDisk Mount(int megabytes, string? owner)
    {
        var ids = owner is null ? null : TestRun.Bash($"echo $(id -u {owner}):$(id -g {owner})")?.Trim();
        var disk = SmallDisk.TryMount(megabytes, ids);
        if (disk is null)
        {
            Assert.Ignore("This machine does not allow mounting a tmpfs; the page-limit scenario covers SQLite's full disk.");
        }

        return disk!;
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection($"Data Source={Host.Database};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
