using Databunker.Core.Consent;

namespace Databunker.Core.Sqlite;

/// <summary>The consent ledger's role.</summary>
internal sealed partial class SqliteVaultStorage : IConsentStore
{
    private const string ConsentInsert =
        "INSERT INTO consent_events (owner, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id;";

    public Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            RequirePerson(connection, consent.Owner);

            var id = InsertConsent(connection, consent);
            AuditWriter(connection).Append(audit);
            return id;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                "SELECT id, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence FROM consent_events WHERE owner = ?1 ORDER BY id;")
            .Bind(1, owner).Query();
        var events = new List<StoredConsentEvent>();
        while (rows.Next())
        {
            events.Add(new StoredConsentEvent(rows.Int64(0), new NewConsentEvent(
                owner, rows.Text(1), (ConsentDecision)rows.Int64(2), (ConsentMethod)rows.Int64(3), rows.IsNull(4) ? null : rows.Text(4), rows.Text(5), (int)rows.Int64(6),
                rows.Bytes(7), rows.Int64(8), rows.IsNull(9) ? null : rows.Int64(9), rows.BytesOrNull(10))));
        }

        return (IReadOnlyList<StoredConsentEvent>)events;
    }, cancellationToken);

    public Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var due = new List<NewConsentEvent>();
            using (var rows = SqliteStatement.For(connection,
                           "SELECT e.owner, e.activity, e.notice, e.notice_version, e.notice_hash FROM consent_events e " +
                           "WHERE e.decision = 1 AND e.expires_at IS NOT NULL AND e.expires_at <= ?1 " +
                           "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.id > e.id) LIMIT ?2;")
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
                AuditWriter(connection).AppendAll([.. due.Select(e => audit with { Subject = e.Owner })]);
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
                           "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.id > e.id) LIMIT ?3;")
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
                AuditWriter(connection).AppendAll([.. due.Select(e => audit with { Subject = e.Owner })]);
            }

            return due.Count;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> ListLatestConsentsAsync(string activity, ConsentDecision decision, long afterId, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                "SELECT e.id, e.owner, e.decision, e.method, e.source, e.notice, e.notice_version, e.notice_hash, e.at, e.expires_at, e.evidence FROM consent_events e " +
                "WHERE e.activity = ?1 AND e.decision = ?2 AND e.id > ?3 " +
                "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.id > e.id) ORDER BY e.id LIMIT ?4;")
            .Bind(1, activity).Bind(2, (long)decision).Bind(3, afterId).Bind(4, (long)limit).Query();
        var events = new List<StoredConsentEvent>();
        while (rows.Next())
        {
            events.Add(new StoredConsentEvent(rows.Int64(0), new NewConsentEvent(
                rows.Guid(1), activity, (ConsentDecision)rows.Int64(2), (ConsentMethod)rows.Int64(3), rows.IsNull(4) ? null : rows.Text(4), rows.Text(5), (int)rows.Int64(6),
                rows.Bytes(7), rows.Int64(8), rows.IsNull(9) ? null : rows.Int64(9), rows.BytesOrNull(10))));
        }

        return (IReadOnlyList<StoredConsentEvent>)events;
    }, cancellationToken);

    public Task<long> AddPendingConsentAsync(PendingConsentEvent pending, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var e = pending.Event;
            using var inserted = SqliteStatement.For(connection,
                    "INSERT INTO pending_consents (index_hash, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence) " +
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id;")
                .Bind(1, pending.IndexHash).Bind(2, e.Activity).Bind(3, (long)e.Decision).Bind(4, (long)e.Method).Bind(5, e.Source).Bind(6, e.Notice)
                .Bind(7, (long)e.NoticeVersion).Bind(8, e.NoticeHash).Bind(9, e.At).Bind(10, e.ExpiresAt).Bind(11, e.Evidence)
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
                "SELECT p.id, i.token, p.index_hash, p.activity, p.decision, p.method, p.source, p.notice, p.notice_version, p.notice_hash, p.at, p.expires_at, p.evidence " +
                "FROM pending_consents p JOIN user_indexes i ON i.hash = p.index_hash WHERE (?1 IS NULL OR i.token = ?1) ORDER BY p.id LIMIT ?2;")
            .Bind(1, owner is { } o ? Id(o) : null).Bind(2, (long)limit).Query();
        var pending = new List<StoredPendingConsent>();
        while (rows.Next())
        {
            pending.Add(new StoredPendingConsent(rows.Int64(0), rows.Guid(1), new PendingConsentEvent(rows.Bytes(2), new NewConsentEvent(
                Guid.Empty, rows.Text(3), (ConsentDecision)rows.Int64(4), (ConsentMethod)rows.Int64(5), rows.IsNull(6) ? null : rows.Text(6), rows.Text(7), (int)rows.Int64(8),
                rows.Bytes(9), rows.Int64(10), rows.IsNull(11) ? null : rows.Int64(11), rows.BytesOrNull(12)))));
        }

        return (IReadOnlyList<StoredPendingConsent>)pending;
    }, cancellationToken);

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
                AuditWriter(connection).AppendAll([.. events.Select(e => audit with { Subject = e.Owner })]);
            }

            return true;
        }, cancellationToken);

    public Task<int> DeletePendingConsentsAsync(long before, int limit, CancellationToken cancellationToken) =>
        Write((connection, _) => SqliteStatement.For(connection,
                "DELETE FROM pending_consents WHERE id IN (SELECT id FROM pending_consents WHERE at <= ?1 LIMIT ?2);")
            .Bind(1, before).Bind(2, (long)limit).Execute(), cancellationToken);

    Task IConsentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute(
            keepHistory ? "UPDATE consent_events SET evidence = NULL WHERE owner = ?1;" : "DELETE FROM consent_events WHERE owner = ?1;", Id(owner)), cancellationToken);

    private static long InsertConsent(Microsoft.Data.Sqlite.SqliteConnection connection, NewConsentEvent consent)
    {
        using var inserted = SqliteStatement.For(connection, ConsentInsert)
            .Bind(1, consent.Owner).Bind(2, consent.Activity).Bind(3, (long)consent.Decision).Bind(4, (long)consent.Method).Bind(5, consent.Source)
            .Bind(6, consent.Notice).Bind(7, (long)consent.NoticeVersion).Bind(8, consent.NoticeHash).Bind(9, consent.At).Bind(10, consent.ExpiresAt).Bind(11, consent.Evidence)
            .Query();
        inserted.Next();
        return inserted.Int64(0);
    }
}
