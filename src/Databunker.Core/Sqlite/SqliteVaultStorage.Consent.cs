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
