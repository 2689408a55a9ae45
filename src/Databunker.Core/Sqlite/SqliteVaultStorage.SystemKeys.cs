using Dapper;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>The system keys role: one row per named, wrapped key.</summary>
internal sealed partial class SqliteVaultStorage : ISystemKeyStore
{
    public Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ReadSystemKey(connection, name);
    }, cancellationToken);

    public Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<string>)[.. connection.Query<string>("SELECT name FROM system_keys ORDER BY name;")];
    }, cancellationToken);

    public Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            connection.Execute(
                "INSERT OR IGNORE INTO system_keys (name, key_version, wrapped, created_at) VALUES (@name, @KeyVersion, @Ciphertext, @createdAt);",
                new { name, key.KeyVersion, key.Ciphertext, createdAt });
            return ReadSystemKey(connection, name)!;
        }, cancellationToken);

    public Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken) =>
        Write((connection, _) => connection.Execute(
            "UPDATE system_keys SET key_version = @KeyVersion, wrapped = @Ciphertext WHERE name = @name AND wrapped = @previous;",
            new { name, previous, replacement.KeyVersion, replacement.Ciphertext }) == 1, cancellationToken);

    private static WrappedKey? ReadSystemKey(SqliteConnection connection, string name) =>
        connection.QuerySingleOrDefault<WrappedKey>("SELECT key_version, wrapped AS ciphertext FROM system_keys WHERE name = @name;", new { name });
}
