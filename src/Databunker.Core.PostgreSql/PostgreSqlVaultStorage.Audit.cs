using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Npgsql;

namespace Databunker.Core.PostgreSql;

internal sealed partial class PostgreSqlVaultStorage
{
    public Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (_, _, chain) =>
        {
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken) => audit.Count == 0
        ? Task.CompletedTask
        : AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var record in audit)
            {
                chain.Add(batch, record);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {AuditColumns} FROM audit_events WHERE subject = $1 ORDER BY id;", Id(subject));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ReadAudit(reader));
        }

        return events;
    }

    /// <summary>Only a prefix of the chain goes, so that what stays is one unbroken chain from its new start.</summary>
    public Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, _) =>
        {
            await using var select = Command(connection, transaction,
                "SELECT seq, link FROM audit_events WHERE seq < COALESCE((SELECT MIN(seq) FROM audit_events WHERE at >= $1), " +
                "(SELECT head_seq + 1 FROM audit_chain WHERE id = 1)) ORDER BY seq DESC LIMIT 1;", before);
            long last;
            byte[]? link;
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }

                last = reader.GetInt64(0);
                link = reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1);
            }

            var purged = await ExecuteAsync(connection, transaction, "DELETE FROM audit_events WHERE seq <= $1;", cancellationToken, last).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                "UPDATE audit_chain SET first_prev = CASE WHEN $1 > first_seq THEN COALESCE($2::bytea, first_prev) ELSE first_prev END, " +
                "first_seq = GREATEST(first_seq, $1) WHERE id = 1;",
                cancellationToken, last + 1, link).ConfigureAwait(false);
            return purged;
        }, cancellationToken);

    public async Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT first_seq, first_prev, head_seq, head_link, (SELECT COUNT(*) FROM audit_events), " +
            "(SELECT COUNT(*) FROM audit_events WHERE link IS NULL AND seq < audit_chain.first_seq) FROM audit_chain WHERE id = 1;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new StoredAuditChain(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetInt64(2), (byte[])reader.GetValue(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    public async Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {AuditColumns}, seq, link FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2;", afterSequence, limit);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<ChainedAuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new ChainedAuditRecord(reader.GetInt64(7), reader.IsDBNull(8) ? null : (byte[])reader.GetValue(8), ReadAudit(reader)));
        }

        return events;
    }

    public async Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (long)(await ScalarAsync(connection, null, "SELECT COUNT(*) FROM data_keys WHERE key_version <> $1;", cancellationToken, keyVersion).ConfigureAwait(false))!;
    }

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
                    r.Replacement.KeyVersion, r.Replacement.Ciphertext, Id(r.Owner), r.Previous);
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
