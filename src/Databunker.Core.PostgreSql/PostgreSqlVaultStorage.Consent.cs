using Databunker.Core.Consent;

namespace Databunker.Core.PostgreSql;

/// <summary>The consent ledger's role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IConsentStore
{
    private const string ConsentInsert =
        "INSERT INTO consent_events (owner, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id;";

    /// <summary>The owner is locked FOR SHARE, so that a concurrent forget waits and then deletes the new event too.</summary>
    public Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await LockPersonAsync(connection, transaction, Id(consent.Owner), cancellationToken).ConfigureAwait(false);

            var id = await InsertConsentAsync(connection, transaction, consent, cancellationToken).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return id;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT id, activity, decision, method, source, notice, notice_version, notice_hash, at, expires_at, evidence FROM consent_events WHERE owner = $1 ORDER BY id;", Id(owner));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<StoredConsentEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new StoredConsentEvent(reader.GetInt64(0), new NewConsentEvent(
                owner, reader.GetString(1), (ConsentDecision)reader.GetInt32(2), (ConsentMethod)reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5), reader.GetInt32(6), (byte[])reader.GetValue(7), reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetInt64(9),
                reader.IsDBNull(10) ? null : (byte[])reader.GetValue(10))));
        }

        return events;
    }

    /// <summary>Under the audit chain's lock, as every audited write: two passes at once take turns, and the second finds the grants closed.</summary>
    public Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var due = new List<NewConsentEvent>();
            await using (var select = Command(connection, transaction,
                             "SELECT e.owner, e.activity, e.notice, e.notice_version, e.notice_hash FROM consent_events e " +
                             "WHERE e.decision = 1 AND e.expires_at IS NOT NULL AND e.expires_at <= $1 " +
                             "AND NOT EXISTS (SELECT 1 FROM consent_events l WHERE l.owner = e.owner AND l.activity = e.activity AND l.id > e.id) LIMIT $2;",
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

            foreach (var expired in due)
            {
                await InsertConsentAsync(connection, transaction, expired, cancellationToken).ConfigureAwait(false);
                await chain.AppendAsync(audit with { Subject = expired.Owner }, cancellationToken).ConfigureAwait(false);
            }

            return due.Count;
        }, cancellationToken);

    Task IConsentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add(
            keepHistory ? "UPDATE consent_events SET evidence = NULL WHERE owner = $1;" : "DELETE FROM consent_events WHERE owner = $1;", Id(owner));

    private static async Task<long> InsertConsentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewConsentEvent consent, CancellationToken cancellationToken) =>
        (long)(await ScalarAsync(connection, transaction, ConsentInsert, cancellationToken,
            Id(consent.Owner), consent.Activity, (int)consent.Decision, (int)consent.Method, consent.Source, consent.Notice, consent.NoticeVersion, consent.NoticeHash,
            consent.At, consent.ExpiresAt, consent.Evidence).ConfigureAwait(false))!;
}
