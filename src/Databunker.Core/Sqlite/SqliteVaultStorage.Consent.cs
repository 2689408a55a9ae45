using Databunker.Core.Consent;

namespace Databunker.Core.Sqlite;

/// <summary>The consent ledger's role.</summary>
internal sealed partial class SqliteVaultStorage : IConsentStore
{
    private const string ConsentInsert =
        "INSERT INTO consent_events (owner, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence, seq, link) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id;";

    /// <summary>The head of a decision's owner's ledger, read with <see cref="HeadJoin"/>.</summary>
    private const string HeadColumns = "h.seq, h.mac";

    private const string HeadJoin = "LEFT JOIN consent_heads h ON h.owner = e.owner";

    /// <summary>The sequence number and link of a decision's owner's last decision, read with <see cref="TailJoin"/>.</summary>
    private const string TailColumns = "t.seq, t.link";

    private const string TailJoin = "LEFT JOIN consent_events t ON t.owner = e.owner AND t.seq = (SELECT MAX(m.seq) FROM consent_events m WHERE m.owner = e.owner)";

    private const string HeadUpsert =
        "INSERT INTO consent_heads (owner, seq, mac) VALUES (?1, ?2, ?3) ON CONFLICT (owner) DO UPDATE SET seq = excluded.seq, mac = excluded.mac;";

    /// <summary>The columns of a pending decision that <see cref="ReadPending"/> reads after its id and owner.</summary>
    private const string PendingColumns = "p.index_hash, p.activity, p.decision, p.method, p.source, p.notice, p.notice_version, p.notice_hash, p.at, p.expires_at, p.evidence, p.link";

    /// <summary>The columns <see cref="ReadConsents"/> reads, in its order.</summary>
    private const string ConsentColumns = "e.id, e.owner, e.activity, e.decision, e.method, e.source, e.notice, e.notice_version, e.notice_hash, e.at, e.expires_at, e.evidence, e.seq, e.link";

    public Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            RequirePerson(connection, consent.Person);

