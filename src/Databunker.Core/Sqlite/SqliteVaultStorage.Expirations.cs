using Dapper;
using Databunker.Core.Storage;

namespace Databunker.Core.Sqlite;

internal sealed partial class SqliteVaultStorage
{
    private const int Waiting = 1;
    private const int Retained = 2;

    public Task<bool> StartExpirationAsync(Guid token, long dueAt, byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = Id(token);
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE token = @id;", new { id }, transaction) == 0)
            {
                return false;
            }

            connection.Execute(
                "INSERT INTO expirations (token, state, due_at, token_hash, claim_id, claimed_until, started_at, updated_at) " +
                "VALUES (@id, @Waiting, @dueAt, @tokenHash, NULL, NULL, @now, @now) " +
                "ON CONFLICT (token) DO UPDATE SET state = excluded.state, due_at = excluded.due_at, token_hash = excluded.token_hash, " +
                "claim_id = NULL, claimed_until = NULL, started_at = excluded.started_at, updated_at = excluded.updated_at;",
                new { id, Waiting, dueAt, tokenHash, now },
                transaction);
            Audit(connection, transaction, audit);
            return true;
        }, cancellationToken);

    public Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.QuerySingleOrDefault<ExpirationRow>(
            "SELECT state AS State, due_at AS DueAt FROM expirations WHERE token = @id;", new { id = Id(token) }) is { } row
            ? new StoredExpiration((int)row.State, row.DueAt)
            : null;
    }, cancellationToken);

    public Task<Guid?> RetainExpirationAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = connection.ExecuteScalar<byte[]?>(
                "UPDATE expirations SET state = @Retained, token_hash = NULL, claim_id = NULL, claimed_until = NULL, updated_at = @now " +
                "WHERE token_hash = @tokenHash AND state = @Waiting RETURNING token;",
                new { Retained, Waiting, tokenHash, now },
                transaction);
            if (id is null)
            {
                return (Guid?)null;
            }

            var token = new Guid(id);
            Audit(connection, transaction, audit with { Subject = token });
            return token;
        }, cancellationToken);

    public Task<Guid?> ForgetByExpirationTokenAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = connection.ExecuteScalar<byte[]?>(
                "SELECT token FROM expirations WHERE token_hash = @tokenHash AND state = @Waiting;", new { tokenHash, Waiting }, transaction);
            if (id is null)
            {
                return (Guid?)null;
            }

            var token = new Guid(id);
            return ForgetUser(connection, transaction, id, now, audit with { Subject = token }) ? token : (Guid?)null;
        }, cancellationToken);

    public Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            if (connection.Execute("DELETE FROM expirations WHERE token = @id;", new { id = Id(token) }, transaction) == 0)
            {
                return false;
            }

            Audit(connection, transaction, audit);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken) =>
        Write((connection, transaction) => (IReadOnlyList<Guid>)connection.Query<byte[]>(
                "UPDATE expirations SET claim_id = @claimId, claimed_until = @claimedUntil WHERE token IN (" +
                "SELECT token FROM expirations WHERE state = @Waiting AND due_at <= @now AND (claim_id IS NULL OR claimed_until <= @now) " +
                "ORDER BY due_at LIMIT @limit) RETURNING token;",
                new { claimId, claimedUntil, Waiting, now, limit },
                transaction)
            .Select(id => new Guid(id))
            .ToList(), cancellationToken);

    public Task<bool> ForgetClaimedAsync(Guid token, byte[] claimId, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = Id(token);
            var held = connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM expirations WHERE token = @id AND state = @Waiting AND claim_id = @claimId;",
                new { id, Waiting, claimId },
                transaction) > 0;
            return held && ForgetUser(connection, transaction, id, now, audit);
        }, cancellationToken);

    private static void Audit(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, AuditRecord audit)
    {
        var insert = AuditInsert(connection, transaction);
        AppendAudit(insert, audit);
    }

    private sealed class ExpirationRow
    {
        public long State { get; set; }

        public long DueAt { get; set; }
    }
}
