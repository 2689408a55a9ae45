using Databunker.Core.Consent;

namespace Databunker.Core.PostgreSql;

/// <summary>The consent ledger's role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IConsentStore
{
    private const string ConsentInsert =
        "WITH head AS (INSERT INTO consent_heads (owner, seq, mac) VALUES ($1, $12, $14) ON CONFLICT (owner) DO UPDATE SET seq = EXCLUDED.seq, mac = EXCLUDED.mac) " +
        "INSERT INTO consent_events (owner, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence, seq, link) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id;";

    /// <summary>The head of a decision's owner's ledger, read with <see cref="HeadJoin"/>.</summary>
    private const string HeadColumns = "h.seq, h.mac";

    private const string HeadJoin = "LEFT JOIN consent_heads h ON h.owner = e.owner";

    /// <summary>The sequence number and link of a decision's owner's last decision, read with <see cref="TailJoin"/>.</summary>
    private const string TailColumns = "t.seq, t.link";

    private const string TailJoin = "LEFT JOIN consent_events t ON t.owner = e.owner AND t.seq = (SELECT MAX(m.seq) FROM consent_events m WHERE m.owner = e.owner)";

    private const string HeadUpsert =
        "INSERT INTO consent_heads (owner, seq, mac) VALUES ($1, $2, $3) ON CONFLICT (owner) DO UPDATE SET seq = EXCLUDED.seq, mac = EXCLUDED.mac;";

    /// <summary>The columns of a pending decision that <see cref="ReadPendingAsync"/> reads after its id and owner.</summary>
    private const string PendingColumns = "p.index_hash, p.activity, p.decision, p.method, p.source, p.notice, p.notice_version, p.notice_hash, p.at, p.expires_at, p.evidence, p.link";

    /// <summary>The columns <see cref="ReadConsentsAsync"/> reads, in its order.</summary>
    private const string ConsentColumns = "e.id, e.owner, e.activity, e.decision, e.method, e.source, e.notice, e.notice_version, e.notice_hash, e.at, e.expires_at, e.evidence, e.seq, e.link";

    /// <summary>The owner is locked FOR SHARE, so that a concurrent forget waits and then deletes the new event too.</summary>
    public Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await LockPersonAsync(connection, transaction, Id(consent.Person), cancellationToken).ConfigureAwait(false);

            var id = await InsertConsentAsync(connection, transaction, consent, cancellationToken).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return id;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null, $"SELECT {ConsentColumns}, {HeadColumns} FROM consent_events e {HeadJoin} WHERE e.owner = $1 ORDER BY e.seq;", Id(owner));
        return await ReadConsentsAsync(select, withPrevious: false, cancellationToken, withHead: true).ConfigureAwait(false);
    }

    public async Task<StoredConsentHead?> GetConsentHeadAsync(Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null, "SELECT owner, seq, mac FROM consent_heads WHERE owner = $1;", Id(owner));
        return (await ReadHeadsAsync(select, cancellationToken).ConfigureAwait(false)) is [var head] ? head : null;
    }

    public async Task<IReadOnlyList<StoredConsentHead>> GetConsentHeadsWithoutDecisionsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT h.owner, h.seq, h.mac FROM consent_heads h WHERE NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.owner = h.owner) ORDER BY h.owner LIMIT $1;", limit);
        return await ReadHeadsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<StoredConsentHead>> ReadHeadsAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var heads = new List<StoredConsentHead>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            heads.Add(new StoredConsentHead(new Guid((byte[])reader.GetValue(0)), reader.GetInt64(1), (byte[])reader.GetValue(2)));
        }

        return heads;
    }

    public async Task<IReadOnlyList<StoredConsentEvent>> GetConsentChainPageAsync(Guid? afterOwner, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {ConsentColumns}, {HeadColumns} FROM consent_events e {HeadJoin} WHERE $1::bytea IS NULL OR (e.owner, e.seq) > ($1::bytea, $2) ORDER BY e.owner, e.seq LIMIT $3;",
            afterOwner is { } o ? Id(o) : null, afterSequence, limit);
        return await ReadConsentsAsync(select, withPrevious: false, cancellationToken, withHead: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs only in the instance whose <see cref="InitializeAsync"/> applied the chain's migration, once (again after a
    /// failure), in one audited transaction; then releases the advisory lock that other instances' starts wait for.
    /// Every decision and pending decision without a link then is from before the chain: this process appends none
    /// before it has linked them (the vault opener calls this before its first operation), and no other starts.
    /// </summary>
    public async Task<int> LinkLegacyConsentEventsAsync(AuditRecord audit, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _legacyToLink) is null)
        {
            return 0;
        }

        await _linking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _legacyToLink) is not { } held)
            {
                return 0;
            }

            var linked = await LinkAllAsync(audit, Volatile.Read(ref _chainToLink), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _chainToLink, false);
            Volatile.Write(ref _legacyToLink, null);
            try
            {
                await ExecuteAsync(held, null, $"SELECT pg_advisory_unlock({PostgreSqlMigrator.ConsentLinkLock});", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
            {
                // The decisions are linked; the connection is closed, not pooled, which ends its session and so releases the lock.
                _dataSource.Clear();
            }
            finally
            {
                await held.DisposeAsync().ConfigureAwait(false);
            }

            return linked;
        }
        finally
        {
            _linking.Release();
        }
    }

    private Task<int> LinkAllAsync(AuditRecord audit, bool link, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (!link)
            {
                await WriteHeadsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await chain.AppendAsync(audit with { Operation = AuditOperations.ConsentHeads }, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            IReadOnlyList<StoredConsentEvent> legacy;
            await using (var select = Command(connection, transaction, $"SELECT {ConsentColumns} FROM consent_events e WHERE e.link IS NULL ORDER BY e.owner, e.seq;"))
            {
                legacy = await ReadConsentsAsync(select, withPrevious: false, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (id, link) in ConsentLinks.OfLegacy(ConsentChain, legacy))
            {
                await ExecuteAsync(connection, transaction, "UPDATE consent_events SET link = $1 WHERE id = $2 AND link IS NULL;", cancellationToken, link, id).ConfigureAwait(false);
            }

            List<StoredPendingConsent> pending;
            await using (var select = Command(connection, transaction, $"SELECT p.id, NULL::bytea, {PendingColumns} FROM pending_consents p WHERE p.link IS NULL ORDER BY p.id;"))
            {
                pending = await ReadPendingAsync(select, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (id, link) in ConsentLinks.OfLegacyPending(ConsentChain, pending))
            {
                await ExecuteAsync(connection, transaction, "UPDATE pending_consents SET link = $1 WHERE id = $2 AND link IS NULL;", cancellationToken, link, id).ConfigureAwait(false);
            }

            // Progress only: no start reads it.
            await ExecuteAsync(connection, transaction, "UPDATE consent_chain SET legacy_through = 0, pending_through = 0 WHERE id = 1;", cancellationToken).ConfigureAwait(false);
            await WriteHeadsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return legacy.Count + pending.Count;
        }, cancellationToken);

    /// <summary>Writes the head of every ledger whose last decision is linked, as the ledgers stand (once, in the start whose migration added the heads).</summary>
    private async Task WriteHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var last = new List<(Guid Person, long Sequence, byte[]? Link)>();
        await using (var select = Command(connection, transaction,
                         "SELECT e.owner, e.seq, e.link FROM consent_events e WHERE e.seq = (SELECT MAX(m.seq) FROM consent_events m WHERE m.owner = e.owner) ORDER BY e.owner;"))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                last.Add((new Guid((byte[])reader.GetValue(0)), reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2)));
            }
        }

        foreach (var (owner, sequence, mac) in ConsentLinks.OfHeads(ConsentChain, last))
        {
            await ExecuteAsync(connection, transaction, HeadUpsert, cancellationToken, Id(owner), sequence, mac).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Passes take turns on a transaction-scoped advisory lock (no row is locked by every audited write any longer): the
    /// second finds the grants closed by the first, because its look-up runs after the lock, with a fresh snapshot.
    /// </summary>
    public Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('databunker.consent.expire'), hashtext(current_schema()));", cancellationToken).ConfigureAwait(false);
            var due = new List<NewConsentEvent>();
            await using (var select = Command(connection, transaction,
                             "SELECT e.owner, e.activity, e.notice, e.notice_version, e.notice_hash FROM consent_events e " +
                             "WHERE e.decision = 1 AND e.expires_at IS NOT NULL AND e.expires_at <= $1 " +
                             "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) LIMIT $2;",
                             now, limit))
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    due.Add(new NewConsentEvent(
                        new Guid((byte[])reader.GetValue(0)), reader.GetString(1), ConsentDecision.Expired, ConsentMethod.System, null, reader.GetString(2), reader.GetInt32(3),
                        (byte[])reader.GetValue(4), now, null, null));
                }
            }

            var closed = 0;
            foreach (var expired in due)
            {
                // A person forgotten since the look-up is passed over: no decision may outlive their erasure.
                if (!await HoldPersonAsync(connection, transaction, expired.Person, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                await InsertConsentAsync(connection, transaction, expired, cancellationToken).ConfigureAwait(false);
                await chain.AppendAsync(audit with { Person = expired.Person }, cancellationToken).ConfigureAwait(false);
                closed++;
            }

            return closed;
        }, cancellationToken);

    /// <summary>Under a transaction-scoped advisory lock per activity: two passes at once take turns, and the second finds the grants marked.</summary>
    public Task<int> MarkReconsentRequiredAsync(string activity, int currentVersion, long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('databunker.consent.reconsent'), hashtext(current_schema() || '/' || $1));", cancellationToken, activity).ConfigureAwait(false);
            var due = new List<NewConsentEvent>();
            await using (var select = Command(connection, transaction,
                             "SELECT e.owner, e.notice, e.notice_version, e.notice_hash FROM consent_events e " +
                             "WHERE e.activity = $1 AND e.decision = 1 AND e.notice_version < $2 " +
                             "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) LIMIT $3;",
                             activity, currentVersion, limit))
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    due.Add(new NewConsentEvent(
                        new Guid((byte[])reader.GetValue(0)), activity, ConsentDecision.ReconsentRequired, ConsentMethod.System, null, reader.GetString(1), reader.GetInt32(2),
                        (byte[])reader.GetValue(3), now, null, null));
                }
            }

            var count = 0;
            foreach (var marked in due)
            {
                if (!await HoldPersonAsync(connection, transaction, marked.Person, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                await InsertConsentAsync(connection, transaction, marked, cancellationToken).ConfigureAwait(false);
                await chain.AppendAsync(audit with { Person = marked.Person }, cancellationToken).ConfigureAwait(false);
                count++;
            }

            return count;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredConsentEvent>> ListLatestConsentsAsync(string activity, ConsentDecision decision, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT {ConsentColumns}, (SELECT p.link FROM consent_events p WHERE p.owner = e.owner AND p.seq = e.seq - 1), {HeadColumns}, {TailColumns} FROM consent_events e {HeadJoin} {TailJoin} " +
            "WHERE e.activity = $1 AND e.decision = $2 AND e.id > $3 " +
            "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) ORDER BY e.id LIMIT $4;",
            activity, (int)decision, afterId, limit);
        return await ReadConsentsAsync(select, withPrevious: true, cancellationToken, withHead: true, withTail: true).ConfigureAwait(false);
    }

    public Task<long> AddPendingConsentAsync(PendingConsentEvent pending, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var e = pending.Event;
            var id = (long)(await ScalarAsync(connection, transaction,
                "INSERT INTO pending_consents (index_hash, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence, link) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id;",
                cancellationToken,
                pending.IndexHash, e.Activity, (int)e.Decision, (int)e.Method, e.Source, e.Notice, e.NoticeVersion, e.NoticeHash, e.At, e.ExpiresAt, e.Evidence, pending.Link).ConfigureAwait(false))!;
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return id;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredPendingConsent>> GetAttachablePendingConsentsAsync(Guid? owner, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            $"SELECT p.id, i.token, {PendingColumns} FROM pending_consents p JOIN user_indexes i ON i.hash = p.index_hash WHERE ($1::bytea IS NULL OR i.token = $1) ORDER BY p.id LIMIT $2;",
            owner is { } o ? Id(o) : null, limit);
        return await ReadPendingAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows of a query over <c>p.id</c>, an owner (or NULL) and <see cref="PendingColumns"/>.</summary>
    private static async Task<List<StoredPendingConsent>> ReadPendingAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pending = new List<StoredPendingConsent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pending.Add(new StoredPendingConsent(reader.GetInt64(0), reader.IsDBNull(1) ? Guid.Empty : new Guid((byte[])reader.GetValue(1)), new PendingConsentEvent((byte[])reader.GetValue(2), new NewConsentEvent(
                Guid.Empty, reader.GetString(3), (ConsentDecision)reader.GetInt32(4), (ConsentMethod)reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7), reader.GetInt32(8), (byte[])reader.GetValue(9), reader.GetInt64(10), reader.IsDBNull(11) ? null : reader.GetInt64(11),
                reader.IsDBNull(12) ? null : (byte[])reader.GetValue(12)))
            {
                Link = reader.IsDBNull(13) ? null : (byte[])reader.GetValue(13),
            }));
        }

        return pending;
    }

    /// <summary>The pending rows are locked first: a concurrent attach waits, then finds them gone and writes nothing.</summary>
    public Task<bool> AttachPendingConsentsAsync(IReadOnlyList<long> pendingIds, IReadOnlyList<NewConsentEvent> events, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var ids = pendingIds.ToArray();
            var locked = (long)(await ScalarAsync(connection, transaction,
                "SELECT COUNT(*) FROM (SELECT id FROM pending_consents WHERE id = ANY($1) FOR UPDATE) l;", cancellationToken, ids).ConfigureAwait(false))!;
            if (locked != ids.Length)
            {
                return false;
            }

            // The owners are held FOR SHARE, as every write for a person is: a forget waits, then deletes what this adds.
            foreach (var owner in events.Select(e => e.Person).Distinct().Order())
            {
                if (!await HoldPersonAsync(connection, transaction, owner, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM pending_consents WHERE id = ANY($1);", cancellationToken, ids).ConfigureAwait(false);
            foreach (var consent in events)
            {
                await InsertConsentAsync(connection, transaction, consent, cancellationToken).ConfigureAwait(false);
                await chain.AppendAsync(audit with { Person = consent.Person }, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    public Task<int> DeletePendingConsentsAsync(long before, int limit, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction,
            "DELETE FROM pending_consents WHERE id IN (SELECT id FROM pending_consents WHERE at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED);", cancellationToken, before, limit), cancellationToken);

    async Task IConsentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken)
    {
        var transaction = PostgreSqlErasure.Of(erasure);
        if (keepHistory)
        {
            await transaction.Add("UPDATE consent_events SET evidence = NULL WHERE owner = $1;", Id(owner)).ConfigureAwait(false);
            return;
        }

        // The ledger's head goes with it.
        await transaction.Add("DELETE FROM consent_events WHERE owner = $1;", Id(owner)).ConfigureAwait(false);
        await transaction.Add("DELETE FROM consent_heads WHERE owner = $1;", Id(owner)).ConfigureAwait(false);
    }

    /// <summary>Holds a person's row FOR SHARE until the transaction ends; <see langword="false"/> when they are gone.</summary>
    private static async Task<bool> HoldPersonAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid owner, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT 1 FROM users WHERE token = $1 FOR SHARE;", cancellationToken, Id(owner)).ConfigureAwait(false) is not null;

    private IConsentChain ConsentChain =>
        _consentChain ?? throw new InvalidOperationException("This storage was built without a consent chain, so it cannot append consent decisions.");

    /// <summary>
    /// Appends a decision as its owner's next, linked onto their last. A lock on the owner (transaction-scoped, advisory)
    /// comes first in the same round trip, so that no other writer appends to their ledger meanwhile; the read after it
    /// runs with a fresh snapshot that holds every decision committed before the lock was granted.
    /// </summary>
    private async Task<long> InsertConsentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewConsentEvent consent, CancellationToken cancellationToken)
    {
        var chain = ConsentChain;
        var (sequence, previous) = (1L, new byte[chain.LinkSize]);
        await using (var last = new NpgsqlBatch(connection, transaction))
        {
            last.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtext('databunker.consent'), hashtext(encode($1, 'hex')));") { Parameters = { Parameter(Id(consent.Person)) } });
            last.BatchCommands.Add(new NpgsqlBatchCommand(
                "SELECT l.seq, l.link, h.seq, h.mac FROM (SELECT 1) one " +
                "LEFT JOIN LATERAL (SELECT e.seq, e.link FROM consent_events e WHERE e.owner = $1 ORDER BY e.seq DESC LIMIT 1) l ON true " +
                "LEFT JOIN consent_heads h ON h.owner = $1;") { Parameters = { Parameter(Id(consent.Person)) } });
            await using var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);

            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!reader.IsDBNull(0))
            {
                (sequence, previous) = (reader.GetInt64(0) + 1, reader.IsDBNull(1) ? throw ConsentLinks.Unlinked() : (byte[])reader.GetValue(1));
            }

            ConsentLinks.RequireHead(chain, consent.Person, sequence - 1, sequence == 1 ? null : previous, reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3));
        }

        // One statement appends the decision and moves its owner's head onto it.
        var link = chain.Link(previous, sequence, consent);
        return (long)(await ScalarAsync(connection, transaction, ConsentInsert, cancellationToken,
            Id(consent.Person), consent.Activity, (int)consent.Decision, (int)consent.Method, consent.Source, consent.Notice, consent.NoticeVersion, consent.NoticeHash,
            consent.At, consent.ExpiresAt, consent.Evidence, sequence, link, ConsentLinks.OfHead(chain, consent.Person, sequence, link)).ConfigureAwait(false))!;
    }

    /// <summary>The rows of a query over <see cref="ConsentColumns"/> (and, <paramref name="withPrevious"/>, the previous decision's link after them).</summary>
    private static async Task<IReadOnlyList<StoredConsentEvent>> ReadConsentsAsync(NpgsqlCommand select, bool withPrevious, CancellationToken cancellationToken, bool withHead = false, bool withTail = false)
    {
        var head = withPrevious ? 15 : 14;
        var tail = withHead ? head + 2 : head;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<StoredConsentEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new StoredConsentEvent(reader.GetInt64(0), new NewConsentEvent(
                new Guid((byte[])reader.GetValue(1)), reader.GetString(2), (ConsentDecision)reader.GetInt32(3), (ConsentMethod)reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6), reader.GetInt32(7), (byte[])reader.GetValue(8), reader.GetInt64(9), reader.IsDBNull(10) ? null : reader.GetInt64(10),
                reader.IsDBNull(11) ? null : (byte[])reader.GetValue(11)))
            {
                Sequence = reader.GetInt64(12),
                Link = reader.IsDBNull(13) ? null : (byte[])reader.GetValue(13),
                PreviousLink = withPrevious && !reader.IsDBNull(14) ? (byte[])reader.GetValue(14) : null,
                Head = withHead && !reader.IsDBNull(head) ? new StoredConsentHead(new Guid((byte[])reader.GetValue(1)), reader.GetInt64(head), (byte[])reader.GetValue(head + 1)) : null,
                LastSequence = withTail && !reader.IsDBNull(tail) ? reader.GetInt64(tail) : 0,
                LastLink = withTail && !reader.IsDBNull(tail + 1) ? (byte[])reader.GetValue(tail + 1) : null,
            });
        }

        return events;
    }
}
