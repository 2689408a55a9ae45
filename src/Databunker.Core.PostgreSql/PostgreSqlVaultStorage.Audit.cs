namespace Databunker.Core.PostgreSql;

/// <summary>The audit role: the chained audit trail.</summary>
internal sealed partial class PostgreSqlVaultStorage : IAuditStore
{
    public Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken) => AppendAuditAsync([audit], cancellationToken);

    /// <summary>One statement, one round trip: the events go onto one stripe, whose head moves once.</summary>
    public Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken) => audit.Count == 0
        ? Task.CompletedTask
        : AuditedBatchAsync((batch, chain) => chain.AddAll(batch, audit), (_, _) => Task.FromResult(true), null, cancellationToken);

    public async Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid subject, long afterId, int limit, CancellationToken cancellationToken)
    {
        // Ids are given as events are inserted: two events of one person committed at once by two writers may commit in
        // the other order, so a page read between the two commits could pass over the first; a person's events are rarely that close.
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
            $"SELECT {AuditColumns} FROM audit_events WHERE subject = $1 ORDER BY id;", Id(subject));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ReadAudit(reader));
        }

        return events;
    }

    /// <summary>
    /// Stripe by stripe, each in a transaction of its own: only a prefix of the stripe goes, so that what stays is one
    /// unbroken chain from its new start; the first event to keep is found by reading from the oldest end in sequence
    /// order (there is no time index). The stripe's newest event always stays: it is the stripe's head, which a writer
    /// that saw an older head must run into (see <see cref="PostgreSqlAuditChainWriter"/>). Appends go on meanwhile.
    /// </summary>
    public async Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var stripe in (await GetAuditChainAsync(cancellationToken).ConfigureAwait(false)).Stripes)
        {
            purged += await WriteAsync(async (connection, transaction) =>
            {
                await using var select = Command(connection, transaction,
                    "SELECT seq, link FROM audit_events WHERE stripe = $2 AND seq < COALESCE((SELECT seq FROM audit_events WHERE stripe = $2 AND at >= $1 ORDER BY seq LIMIT 1), " +
                    "(SELECT MAX(seq) FROM audit_events WHERE stripe = $2)) ORDER BY seq DESC LIMIT 1;", before, stripe.Stripe);
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

                var deleted = await ExecuteAsync(connection, transaction, "DELETE FROM audit_events WHERE stripe = $2 AND seq <= $1;", cancellationToken, last, stripe.Stripe).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction,
                    "UPDATE audit_chain SET first_prev = CASE WHEN $1 > first_seq THEN COALESCE($2::bytea, first_prev) ELSE first_prev END, " +
                    "first_seq = GREATEST(first_seq, $1) WHERE id = $3;",
                    cancellationToken, last + 1, link, stripe.Stripe).ConfigureAwait(false);
                return deleted;
            }, cancellationToken).ConfigureAwait(false);
        }

        return purged;
    }

    /// <summary>Every stripe (its head is its newest chained event) and the counts in one statement, so one snapshot.</summary>
    public async Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT c.id, c.first_seq, c.first_prev, COALESCE(h.seq, c.first_seq - 1), COALESCE(h.link, c.first_prev), n.events, n.legacy FROM audit_chain c " +
            "LEFT JOIN LATERAL (SELECT seq, link FROM audit_events WHERE stripe = c.id AND seq >= c.first_seq ORDER BY seq DESC LIMIT 1) h ON true CROSS JOIN " +
            "(SELECT (SELECT COUNT(*) FROM audit_events) AS events, (SELECT COUNT(*) FROM audit_events e JOIN audit_chain s ON s.id = e.stripe " +
            "WHERE e.link IS NULL AND e.seq < s.first_seq) AS legacy) n ORDER BY c.id;");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var stripes = new List<StoredAuditStripe>();
        long events = 0, legacy = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            stripes.Add(new StoredAuditStripe(reader.GetInt32(0), reader.GetInt64(1), (byte[])reader.GetValue(2), reader.GetInt64(3), (byte[])reader.GetValue(4)));
            (events, legacy) = (reader.GetInt64(5), reader.GetInt64(6));
        }

        return new StoredAuditChain(stripes, events, legacy);
    }

    public async Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(int stripe, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {AuditColumns}, seq, link FROM audit_events WHERE stripe = $3 AND seq > $1 ORDER BY seq LIMIT $2;", afterSequence, limit, stripe);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<ChainedAuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new ChainedAuditRecord(reader.GetInt64(7), reader.IsDBNull(8) ? null : (byte[])reader.GetValue(8), ReadAudit(reader)));
        }

        return events;
    }
}
