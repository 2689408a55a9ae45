namespace Databunker.Core.PostgreSql;

/// <summary>The data keys role: paging and re-wrapping for key rotation.</summary>
internal sealed partial class PostgreSqlVaultStorage : IDataKeyStore
{
    public Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken) =>
        CountAsync("SELECT COUNT(*) FROM data_keys WHERE key_version <> $1;", keyVersion, cancellationToken);

    public async Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT owner, key_version, wrapped FROM data_keys WHERE key_version <> $1 AND owner > $2 ORDER BY owner LIMIT $3;",
            keyVersion, after is { } a ? Id(a) : Array.Empty<byte>(), limit);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<StoredDataKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new StoredDataKey(new Guid((byte[])reader.GetValue(0)), new WrappedKey(reader.GetString(1), (byte[])reader.GetValue(2))));
        }

        return keys;
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

    private const string AuditColumns = "id, at, actor, operation, subject, outcome, details";

    private static AuditRecord ReadAudit(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : new Guid((byte[])reader.GetValue(4)),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : (byte[])reader.GetValue(6));
}
