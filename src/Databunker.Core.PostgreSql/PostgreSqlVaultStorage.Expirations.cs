using Databunker.Core.Storage;

namespace Databunker.Core.PostgreSql;

internal sealed partial class PostgreSqlVaultStorage
{
    private const int Waiting = 1;
    private const int Retained = 2;

    /// <summary>
    /// The person's row is locked FOR SHARE first: an instance forgetting them waits for this transaction,
    /// then deletes the new expiration with everything else, so no expiration outlives its person.
    /// </summary>
    public Task<bool> StartExpirationAsync(Guid token, long dueAt, byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var id = Id(token);
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM users WHERE token = $1 FOR SHARE;", cancellationToken, id).ConfigureAwait(false) is null)
            {
                return false;
            }

            await ExecuteAsync(connection, transaction,
                "INSERT INTO expirations (token, state, due_at, token_hash, claim_id, claimed_until, started_at, updated_at) " +
                "VALUES ($1, $2, $3, $4, NULL, NULL, $5, $5) " +
                "ON CONFLICT (token) DO UPDATE SET state = excluded.state, due_at = excluded.due_at, token_hash = excluded.token_hash, " +
                "claim_id = NULL, claimed_until = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at;",
                cancellationToken, id, Waiting, dueAt, tokenHash, now).ConfigureAwait(false);
            await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null, "SELECT state, due_at FROM expirations WHERE token = $1;", Id(token));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredExpiration(reader.GetInt32(0), reader.GetInt64(1))
            : null;
    }

    public Task<Guid?> RetainExpirationAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction,
                    "UPDATE expirations SET state = $1, token_hash = NULL, claim_id = NULL, claimed_until = NULL, updated_at = $2 " +
                    "WHERE token_hash = $3 AND state = $4 RETURNING token;",
                    cancellationToken, Retained, now, tokenHash, Waiting).ConfigureAwait(false) is not byte[] id)
            {
                return (Guid?)null;
            }

            var token = new Guid(id);
            await AppendAuditAsync(connection, transaction, audit with { Subject = token }, cancellationToken).ConfigureAwait(false);
            return token;
        }, cancellationToken);

    public Task<Guid?> ForgetByExpirationTokenAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction,
                    "SELECT token FROM expirations WHERE token_hash = $1 AND state = $2 FOR UPDATE;",
                    cancellationToken, tokenHash, Waiting).ConfigureAwait(false) is not byte[] id)
            {
                return (Guid?)null;
            }

            var token = new Guid(id);
            return await ForgetUserAsync(connection, transaction, id, now, audit with { Subject = token }, cancellationToken).ConfigureAwait(false)
                ? token
                : (Guid?)null;
        }, cancellationToken);

    public Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (await ExecuteAsync(connection, transaction, "DELETE FROM expirations WHERE token = $1;", cancellationToken, Id(token)).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// SKIP LOCKED: rows that another instance's pass is claiming right now are passed over, not waited for;
    /// rows it has claimed carry its claim until <c>claimed_until</c>. Passes on several hosts split the work.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var claim = Command(connection, null,
            "UPDATE expirations SET claim_id = $1, claimed_until = $2 WHERE token IN (" +
            "SELECT token FROM expirations WHERE state = $3 AND due_at <= $4 AND (claim_id IS NULL OR claimed_until <= $4) " +
            "ORDER BY due_at LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING token;",
            claimId, claimedUntil, Waiting, now, limit);
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new Guid((byte[])reader.GetValue(0)));
        }

        return claimed;
    }

    public Task<bool> ForgetClaimedAsync(Guid token, byte[] claimId, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var id = Id(token);
            var held = await ScalarAsync(connection, transaction,
                "SELECT 1 FROM expirations WHERE token = $1 AND state = $2 AND claim_id = $3 FOR UPDATE;",
                cancellationToken, id, Waiting, claimId).ConfigureAwait(false) is not null;
            return held && await ForgetUserAsync(connection, transaction, id, now, audit, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
}
