using Dapper;

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
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<AuditRow>(
            $"SELECT {AuditColumns} FROM audit_events WHERE subject = @subject AND id > @afterId ORDER BY id LIMIT @limit;",
            new { subject = Id(subject), afterId, limit, cancellationToken }).ConfigureAwait(false)).Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<AuditRow>(
            $"SELECT {AuditColumns} FROM audit_events WHERE subject = @subject ORDER BY id;", new { subject = Id(subject), cancellationToken }).ConfigureAwait(false))
            .Select(r => r.ToRecord()).ToList();
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
                var last = await connection.QuerySingleOrDefaultAsync<ChainRow>(
                    "SELECT seq, link FROM audit_events WHERE stripe = @Stripe AND seq < COALESCE((SELECT seq FROM audit_events WHERE stripe = @Stripe AND at >= @before ORDER BY seq LIMIT 1), " +
                    "(SELECT MAX(seq) FROM audit_events WHERE stripe = @Stripe)) ORDER BY seq DESC LIMIT 1;",
                    new { before, stripe.Stripe, cancellationToken }, transaction).ConfigureAwait(false);
                if (last is null)
                {
                    return 0;
                }

                var deleted = await ExecuteAsync(connection, transaction, "DELETE FROM audit_events WHERE stripe = $2 AND seq <= $1;", cancellationToken, last.Seq, stripe.Stripe).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction,
                    "UPDATE audit_chain SET first_prev = CASE WHEN $1 > first_seq THEN COALESCE($2::bytea, first_prev) ELSE first_prev END, " +
                    "first_seq = GREATEST(first_seq, $1) WHERE id = $3;",
                    cancellationToken, last.Seq + 1, last.Link, stripe.Stripe).ConfigureAwait(false);
                return deleted;
            }, cancellationToken).ConfigureAwait(false);
        }

        return purged;
    }

    /// <summary>
    /// Every stripe (its head is its newest chained event) and the counts in one statement, so one snapshot. Events from
    /// before the chain can only be in stripe 1 (the one chain that stripes began from): an unlinked row in any other
    /// stripe is counted as outside the chain, so verification reports it as inserted.
    /// </summary>
    public async Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var stripes = (await connection.QueryAsync<StripeRow>(
            "SELECT c.id AS stripe, c.first_seq, c.first_prev, COALESCE(h.seq, c.first_seq - 1) AS head_seq, COALESCE(h.link, c.first_prev) AS head_link, n.events, n.legacy " +
            "FROM audit_chain c LEFT JOIN LATERAL (SELECT seq, link FROM audit_events WHERE stripe = c.id AND seq >= c.first_seq ORDER BY seq DESC LIMIT 1) h ON true CROSS JOIN " +
            "(SELECT (SELECT COUNT(*) FROM audit_events) AS events, (SELECT COUNT(*) FROM audit_events e " +
            "WHERE e.stripe = 1 AND e.link IS NULL AND e.seq < (SELECT first_seq FROM audit_chain WHERE id = 1)) AS legacy) n ORDER BY c.id;").ConfigureAwait(false)).ToList();
        var counts = stripes.LastOrDefault();
        return new StoredAuditChain(
            [.. stripes.Select(s => new StoredAuditStripe(s.Stripe, s.FirstSeq, s.FirstPrev, s.HeadSeq, s.HeadLink))], counts?.Events ?? 0, counts?.Legacy ?? 0);
    }

    public async Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(int stripe, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<AuditRow>(
            $"SELECT {AuditColumns}, seq, link FROM audit_events WHERE stripe = @stripe AND seq > @afterSequence ORDER BY seq LIMIT @limit;",
            new { afterSequence, limit, stripe, cancellationToken }).ConfigureAwait(false)).Select(r => r.ToChained()).ToList();
    }

    /// <summary>The columns of an <see cref="AuditRow"/>.</summary>
    private const string AuditColumns = "id, at, actor, operation, subject AS person, outcome, details";

    internal sealed record StripeRow(int Stripe, long FirstSeq, byte[] FirstPrev, long HeadSeq, byte[] HeadLink, long Events, long Legacy);
}
