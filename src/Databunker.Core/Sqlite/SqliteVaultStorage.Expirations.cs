using Dapper;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>The expirations role.</summary>
internal sealed partial class SqliteVaultStorage : IExpirationStore
{
    private const int Waiting = 1;
    private const int Retained = 2;

    public Task<bool> StartExpirationAsync(NewExpiration expiration, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var id = Id(expiration.Token);
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE token = @id;", new { id }) == 0)
            {
                return false;
            }

            connection.Execute(
                "INSERT INTO expirations (token, state, due_at, retain_hash, delete_hash, binding, claim_id, claimed_until, started_at, updated_at) " +
                "VALUES (@id, @Waiting, @DueAt, @RetainHash, @DeleteHash, @Binding, NULL, NULL, @now, @now) " +
                "ON CONFLICT (token) DO UPDATE SET state = excluded.state, due_at = excluded.due_at, retain_hash = excluded.retain_hash, " +
                "delete_hash = excluded.delete_hash, binding = excluded.binding, " +
                "claim_id = NULL, claimed_until = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at;",
                new { id, Waiting, expiration.DueAt, expiration.RetainHash, expiration.DeleteHash, expiration.Binding, now });
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.QuerySingleOrDefault<ExpirationRow>($"SELECT {ExpirationRow.Columns} FROM expirations WHERE token = @id;", new { id = Id(token) })?.ToStored();
    }, cancellationToken);

    public Task<StoredExpirationLink?> FindExpirationLinkAsync(byte[] retainHash, byte[] deleteHash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        var row = connection.QueryFirstOrDefault<ExpirationRow>(
            $"SELECT {ExpirationRow.Columns}, token FROM expirations WHERE (retain_hash = @retainHash OR delete_hash = @deleteHash) AND state = @Waiting LIMIT 1;",
            new { retainHash, deleteHash, Waiting });
        return row?.ToLink(deleteHash);
    }, cancellationToken);

    public Task<bool> RetainExpirationAsync(Guid token, byte[] retainHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            if (connection.Execute(
                    "UPDATE expirations SET state = @Retained, retain_hash = NULL, delete_hash = NULL, claim_id = NULL, claimed_until = NULL, updated_at = @now " +
                    "WHERE token = @id AND retain_hash = @retainHash AND state = @Waiting;",
                    new { Retained, Waiting, id = Id(token), retainHash, now }) == 0)
            {
                return false;
            }

            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            if (connection.Execute("DELETE FROM expirations WHERE token = @id;", new { id = Id(token) }) == 0)
            {
                return false;
            }

            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken) =>
        Write((connection, _) => (IReadOnlyList<Guid>)connection.Query<byte[]>(
                "UPDATE expirations SET claim_id = @claimId, claimed_until = @claimedUntil WHERE token IN (" +
                "SELECT token FROM expirations WHERE state = @Waiting AND due_at <= @now AND (claim_id IS NULL OR claimed_until <= @now) " +
                "ORDER BY due_at LIMIT @limit) RETURNING token;",
                new { claimId, claimedUntil, Waiting, now, limit }).Select(id => new Guid(id)).ToList(), cancellationToken);

    public Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, "SELECT MIN(due_at) FROM expirations WHERE state = ?1;").Bind(1, Waiting).Query();
        return rows.Next() && !rows.IsNull(0) ? rows.Int64(0) : (long?)null;
    }, cancellationToken);

    public Task<bool> HoldsDeleteLinkAsync(IErasureTransaction erasure, Guid token, byte[] deleteHash, CancellationToken cancellationToken) =>
        HoldsAsync(erasure, "delete_hash", Id(token), deleteHash, cancellationToken);

    public Task<bool> HoldsClaimAsync(IErasureTransaction erasure, Guid token, byte[] claimId, CancellationToken cancellationToken) =>
        HoldsAsync(erasure, "claim_id", Id(token), claimId, cancellationToken);

    Task IExpirationStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute("DELETE FROM expirations WHERE token = @token;", Id(token)), cancellationToken);

    /// <summary>Whether, inside the erasure, the person's expiration is waiting with <paramref name="column"/> holding <paramref name="value"/>.</summary>
    private static Task<bool> HoldsAsync(IErasureTransaction erasure, string column, byte[] id, byte[] value, CancellationToken cancellationToken) => Run(() =>
    {
        // Inside the erasure's transaction, which is the connection's own: the command takes no transaction object.
        return SqliteErasure.Of(erasure).Connection.ExecuteScalar<long>(
            $"SELECT COUNT(*) FROM expirations WHERE token = @id AND state = @Waiting AND {column} = @value;", new { id, Waiting, value }) > 0;
    }, cancellationToken);
}
