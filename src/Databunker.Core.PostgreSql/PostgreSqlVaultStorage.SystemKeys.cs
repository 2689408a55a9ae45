using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The system keys role: one row per named, wrapped key.</summary>
internal sealed partial class PostgreSqlVaultStorage : ISystemKeyStore
{
    public async Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSystemKeyAsync(connection, name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<string>("SELECT name FROM system_keys ORDER BY name;").ConfigureAwait(false)).ToList();
    }

    /// <summary>
    /// ON CONFLICT DO NOTHING waits for an instance that is inserting the same key, then yields to it; the
    /// SELECT after it, a new statement, sees that instance's committed key. Every instance returns the same one.
    /// </summary>
    public async Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO system_keys (name, key_version, wrapped, created_at) VALUES (@name, @KeyVersion, @Ciphertext, @createdAt) ON CONFLICT (name) DO NOTHING;",
            new { name, key.KeyVersion, key.Ciphertext, createdAt, cancellationToken }).ConfigureAwait(false);
        return (await ReadSystemKeyAsync(connection, name, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE system_keys SET key_version = @KeyVersion, wrapped = @Ciphertext WHERE name = @name AND wrapped = @previous;",
            new { replacement.KeyVersion, replacement.Ciphertext, name, previous, cancellationToken }).ConfigureAwait(false) == 1;
    }

    private static Task<WrappedKey?> ReadSystemKeyAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<WrappedKey>("SELECT key_version, wrapped AS ciphertext FROM system_keys WHERE name = @name;", new { name, cancellationToken });
}
