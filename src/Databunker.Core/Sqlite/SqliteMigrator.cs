using Dapper;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// Applies the embedded, ordered migration scripts (<c>NNNN_name.sql</c>) that the database lacks, in one
/// transaction, and refuses a database whose schema is newer than this code.
/// </summary>
internal static class SqliteMigrator
{
    private const string ResourcePrefix = "Databunker.Core.Sqlite.Migrations.";

    public static IReadOnlyList<(int Version, string Sql)> Scripts { get; } = MigrationScripts.Load(typeof(SqliteMigrator).Assembly, ResourcePrefix);

    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>The version that links each person's consent decisions into a chain (<c>0016_consent_chain.sql</c>).</summary>
    public const int ConsentChainVersion = 16;

    /// <summary>The version that adds each person's consent ledger head (<c>0017_consent_heads.sql</c>).</summary>
    public const int ConsentHeadsVersion = 17;

    /// <summary>Migrates; returns the versions this call applied (none when the schema was current).</summary>
    public static IReadOnlyList<int> Migrate(SqliteConnection connection, bool inMemory, long now)
    {
        if (!inMemory)
        {
            // WAL is a property of the database file: set once, kept across connections.
            connection.Execute("PRAGMA journal_mode=WAL;");
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL);", transaction: transaction);
        var current = connection.ExecuteScalar<long?>("SELECT MAX(version) FROM schema_version;", transaction: transaction) ?? 0;
        var applied = new List<int>();
        foreach (var (version, sql) in MigrationScripts.Pending(Scripts, current, "The vault database has schema version", "Databunker.Core"))
        {
            connection.Execute(sql, transaction: transaction);
            connection.Execute("INSERT INTO schema_version (version, applied_at) VALUES (@version, @now);", new { version, now }, transaction);
            applied.Add(version);
        }

        // A write that changes nothing: SQLite refuses it on a database it could only open read-only.
        connection.Execute("DELETE FROM schema_version WHERE version < 0;", transaction: transaction);
        transaction.Commit();
        return applied;
    }
}
