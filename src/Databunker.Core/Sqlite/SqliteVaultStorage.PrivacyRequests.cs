using Dapper;
using Databunker.Core.Requests;

namespace Databunker.Core.Sqlite;

/// <summary>The data-subject requests' role.</summary>
internal sealed partial class SqliteVaultStorage : IPrivacyRequestStore
{
    public Task AddPrivacyRequestAsync(PrivacyRequestRow request, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            RequirePerson(connection, request.Person);

            BindRequest(SqliteStatement.For(connection,
                $"INSERT INTO privacy_requests ({PrivacyRequestRecord.Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25);"),
                request with { Version = 1 }).Execute();
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<PrivacyRequestRow?> GetPrivacyRequestAsync(Guid id, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.QuerySingleOrDefault<PrivacyRequestRecord>($"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE id = @id;", new { id = Id(id) })?.ToRow();
    }, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsOfAsync(Guid owner, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return PrivacyRequestRecord.ToRows(connection.Query<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE owner = @owner ORDER BY received_at, id;", new { owner = Id(owner) }));
    }, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> ListPrivacyRequestsAsync(
        IReadOnlyCollection<PrivacyRequestState> states, long? afterDueAt, Guid? afterId, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        // The states are enum values, written as numbers; everything else is bound.
        // The condition on the last page is left out of the first page's statement, so that the index on the due time serves both.
        var inStates = string.Join(", ", states.Select(s => ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var after = afterDueAt is null ? string.Empty : " AND (due_at > @afterDueAt OR (due_at = @afterDueAt AND id > @afterId))";
        using var connection = _connections.Open();
        return PrivacyRequestRecord.ToRows(connection.Query<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE state IN ({inStates}){after} ORDER BY due_at, id LIMIT @limit;",
            new { afterDueAt, afterId = Id(afterId ?? Guid.Empty), limit }));
    }, cancellationToken);

    public Task<bool> UpdatePrivacyRequestAsync(PrivacyRequestRow updated, long expectedVersion, AuditRecord? audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var r = updated;
            var changed = SqliteStatement.For(connection,
                    "UPDATE privacy_requests SET state = ?3, version = ?4, acknowledge_by = ?5, acknowledged_at = ?6, due_at = ?7, extended = ?8, verify_by = ?9, " +
                    "verified_at = ?10, code_hash = ?11, code_expires_at = ?12, code_attempts = ?13, codes_sent = ?14, decided_at = ?15, decided_by = ?16, closed_at = ?17, " +
                    "outcome = ?18, overdue_at = ?19, wake_at = ?20, sealed = ?21 WHERE id = ?1 AND version = ?2;")
                .Bind(1, r.Id).Bind(2, expectedVersion).Bind(3, (long)r.State).Bind(4, r.Version).Bind(5, r.AcknowledgeBy).Bind(6, r.AcknowledgedAt).Bind(7, r.DueAt)
                .Bind(8, r.Extended ? 1L : 0L).Bind(9, r.VerifyBy).Bind(10, r.VerifiedAt).Bind(11, r.CodeHash).Bind(12, r.CodeExpiresAt).Bind(13, (long)r.CodeAttempts)
                .Bind(14, (long)r.CodesSent).Bind(15, r.DecidedAt).Bind(16, r.DecidedBy).Bind(17, r.ClosedAt).Bind(18, r.Outcome).Bind(19, r.OverdueAt).Bind(20, r.WakeAt)
                .Bind(21, r.Sealed)
                .Execute();
            if (changed == 0)
            {
                return false;
            }

            if (audit is not null)
            {
                AuditWriter(connection).Append(audit);
            }

            return true;
        }, cancellationToken);

    public Task<bool> DeletePrivacyRequestAsync(Guid id, long expectedVersion, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            if (SqliteStatement.For(connection, "DELETE FROM privacy_requests WHERE id = ?1 AND version = ?2;").Bind(1, id).Bind(2, expectedVersion).Execute() == 0)
            {
                return false;
            }

            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsToWakeAsync(long now, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return PrivacyRequestRecord.ToRows(connection.Query<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE wake_at IS NOT NULL AND wake_at <= @now ORDER BY wake_at LIMIT @limit;", new { now, limit }));
    }, cancellationToken);

    Task IPrivacyRequestStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute(
            "UPDATE privacy_requests SET sealed = NULL, code_hash = NULL, code_expires_at = NULL, version = version + 1 WHERE owner = ?1;", Id(owner)), cancellationToken);

    private static SqliteStatement BindRequest(SqliteStatement statement, PrivacyRequestRow r) =>
        statement.Bind(1, r.Id).Bind(2, r.Person).Bind(3, (long)r.Type).Bind(4, (long)r.Regime).Bind(5, (long)r.State).Bind(6, r.Version).Bind(7, r.Activity)
            .Bind(8, r.ReceivedAt).Bind(9, r.AcknowledgeBy).Bind(10, r.AcknowledgedAt).Bind(11, r.DueAt).Bind(12, r.Extended ? 1L : 0L).Bind(13, r.VerifyBy)
            .Bind(14, r.VerifiedAt).Bind(15, r.CodeHash).Bind(16, r.CodeExpiresAt).Bind(17, (long)r.CodeAttempts).Bind(18, (long)r.CodesSent).Bind(19, r.DecidedAt)
            .Bind(20, r.DecidedBy).Bind(21, r.ClosedAt).Bind(22, r.Outcome).Bind(23, r.OverdueAt).Bind(24, r.WakeAt).Bind(25, r.Sealed);
}