            var id = InsertConsent(connection, consent);
            AuditWriter(connection).Append(audit);
            return id;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, $"SELECT {ConsentColumns}, {HeadColumns} FROM consent_events e {HeadJoin} WHERE e.owner = ?1 ORDER BY e.seq;").Bind(1, owner).Query();
        return (IReadOnlyList<StoredConsentEvent>)ReadConsents(rows, withPrevious: false, withHead: true);
    }, cancellationToken);

    public Task<StoredConsentHead?> GetConsentHeadAsync(Guid owner, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, "SELECT owner, seq, mac FROM consent_heads WHERE owner = ?1;").Bind(1, owner).Query();
        return rows.Next() ? new StoredConsentHead(rows.Guid(0), rows.Int64(1), rows.Bytes(2)) : null;
    }, cancellationToken);

    public Task<IReadOnlyList<StoredConsentHead>> GetConsentHeadsWithoutDecisionsAsync(int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                "SELECT h.owner, h.seq, h.mac FROM consent_heads h WHERE NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.owner = h.owner) ORDER BY h.owner LIMIT ?1;")
            .Bind(1, (long)limit).Query();
        var heads = new List<StoredConsentHead>();
        while (rows.Next())
        {
            heads.Add(new StoredConsentHead(rows.Guid(0), rows.Int64(1), rows.Bytes(2)));
        }

        return (IReadOnlyList<StoredConsentHead>)heads;
    }, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> GetConsentChainPageAsync(Guid? afterOwner, long afterSequence, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                $"SELECT {ConsentColumns}, {HeadColumns} FROM consent_events e {HeadJoin} WHERE ?1 IS NULL OR (e.owner, e.seq) > (?1, ?2) ORDER BY e.owner, e.seq LIMIT ?3;")
            .Bind(1, afterOwner is { } o ? Id(o) : null).Bind(2, afterSequence).Bind(3, (long)limit).Query();
        return (IReadOnlyList<StoredConsentEvent>)ReadConsents(rows, withPrevious: false, withHead: true);
    }, cancellationToken);

    /// <summary>
    /// Runs only in the instance whose <see cref="InitializeAsync"/> applied the chain's migration, once (again after a
    /// failure): every decision and pending decision then in the database is from before the chain, and this process
    /// appends none before it has linked them (the vault opener calls this before its first operation).
    /// </summary>
    public async Task<int> LinkLegacyConsentEventsAsync(AuditRecord audit, CancellationToken cancellationToken)
    {
        var link = Interlocked.Exchange(ref _legacyToLink, 0) == 1;
        var heads = Interlocked.Exchange(ref _headsToWrite, 0) == 1;
        if (!link && !heads)
        {
            return 0;
        }

        try
        {
            return await Write((connection, _) =>
            {
                if (!link)
                {
                    WriteHeads(connection);
                    AuditWriter(connection).Append(audit with { Operation = AuditOperations.ConsentHeads });
                    return 0;
                }

                List<StoredConsentEvent> legacy;
                using (var rows = SqliteStatement.For(connection, $"SELECT {ConsentColumns} FROM consent_events e WHERE e.link IS NULL ORDER BY e.owner, e.seq;").Query())
                {
                    legacy = ReadConsents(rows, withPrevious: false);
                }

                foreach (var (id, link) in ConsentLinks.OfLegacy(ConsentChain, legacy))
                {
                    SqliteStatement.For(connection, "UPDATE consent_events SET link = ?1 WHERE id = ?2 AND link IS NULL;").Bind(1, link).Bind(2, id).Execute();
                }

                List<StoredPendingConsent> pending;
                using (var rows = SqliteStatement.For(connection, $"SELECT p.id, NULL, {PendingColumns} FROM pending_consents p WHERE p.link IS NULL ORDER BY p.id;").Query())
                {
                    pending = ReadPending(rows);
                }

                foreach (var (id, link) in ConsentLinks.OfLegacyPending(ConsentChain, pending))
                {
                    SqliteStatement.For(connection, "UPDATE pending_consents SET link = ?1 WHERE id = ?2 AND link IS NULL;").Bind(1, link).Bind(2, id).Execute();
                }

                // Progress only: no start reads it.
                SqliteStatement.For(connection, "UPDATE consent_chain SET legacy_through = 0, pending_through = 0 WHERE id = 1;").Execute();
                if (heads)
                {
                    WriteHeads(connection);
                }

                AuditWriter(connection).Append(audit);
                return legacy.Count + pending.Count;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _legacyToLink, link ? 1 : 0);
            Volatile.Write(ref _headsToWrite, heads ? 1 : 0);
            throw;
        }
    }

    /// <summary>Writes the head of every ledger whose last decision is linked, as the ledgers stand (once, in the start whose migration added the heads).</summary>
    private void WriteHeads(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        var last = new List<(Guid Person, long Sequence, byte[]? Link)>();
        using (var rows = SqliteStatement.For(connection,
                       "SELECT e.owner, e.seq, e.link FROM consent_events e WHERE e.seq = (SELECT MAX(m.seq) FROM consent_events m WHERE m.owner = e.owner) ORDER BY e.owner;").Query())
        {
            while (rows.Next())
            {
                last.Add((rows.Guid(0), rows.Int64(1), rows.BytesOrNull(2)));
            }
        }

        foreach (var (owner, sequence, mac) in ConsentLinks.OfHeads(ConsentChain, last))
        {
            SqliteStatement.For(connection, HeadUpsert).Bind(1, owner).Bind(2, sequence).Bind(3, mac).Execute();
        }
    }

    public Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var due = new List<NewConsentEvent>();
            using (var rows = SqliteStatement.For(connection,
                           "SELECT e.owner, e.activity, e.notice, e.notice_version, e.notice_hash FROM consent_events e " +
                           "WHERE e.decision = 1 AND e.expires_at IS NOT NULL AND e.expires_at <= ?1 " +
                           "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) LIMIT ?2;")
                       .Bind(1, now).Bind(2, (long)limit).Query())
            {
                while (rows.Next())
                {
                    due.Add(new NewConsentEvent(rows.Guid(0), rows.Text(1), ConsentDecision.Expired, ConsentMethod.System, null, rows.Text(2), (int)rows.Int64(3), rows.Bytes(4), now, null, null));
                }
            }

            foreach (var expired in due)
            {
                InsertConsent(connection, expired);
            }

            if (due.Count > 0)
            {
                AuditWriter(connection).AppendAll([.. due.Select(e => audit with { Person = e.Person })]);
            }

            return due.Count;
        }, cancellationToken);

    public Task<int> MarkReconsentRequiredAsync(string activity, int currentVersion, long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var due = new List<NewConsentEvent>();
            using (var rows = SqliteStatement.For(connection,
                           "SELECT e.owner, e.notice, e.notice_version, e.notice_hash FROM consent_events e " +
                           "WHERE e.activity = ?1 AND e.decision = 1 AND e.notice_version < ?2 " +
                           "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) LIMIT ?3;")
                       .Bind(1, activity).Bind(2, (long)currentVersion).Bind(3, (long)limit).Query())
            {
                while (rows.Next())
                {
                    due.Add(new NewConsentEvent(rows.Guid(0), activity, ConsentDecision.ReconsentRequired, ConsentMethod.System, null, rows.Text(1), (int)rows.Int64(2), rows.Bytes(3), now, null, null));
                }
            }

            foreach (var marked in due)
            {
                InsertConsent(connection, marked);
            }

            if (due.Count > 0)
            {
                AuditWriter(connection).AppendAll([.. due.Select(e => audit with { Person = e.Person })]);
            }

            return due.Count;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> ListLatestConsentsAsync(string activity, ConsentDecision decision, long afterId, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                $"SELECT {ConsentColumns}, (SELECT p.link FROM consent_events p WHERE p.owner = e.owner AND p.seq = e.seq - 1), {HeadColumns}, {TailColumns} FROM consent_events e {HeadJoin} {TailJoin} " +
                "WHERE e.activity = ?1 AND e.decision = ?2 AND e.id > ?3 " +
                "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.seq > e.seq) ORDER BY e.id LIMIT ?4;")
            .Bind(1, activity).Bind(2, (long)decision).Bind(3, afterId).Bind(4, (long)limit).Query();
        return (IReadOnlyList<StoredConsentEvent>)ReadConsents(rows, withPrevious: true, withHead: true, withTail: true);
    }, cancellationToken);

    public Task<long> AddPendingConsentAsync(PendingConsentEvent pending, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var e = pending.Event;
            using var inserted = SqliteStatement.For(connection,
                    "INSERT INTO pending_consents (index_hash, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence, link) " +
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id;")
                .Bind(1, pending.IndexHash).Bind(2, e.Activity).Bind(3, (long)e.Decision).Bind(4, (long)e.Method).Bind(5, e.Source).Bind(6, e.Notice)
                .Bind(7, (long)e.NoticeVersion).Bind(8, e.NoticeHash).Bind(9, e.At).Bind(10, e.ExpiresAt).Bind(11, e.Evidence).Bind(12, pending.Link)
                .Query();
            inserted.Next();
            var id = inserted.Int64(0);
            AuditWriter(connection).Append(audit);
            return id;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredPendingConsent>> GetAttachablePendingConsentsAsync(Guid? owner, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                $"SELECT p.id, i.token, {PendingColumns} FROM pending_consents p JOIN user_indexes i ON i.hash = p.index_hash WHERE (?1 IS NULL OR i.token = ?1) ORDER BY p.id LIMIT ?2;")
            .Bind(1, owner is { } o ? Id(o) : null).Bind(2, (long)limit).Query();
        return (IReadOnlyList<StoredPendingConsent>)ReadPending(rows);
    }, cancellationToken);

    /// <summary>The rows of a query over <c>p.id</c>, an owner (or NULL) and <see cref="PendingColumns"/>.</summary>
    private static List<StoredPendingConsent> ReadPending(SqliteStatement.Rows rows)
    {
        var pending = new List<StoredPendingConsent>();
        while (rows.Next())
        {
            pending.Add(new StoredPendingConsent(rows.Int64(0), rows.IsNull(1) ? Guid.Empty : rows.Guid(1), new PendingConsentEvent(rows.Bytes(2), new NewConsentEvent(
                Guid.Empty, rows.Text(3), (ConsentDecision)rows.Int64(4), (ConsentMethod)rows.Int64(5), rows.IsNull(6) ? null : rows.Text(6), rows.Text(7), (int)rows.Int64(8),
                rows.Bytes(9), rows.Int64(10), rows.IsNull(11) ? null : rows.Int64(11), rows.BytesOrNull(12)))
            {
                Link = rows.BytesOrNull(13),
            }));
        }

        return pending;
    }

    public Task<bool> AttachPendingConsentsAsync(IReadOnlyList<long> pendingIds, IReadOnlyList<NewConsentEvent> events, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            // The write transaction excludes every other writer: what is counted here is what is deleted.
            foreach (var id in pendingIds)
            {
                using var found = SqliteStatement.For(connection, "SELECT 1 FROM pending_consents WHERE id = ?1;").Bind(1, id).Query();
                if (!found.Next())
                {
                    return false;
                }
            }

            foreach (var id in pendingIds)
            {
                SqliteStatement.For(connection, "DELETE FROM pending_consents WHERE id = ?1;").Bind(1, id).Execute();
            }

            foreach (var consent in events)
            {
                InsertConsent(connection, consent);
            }

            if (events.Count > 0)
            {
                AuditWriter(connection).AppendAll([.. events.Select(e => audit with { Person = e.Person })]);
            }

            return true;
        }, cancellationToken);

    public Task<int> DeletePendingConsentsAsync(long before, int limit, CancellationToken cancellationToken) =>
        Write((connection, _) => SqliteStatement.For(connection,
                "DELETE FROM pending_consents WHERE id IN (SELECT id FROM pending_consents WHERE at <= ?1 LIMIT ?2);")
            .Bind(1, before).Bind(2, (long)limit).Execute(), cancellationToken);

    Task IConsentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken) =>
        Run(() =>
        {
            var transaction = SqliteErasure.Of(erasure);
            if (keepHistory)
            {
                return transaction.Execute("UPDATE consent_events SET evidence = NULL WHERE owner = ?1;", Id(owner));
            }

            // The ledger's head goes with it.
            return transaction.Execute("DELETE FROM consent_events WHERE owner = ?1;", Id(owner)) + transaction.Execute("DELETE FROM consent_heads WHERE owner = ?1;", Id(owner));
        }, cancellationToken);

    private IConsentChain ConsentChain =>
        _consentChain ?? throw new InvalidOperationException("This storage was built without a consent chain, so it cannot append consent decisions.");

    /// <summary>Appends a decision as its owner's next, linked onto their last (read inside the write transaction, which excludes every other writer).</summary>
    private long InsertConsent(Microsoft.Data.Sqlite.SqliteConnection connection, NewConsentEvent consent)
    {
        var chain = ConsentChain;
        var (sequence, previous) = (1L, new byte[chain.LinkSize]);
        using (var last = SqliteStatement.For(connection,
                       "SELECT (SELECT e.seq FROM consent_events e WHERE e.owner = ?1 ORDER BY e.seq DESC LIMIT 1), (SELECT e.link FROM consent_events e WHERE e.owner = ?1 ORDER BY e.seq DESC LIMIT 1), " +
                       "(SELECT h.seq FROM consent_heads h WHERE h.owner = ?1), (SELECT h.mac FROM consent_heads h WHERE h.owner = ?1);")
                   .Bind(1, consent.Person).Query())
        {
            last.Next();
            if (!last.IsNull(0))
            {
                (sequence, previous) = (last.Int64(0) + 1, last.BytesOrNull(1) ?? throw ConsentLinks.Unlinked());
            }

            ConsentLinks.RequireHead(chain, consent.Person, sequence - 1, sequence == 1 ? null : previous, last.IsNull(2) ? null : last.Int64(2), last.BytesOrNull(3));
        }

        var link = chain.Link(previous, sequence, consent);
        long id;
        using (var inserted = SqliteStatement.For(connection, ConsentInsert)
                   .Bind(1, consent.Person).Bind(2, consent.Activity).Bind(3, (long)consent.Decision).Bind(4, (long)consent.Method).Bind(5, consent.Source)
                   .Bind(6, consent.Notice).Bind(7, (long)consent.NoticeVersion).Bind(8, consent.NoticeHash).Bind(9, consent.At).Bind(10, consent.ExpiresAt).Bind(11, consent.Evidence)
                   .Bind(12, sequence).Bind(13, link)
                   .Query())
        {
            inserted.Next();
            id = inserted.Int64(0);
        }

        // The head moves with the decision, in the same transaction.
        SqliteStatement.For(connection, HeadUpsert).Bind(1, consent.Person).Bind(2, sequence).Bind(3, ConsentLinks.OfHead(chain, consent.Person, sequence, link)).Execute();
        return id;
    }

    /// <summary>
    /// The rows of a query over <see cref="ConsentColumns"/> and then, as asked, the previous decision's link,
    /// <see cref="HeadColumns"/> and <see cref="TailColumns"/>.
    /// </summary>
    private static List<StoredConsentEvent> ReadConsents(SqliteStatement.Rows rows, bool withPrevious, bool withHead = false, bool withTail = false)
    {
        var events = new List<StoredConsentEvent>();
        var head = withPrevious ? 15 : 14;
        var tail = withHead ? head + 2 : head;
        while (rows.Next())
        {
            events.Add(new StoredConsentEvent(rows.Int64(0), new NewConsentEvent(
                rows.Guid(1), rows.Text(2), (ConsentDecision)rows.Int64(3), (ConsentMethod)rows.Int64(4), rows.IsNull(5) ? null : rows.Text(5), rows.Text(6), (int)rows.Int64(7),
                rows.Bytes(8), rows.Int64(9), rows.IsNull(10) ? null : rows.Int64(10), rows.BytesOrNull(11)))
            {
                Sequence = rows.Int64(12),
                Link = rows.BytesOrNull(13),
                PreviousLink = withPrevious ? rows.BytesOrNull(14) : null,
                Head = withHead && !rows.IsNull(head) ? new StoredConsentHead(rows.Guid(1), rows.Int64(head), rows.BytesOrNull(head + 1) ?? []) : null,
                LastSequence = withTail && !rows.IsNull(tail) ? rows.Int64(tail) : 0,
                LastLink = withTail ? rows.BytesOrNull(tail + 1) : null,
            });
        }

        return events;
    }
}
