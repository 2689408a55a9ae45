using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The data keys role: paging and re-wrapping for key rotation.</summary>
internal sealed partial class PostgreSqlVaultStorage : IDataKeyStore
{
    public async Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM data_keys WHERE key_version <> @keyVersion;", new { keyVersion, cancellationToken }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var keys = await connection.QueryAsync<DataKeyRow>(
            "SELECT owner, key_version, wrapped FROM data_keys WHERE key_version <> @keyVersion AND owner > @after ORDER BY owner LIMIT @limit;",
            new { keyVersion, after = after is { } a ? Id(a) : [], limit, cancellationToken }).ConfigureAwait(false);
        return keys.Select(k => k.ToStored()).ToList();
    }

    /// <summary>
    /// Compare-and-swap on the wrapped bytes: a key that another instance replaced or deleted meanwhile is
    /// left alone. Readers on other instances see the old or the new wrapping, and unwrap either.
    /// </summary>
    public Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var r in replacements)
            {
                Add(batch, "UPDATE data_keys SET key_version = $1, wrapped = $2 WHERE owner = $3 AND wrapped = $4;",
                    r.Replacement.KeyVersion, r.Replacement.Ciphertext, Id(r.Person), r.Previous);
            }

            if (batch.BatchCommands.Count == 0)
            {
                return 0;
            }

            return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

}
