using Databunker.Core.Requests;

namespace Databunker.Core.PostgreSql;

/// <summary>The data-subject requests' role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IPrivacyRequestStore
{
    private const string RequestColumns =
        "id, owner, type, regime, state, version, activity, received_at, acknowledge_by, acknowledged_at, due_at, extended, verify_by, verified_at, " +
        "code_hash, code_expires_at, code_attempts, codes_sent, decided_at, decided_by, closed_at, outcome, overdue_at, wake_at, sealed";

    /// <summary>The owner is locked FOR SHARE, so that a concurrent forget waits and then clears the new request too.</summary>
    public Task AddPrivacyRequestAsync(PrivacyRequestRow request, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var r = request;
            await LockPersonAsync(connection, transaction, Id(r.Person), cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                $"INSERT INTO privacy_requests ({RequestColumns}) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24);",
                cancellationToken,
                Id(r.Id), Id(r.Person), (int)r.Type, (int)r.Regime, (int)r.State, r.Activity, r.ReceivedAt, r.AcknowledgeBy, r.AcknowledgedAt, r.DueAt, r.Extended, r.VerifyBy,
                r.VerifiedAt, r.CodeHash, r.CodeExpiresAt, r.CodeAttempts, r.CodesSent, r.DecidedAt, r.DecidedBy, r.ClosedAt, r.Outcome, r.OverdueAt, r.WakeAt, r.Sealed).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<PrivacyRequestRow?> GetPrivacyRequestAsync(Guid id, CancellationToken cancellationToken)
    {
        var rows = await QueryRequestsAsync($"SELECT {RequestColumns} FROM privacy_requests WHERE id = $1;", cancellationToken, Id(id)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsOfAsync(Guid owner, CancellationToken cancellationToken) =>
        QueryRequestsAsync($"SELECT {RequestColumns} FROM privacy_requests WHERE owner = $1 ORDER BY received_at, id;", cancellationToken, Id(owner));

    public Task<IReadOnlyList<PrivacyRequestRow>> ListPrivacyRequestsAsync(
        IReadOnlyCollection<PrivacyRequestState> states, long? afterDueAt, Guid? afterId, int limit, CancellationToken cancellationToken) =>
        QueryRequestsAsync(
            $"SELECT {RequestColumns} FROM privacy_requests WHERE state = ANY($1) AND ($2::bigint IS NULL OR due_at > $2 OR (due_at = $2 AND id > $3)) ORDER BY due_at, id LIMIT $4;",
            cancellationToken, states.Select(s => (int)s).ToArray(), afterDueAt, Id(afterId ?? Guid.Empty), limit);

    public Task<bool> UpdatePrivacyRequestAsync(PrivacyRequestRow updated, long expectedVersion, AuditRecord? audit, CancellationToken cancellationToken)
    {
        var r = updated;
        object?[] values =
        [
            Id(r.Id), expectedVersion, (int)r.State, r.Version, r.AcknowledgeBy, r.AcknowledgedAt, r.DueAt, r.Extended, r.VerifyBy, r.VerifiedAt, r.CodeHash, r.CodeExpiresAt,
            r.CodeAttempts, r.CodesSent, r.DecidedAt, r.DecidedBy, r.ClosedAt, r.Outcome, r.OverdueAt, r.WakeAt, r.Sealed,
        ];
        const string Sql =
            "UPDATE privacy_requests SET state = $3, version = $4, acknowledge_by = $5, acknowledged_at = $6, due_at = $7, extended = $8, verify_by = $9, verified_at = $10, " +
            "code_hash = $11, code_expires_at = $12, code_attempts = $13, codes_sent = $14, decided_at = $15, decided_by = $16, closed_at = $17, outcome = $18, overdue_at = $19, " +
            "wake_at = $20, sealed = $21 WHERE id = $1 AND version = $2;";
        if (audit is null)
        {
            return WriteAsync(async (connection, transaction) =>
                await ExecuteAsync(connection, transaction, Sql, cancellationToken, values).ConfigureAwait(false) == 1, cancellationToken);
        }

        return AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction, Sql, cancellationToken, values).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<bool> DeletePrivacyRequestAsync(Guid id, long expectedVersion, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction, "DELETE FROM privacy_requests WHERE id = $1 AND version = $2;", cancellationToken, Id(id), expectedVersion).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsToWakeAsync(long now, int limit, CancellationToken cancellationToken) =>
        QueryRequestsAsync($"SELECT {RequestColumns} FROM privacy_requests WHERE wake_at IS NOT NULL AND wake_at <= $1 ORDER BY wake_at LIMIT $2;", cancellationToken, now, limit);

    Task IPrivacyRequestStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add(
            "UPDATE privacy_requests SET sealed = NULL, code_hash = NULL, code_expires_at = NULL, version = version + 1 WHERE owner = $1;", Id(owner));

    private async Task<IReadOnlyList<PrivacyRequestRow>> QueryRequestsAsync(string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null, sql, values);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var requests = new List<PrivacyRequestRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            long? Nullable(int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);
            string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
            byte[]? Bytes(int column) => reader.IsDBNull(column) ? null : (byte[])reader.GetValue(column);
            requests.Add(new PrivacyRequestRow
            {
                Id = new Guid((byte[])reader.GetValue(0)),
                Person = new Guid((byte[])reader.GetValue(1)),
                Type = (PrivacyRequestType)reader.GetInt32(2),
                Regime = (PrivacyRegime)reader.GetInt32(3),
                State = (PrivacyRequestState)reader.GetInt32(4),
                Version = reader.GetInt64(5),
                Activity = Text(6),
                ReceivedAt = reader.GetInt64(7),
                AcknowledgeBy = Nullable(8),
                AcknowledgedAt = Nullable(9),
                DueAt = reader.GetInt64(10),
                Extended = reader.GetBoolean(11),
                VerifyBy = reader.GetInt64(12),
                VerifiedAt = Nullable(13),
                CodeHash = Bytes(14),
                CodeExpiresAt = Nullable(15),
                CodeAttempts = reader.GetInt32(16),
                CodesSent = reader.GetInt32(17),
                DecidedAt = Nullable(18),
                DecidedBy = Text(19),
                ClosedAt = Nullable(20),
                Outcome = Text(21),
                OverdueAt = Nullable(22),
                WakeAt = Nullable(23),
                Sealed = Bytes(24),
            });
        }

        return requests;
    }
}
