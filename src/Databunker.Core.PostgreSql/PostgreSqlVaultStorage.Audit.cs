namespace Databunker.Core.PostgreSql;

/// <summary>The audit role: the chained audit trail.</summary>
internal sealed partial class PostgreSqlVaultStorage : IAuditStore
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

    public async Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid subject, long afterId, int limit, CancellationToken cancellationToken)
    {
        // Ids follow the chain's order: both are given under the chain head's lock.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {AuditColumns} FROM audit_events WHERE subject = $1 AND id > $2 ORDER BY id LIMIT $3;", Id(subject), afterId, limit);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ReadAudit(reader));
        }

        return events;
    }

    public async Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {AuditColumns} FROM audit_events WHERE subject = $1 ORDER BY seq;", Id(subject));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ReadAudit(reader));
        }

        return events;
    }

    /// <summary>
    /// Only a prefix of the chain goes, so that what stays is one unbroken chain from its new start; the first event
    /// to keep is found by reading from the oldest end in sequence order (there is no time index).
    /// </summary>
    public Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, _) =>
        {
            await using var select = Command(connection, transaction,
                "SELECT seq, link FROM audit_events WHERE seq < COALESCE((SELECT seq FROM audit_events WHERE at >= $1 ORDER BY seq LIMIT 1), " +
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
}
