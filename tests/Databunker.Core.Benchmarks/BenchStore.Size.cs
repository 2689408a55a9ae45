using Microsoft.Data.Sqlite;
using Npgsql;

namespace Databunker.Core.Benchmarks;

/// <summary>What the vault's data takes on disk.</summary>
public sealed partial class BenchStore
{
    /// <summary>
    /// The bytes the vault's data takes: on SQLite the database file (and what is left of its write-ahead log) after
    /// <c>PRAGMA wal_checkpoint(TRUNCATE)</c>; on PostgreSQL <c>pg_total_relation_size</c> (table, indexes, TOAST)
    /// summed over the vault schema's tables. Flush the vault's read audit first, so that it is counted.
    /// </summary>
    public async Task<long> VaultBytesAsync()
    {
        if (_name != Sqlite)
        {
            await using var connection = new NpgsqlConnection(Server);
            await connection.OpenAsync();
            await using var size = new NpgsqlCommand(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c " +
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p');",
                connection);
            size.Parameters.Add(new NpgsqlParameter { Value = $"{_place}_vault" });
            return (long)(await size.ExecuteScalarAsync())!;
        }

        var path = Path.Combine(_place, "vault.db");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            await connection.OpenAsync();
            await using (var wait = connection.CreateCommand())
            {
                wait.CommandText = "PRAGMA busy_timeout=5000;";
                await wait.ExecuteNonQueryAsync();
            }

            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await using var reader = await checkpoint.ExecuteReaderAsync();
            if (await reader.ReadAsync() && reader.GetInt64(0) == 0)
            {
                break;
            }

            // A reader held the log (busy): the vault's background audit writer, say. Try again.
            await Task.Delay(100);
        }

        return new DirectoryInfo(_place).EnumerateFiles("vault.db*").Sum(f => f.Length);
    }
}
