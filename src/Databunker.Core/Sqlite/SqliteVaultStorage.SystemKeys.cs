using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>The system keys role: one row per named, wrapped key.</summary>
internal sealed partial class SqliteVaultStorage : ISystemKeyStore
{
    public Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ReadSystemKey(connection, null, name);
    }, cancellationToken);

    public Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<string>)connection.Query("SELECT name FROM system_keys ORDER BY name;", static r => r.GetString(0));
    }, cancellationToken);

    public Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            connection.Execute(
                "INSERT OR IGNORE INTO system_keys (name, key_version, wrapped, created_at) VALUES (@name, @version, @wrapped, @createdAt);",
                transaction,
                ("@name", name), ("@version", key.KeyVersion), ("@wrapped", key.Ciphertext), ("@createdAt", createdAt));
            return ReadSystemKey(connection, transaction, name)!;
        }, cancellationToken);

    public Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken) =>
        Write((connection, transaction) => connection.Execute(
            "UPDATE system_keys SET key_version = @version, wrapped = @wrapped WHERE name = @name AND wrapped = @previous;",
            transaction,
            ("@name", name), ("@previous", previous), ("@version", replacement.KeyVersion), ("@wrapped", replacement.Ciphertext)) == 1, cancellationToken);

    /// <summary>
    /// Copies every committed page into the database file and truncates the write-ahead log, so that the
    /// page images of forgotten persons leave the disk (secure_delete has already zeroed them in the file).
    /// </summary>
    private static WrappedKey? ReadSystemKey(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        return connection.QuerySingleOrDefault(
            "SELECT key_version, wrapped FROM system_keys WHERE name = @name;",
            static r => new WrappedKey(r.GetString(0), r.Bytes(1)),
            transaction,
            ("@name", name));
    }
}
