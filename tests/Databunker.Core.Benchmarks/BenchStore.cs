using System.Security.Cryptography;
using Databunker.Core.Keys;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The store a benchmark runs on, chosen by name in one place: a folder of SQLite files, or two schemas of a
/// PostgreSQL server (<c>DATABUNKER_BENCH_POSTGRES</c>, else <c>DATABUNKER_TEST_POSTGRES</c>), dropped afterwards.
/// </summary>
public sealed partial class BenchStore : IDisposable
{
    public const string Sqlite = "sqlite";

    public const string PostgreSql = "postgresql";

    private readonly string _name;
    private readonly string _place;

    // One master key per store, so that a vault can be opened again on the same data (a host restarting).
    private readonly byte[] _masterKey = RandomNumberGenerator.GetBytes(32);

    private BenchStore(string name)
    {
        _name = name;
        _place = name == Sqlite
            ? Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"))
            : $"bench_{Guid.NewGuid():N}";
        if (name == Sqlite)
        {
            Directory.CreateDirectory(_place);
        }
        else
        {
            Execute($"CREATE SCHEMA {_place}_vault; CREATE SCHEMA {_place}_floor;");
        }
    }

    /// <summary>The server named by the environment, or null: without one only SQLite runs.</summary>
    public static string? Server =>
        Environment.GetEnvironmentVariable("DATABUNKER_BENCH_POSTGRES") is { Length: > 0 } bench ? bench
        : Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES") is { Length: > 0 } test ? test
        : null;

    /// <summary>The stores this machine can run; <c>DATABUNKER_BENCH_STORE</c> narrows them to one.</summary>
    public static IEnumerable<string> Available =>
        (Server is null ? [Sqlite] : new[] { Sqlite, PostgreSql }).Where(s => Environment.GetEnvironmentVariable("DATABUNKER_BENCH_STORE") is not { Length: > 0 } only || only == s);

    public static BenchStore Create(string name) => new(name);

    /// <summary>Where <see cref="OpenVaultAsync"/> keeps the vault: its SQLite file, or its PostgreSQL schema.</summary>
    public string VaultConnectionString => _name == Sqlite ? $"Data Source={Path.Combine(_place, "vault.db")}" : InSchema("vault");

    /// <summary>
    /// <c>DATABUNKER_BENCH_SQLITE_JOURNAL_MIB</c>, when set, is the SQLite vault's <c>JournalSizeLimit</c> in MiB: a run with a
    /// limit no benchmark reaches (4096) sets the cost of starting the log over apart from the cost of the code.
    /// </summary>
    private static void SqliteJournal(Databunker.Core.Sqlite.SqliteStorageOptions options)
    {
        if (Environment.GetEnvironmentVariable("DATABUNKER_BENCH_SQLITE_JOURNAL_MIB") is { Length: > 0 } mib)
        {
            options.JournalSizeLimit = long.Parse(mib, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024;
        }
    }

    /// <summary>A vault on this store, initialised; each call another instance (a service provider of its own) of the same vault.</summary>
    /// <param name="configure">Options of the vault.</param>
    /// <param name="services">Services registered before the vault's own, such as a <see cref="TimeProvider"/>.</param>
    public async Task<(ServiceProvider Services, IPersonalDataVault Vault)> OpenVaultAsync(Action<DatabunkerOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        var builder = collection.AddDatabunker(o =>
        {
            o.DefaultActor = "bench";
            configure?.Invoke(o);
        }).UseMasterKey(_masterKey);
        _ = _name == Sqlite ? builder.UseSqlite(VaultConnectionString, SqliteJournal) : builder.UsePostgreSql(VaultConnectionString);
        var provider = collection.BuildServiceProvider();
        await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();
        return (provider, provider.GetRequiredService<IPersonalDataVault>());
    }

    /// <summary>
    /// The floor on this store: on SQLite the minimal floor on its own minimal schema (<see cref="Floor"/>); on
    /// PostgreSQL, still on a schema the vault's own migrations made.
    /// </summary>
    public async Task<IFloor> OpenFloorAsync()
    {
        if (_name == Sqlite)
        {
            return new Floor(Path.Combine(_place, "floor.db"));
        }

        var services = new ServiceCollection();
        services.AddDatabunker().UseMasterKey(_masterKey).UsePostgreSql(InSchema("floor"));
        await using (var provider = services.BuildServiceProvider())
        {
            await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();
        }

        // Since the audit trail has stripes (schema version 17) every event needs a stripe and a sequence number;
        // the floor keeps no chain, so its events go to a stripe of their own (0) numbered by a sequence.
        Execute($"CREATE SEQUENCE IF NOT EXISTS {_place}_floor.floor_audit_seq; ALTER TABLE {_place}_floor.audit_events " +
            $"ALTER COLUMN stripe SET DEFAULT 0, ALTER COLUMN seq SET DEFAULT nextval('{_place}_floor.floor_audit_seq');");
        return new PostgreSqlFloor(new NpgsqlConnectionStringBuilder(InSchema("floor")) { MaxAutoPrepare = 64 }.ConnectionString);
    }

    /// <summary>
    /// After a setup's bulk writes, on PostgreSQL: a VACUUM ANALYZE of the database and a checkpoint, so that neither the
    /// checkpointer nor autovacuum works through the measured calls of one side and not the other's.
    /// </summary>
    public void Quiesce()
    {
        if (_name == PostgreSql)
        {
            Execute("VACUUM ANALYZE;");
            Execute("CHECKPOINT;");
        }
    }

    public void Dispose()
    {
        if (_name == Sqlite)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_place, recursive: true);
        }
        else
        {
            NpgsqlConnection.ClearAllPools();
            Execute($"DROP SCHEMA {_place}_vault CASCADE; DROP SCHEMA {_place}_floor CASCADE;");
        }
    }

    private string InSchema(string part) => new NpgsqlConnectionStringBuilder(Server) { SearchPath = $"{_place}_{part}" }.ConnectionString;

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Server ?? throw new InvalidOperationException("Set DATABUNKER_BENCH_POSTGRES to an Npgsql connection string to run on PostgreSQL."));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
