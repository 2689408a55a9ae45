using Dapper;

namespace Databunker.Core.Sqlite;

/// <summary>The shared-records role.</summary>
internal sealed partial class SqliteVaultStorage : IShareLinkStore
{
    public Task AddShareLinkAsync(NewShareLink link, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            RequirePerson(connection, link.Person);

            SqliteStatement.For(connection,
                    "INSERT INTO share_links (token_hash, handle, owner, recipient, fields, created_at, expires_at, max_reads, reads_left, revoked_at) " +
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, NULL);")
                .Bind(1, link.TokenHash).Bind(2, link.Handle).Bind(3, link.Person).Bind(4, link.Recipient).Bind(5, link.Fields)
                .Bind(6, link.CreatedAt).Bind(7, link.ExpiresAt).Bind(8, (long)link.MaxReads)
                .Execute();
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<StoredShareLink?> GetShareLinkAsync(byte[] tokenHash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        // A redemption's read: a hot path, so SQLite's own API (docs/benchmarks.md, issue 29).
        using var rows = SqliteStatement.For(connection, $"{ShareLinkRow.SelectWithKey} WHERE l.token_hash = ?1;").Bind(1, tokenHash).Query();
        return rows.Next()
            ? new StoredShareLink(
                rows.Guid(0), rows.Guid(1), rows.Bytes(2), rows.Bytes(3), rows.Int64(4), rows.Int64(5), (int)rows.Int64(6), (int)rows.Int64(7),
                rows.IsNull(8) ? null : rows.Int64(8), rows.IsNull(9) ? null : new WrappedKey(rows.Text(9), rows.Bytes(10)))
            : null;
    }, cancellationToken);

    public Task<int?> ConsumeShareLinkAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            int? left;
            using (var spent = SqliteStatement.For(connection,
                           "UPDATE share_links SET reads_left = reads_left - 1 WHERE token_hash = ?1 AND expires_at > ?2 AND revoked_at IS NULL AND reads_left > 0 RETURNING reads_left;")
                       .Bind(1, tokenHash).Bind(2, now).Query())
            {
                left = spent.Next() ? (int)spent.Int64(0) : null;
            }

            if (left is not null)
            {
                AuditWriter(connection).Append(audit);
            }

            return left;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredShareLink>> ListShareLinksAsync(Guid owner, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<StoredShareLink>)connection.Query<ShareLinkRow>(
            $"SELECT {ShareLinkRow.Columns} FROM share_links l WHERE l.owner = @owner ORDER BY l.created_at DESC;", new { owner = Id(owner) }).Select(r => r.ToStored()).ToList();
    }, cancellationToken);

    public Task<bool> RevokeShareLinkAsync(Guid owner, Guid handle, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            if (SqliteStatement.For(connection, "UPDATE share_links SET revoked_at = ?3 WHERE owner = ?1 AND handle = ?2 AND revoked_at IS NULL;")
                    .Bind(1, owner).Bind(2, handle).Bind(3, now).Execute() == 0)
            {
                return false;
            }

            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<int> DeleteExpiredShareLinksAsync(long now, int limit, CancellationToken cancellationToken) =>
        Write((connection, _) => SqliteStatement.For(connection,
                "DELETE FROM share_links WHERE token_hash IN (SELECT token_hash FROM share_links WHERE expires_at <= ?1 LIMIT ?2);")
            .Bind(1, now).Bind(2, (long)limit).Execute(), cancellationToken);

    Task IShareLinkStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute("DELETE FROM share_links WHERE owner = ?1;", Id(owner)), cancellationToken);
}
