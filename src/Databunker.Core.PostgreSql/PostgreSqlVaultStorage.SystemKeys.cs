namespace Databunker.Core.PostgreSql;

/// <summary>The system keys role: one row per named, wrapped key.</summary>
internal sealed partial class PostgreSqlVaultStorage : ISystemKeyStore
{
    public async Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSystemKeyAsync(connection, name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null, "SELECT name FROM system_keys ORDER BY name;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// ON CONFLICT DO NOTHING waits for an instance that is inserting the same key, then yields to it; the
    /// SELECT after it, a new statement, sees that instance's committed key. Every instance returns the same one.
    /// </summary>
    public async Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "INSERT INTO system_keys (name, key_version, wrapped, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING;",
            cancellationToken, name, key.KeyVersion, key.Ciphertext, createdAt).ConfigureAwait(false);
        return (await ReadSystemKeyAsync(connection, name, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE system_keys SET key_version = $1, wrapped = $2 WHERE name = $3 AND wrapped = $4;",
            cancellationToken, replacement.KeyVersion, replacement.Ciphertext, name, previous).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// VACUUM of the tables that forgetting deletes from, so that the server reuses the space of deleted
    /// rows. Their bytes stay in the heap and in the server's WAL and backups until overwritten; what makes
    /// them unreadable is that the person's data key was deleted with them.
    /// </summary>
    private static async Task<WrappedKey?> ReadSystemKeyAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, null, "SELECT key_version, wrapped FROM system_keys WHERE name = $1;", name);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new WrappedKey(reader.GetString(0), (byte[])reader.GetValue(1))
            : null;
    }
}
