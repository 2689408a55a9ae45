using Dapper;
using Databunker.Core.Requests;

namespace Databunker.Core.PostgreSql;

/// <summary>The data-subject requests' role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IPrivacyRequestStore
{
    /// <summary>The owner is locked FOR SHARE, so that a concurrent forget waits and then clears the new request too.</summary>
    public Task AddPrivacyRequestAsync(PrivacyRequestRow request, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var r = request;
            await LockPersonAsync(connection, transaction, Id(r.Person), cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                $"INSERT INTO privacy_requests ({PrivacyRequestRecord.Columns}) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24);",
                cancellationToken,
                Id(r.Id), Id(r.Person), (int)r.Type, (int)r.Regime, (int)r.State, r.Activity, r.ReceivedAt, r.AcknowledgeBy, r.AcknowledgedAt, r.DueAt, r.Extended, r.VerifyBy,
                r.VerifiedAt, r.CodeHash, r.CodeExpiresAt, r.CodeAttempts, r.CodesSent, r.DecidedAt, r.DecidedBy, r.ClosedAt, r.Outcome, r.OverdueAt, r.WakeAt, r.Sealed).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<PrivacyRequestRow?> GetPrivacyRequestAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE id = @id;", new { id = Id(id), cancellationToken }).ConfigureAwait(false))?.ToRow();
    }

    public async Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsOfAsync(Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return PrivacyRequestRecord.ToRows(await connection.QueryAsync<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE owner = @owner ORDER BY received_at, id;", new { owner = Id(owner), cancellationToken }).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<PrivacyRequestRow>> ListPrivacyRequestsAsync(
        IReadOnlyCollection<PrivacyRequestState> states, long? afterDueAt, Guid? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return PrivacyRequestRecord.ToRows(await connection.QueryAsync<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE state = ANY(@states) " +
            "AND (@afterDueAt::bigint IS NULL OR due_at > @afterDueAt OR (due_at = @afterDueAt AND id > @afterId)) ORDER BY due_at, id LIMIT @limit;",
            new { states = states.Select(s => (int)s).ToArray(), afterDueAt, afterId = Id(afterId ?? Guid.Empty), limit, cancellationToken }).ConfigureAwait(false));
    }

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

    public async Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsToWakeAsync(long now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return PrivacyRequestRecord.ToRows(await connection.QueryAsync<PrivacyRequestRecord>(
            $"SELECT {PrivacyRequestRecord.Columns} FROM privacy_requests WHERE wake_at IS NOT NULL AND wake_at <= @now ORDER BY wake_at LIMIT @limit;",
            new { now, limit, cancellationToken }).ConfigureAwait(false));
    }

    Task IPrivacyRequestStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add(
            "UPDATE privacy_requests SET sealed = NULL, code_hash = NULL, code_expires_at = NULL, version = version + 1 WHERE owner = $1;", Id(owner));
}
