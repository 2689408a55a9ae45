using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The expirations role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IExpirationStore
{
    private const int Waiting = 1;
    private const int Retained = 2;

    /// <summary>
    /// The person's row is locked FOR SHARE first: an instance forgetting them waits for this transaction,
    /// then deletes the new expiration with everything else, so no expiration outlives its person.
    /// </summary>
    public Task<bool> StartExpirationAsync(NewExpiration expiration, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var id = Id(expiration.Token);
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM users WHERE token = $1 FOR SHARE;", cancellationToken, id).ConfigureAwait(false) is null)
            {
                return false;
            }

            await ExecuteAsync(connection, transaction,
                "INSERT INTO expirations (token, state, due_at, retain_hash, delete_hash, binding, claim_id, claimed_until, started_at, updated_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $7) " +
                "ON CONFLICT (token) DO UPDATE SET state = excluded.state, due_at = excluded.due_at, retain_hash = excluded.retain_hash, " +
                "delete_hash = excluded.delete_hash, binding = excluded.binding, " +
                "claim_id = NULL, claimed_until = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at;",
                cancellationToken, id, Waiting, expiration.DueAt, expiration.RetainHash, expiration.DeleteHash, expiration.Binding, now).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<ExpirationRow>(
            $"SELECT {ExpirationRow.Columns} FROM expirations WHERE token = @token;", new { token = Id(token), cancellationToken }).ConfigureAwait(false))?.ToStored();
    }

    public async Task<StoredExpirationLink?> FindExpirationLinkAsync(byte[] retainHash, byte[] deleteHash, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryFirstOrDefaultAsync<ExpirationRow>(
            $"SELECT {ExpirationRow.Columns}, token FROM expirations WHERE (retain_hash = @retainHash OR delete_hash = @deleteHash) AND state = @Waiting LIMIT 1;",
            new { retainHash, deleteHash, Waiting, cancellationToken }).ConfigureAwait(false))?.ToLink(deleteHash);
    }

    public Task<bool> RetainExpirationAsync(Guid token, byte[] retainHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction,
                    "UPDATE expirations SET state = $1, retain_hash = NULL, delete_hash = NULL, claim_id = NULL, claimed_until = NULL, updated_at = $2 " +
                    "WHERE token = $3 AND retain_hash = $4 AND state = $5;",
                    cancellationToken, Retained, now, Id(token), retainHash, Waiting).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction, "DELETE FROM expirations WHERE token = $1;", cancellationToken, Id(token)).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// SKIP LOCKED: rows that another instance's pass is claiming right now are passed over, not waited for;
    /// rows it has claimed carry its claim until <c>claimed_until</c>. Passes on several hosts split the work.
    /// </summary>
    public async Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>("SELECT MIN(due_at) FROM expirations WHERE state = @Waiting;", new { Waiting, cancellationToken }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var claimed = await connection.QueryAsync<byte[]>(
            "UPDATE expirations SET claim_id = @claimId, claimed_until = @claimedUntil WHERE token IN (" +
            "SELECT token FROM expirations WHERE state = @Waiting AND due_at <= @now AND (claim_id IS NULL OR claimed_until <= @now) " +
            "ORDER BY due_at LIMIT @limit FOR UPDATE SKIP LOCKED) RETURNING token;",
            new { claimId, claimedUntil, Waiting, now, limit, cancellationToken }).ConfigureAwait(false);
        return claimed.Select(id => new Guid(id)).ToList();
    }

    public async Task<bool> HoldsDeleteLinkAsync(IErasureTransaction erasure, Guid token, byte[] deleteHash, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await PostgreSqlErasure.Of(erasure).TransactionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, transaction,
            "SELECT 1 FROM expirations WHERE token = $1 AND delete_hash = $2 AND state = $3 FOR UPDATE;",
            cancellationToken, Id(token), deleteHash, Waiting).ConfigureAwait(false) is not null;
    }

    public async Task<bool> HoldsClaimAsync(IErasureTransaction erasure, Guid token, byte[] claimId, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await PostgreSqlErasure.Of(erasure).TransactionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, transaction,
            "SELECT 1 FROM expirations WHERE token = $1 AND state = $2 AND claim_id = $3 FOR UPDATE;",
            cancellationToken, Id(token), Waiting, claimId).ConfigureAwait(false) is not null;
    }

    Task IExpirationStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add("DELETE FROM expirations WHERE token = $1;", Id(token));
}
