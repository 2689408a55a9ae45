using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The shared-records role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IShareLinkStore
{
    /// <summary>The owner is locked FOR SHARE, so that a concurrent forget waits and then deletes the new link too.</summary>
    public Task AddShareLinkAsync(NewShareLink link, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var owner = Id(link.Person);
            await LockPersonAsync(connection, transaction, owner, cancellationToken).ConfigureAwait(false);

            await ExecuteAsync(connection, transaction,
                "INSERT INTO share_links (token_hash, handle, owner, recipient, fields, created_at, expires_at, max_reads, reads_left, revoked_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL);",
                cancellationToken, link.TokenHash, Id(link.Handle), owner, link.Recipient, link.Fields, link.CreatedAt, link.ExpiresAt, (long)link.MaxReads).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<StoredShareLink?> GetShareLinkAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<ShareLinkRow>(
            $"{ShareLinkRow.SelectWithKey} WHERE l.token_hash = @tokenHash;", new { tokenHash, cancellationToken }).ConfigureAwait(false))?.ToStored();
    }

    public Task<int?> ConsumeShareLinkAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var left = await ScalarAsync(connection, transaction,
                "UPDATE share_links SET reads_left = reads_left - 1 WHERE token_hash = $1 AND expires_at > $2 AND revoked_at IS NULL AND reads_left > 0 RETURNING reads_left;",
                cancellationToken, tokenHash, now).ConfigureAwait(false) as long?;
            if (left is null)
            {
                return (int?)null;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return (int)left.Value;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredShareLink>> ListShareLinksAsync(Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<ShareLinkRow>(
            $"SELECT {ShareLinkRow.Columns} FROM share_links l WHERE l.owner = @owner ORDER BY l.created_at DESC;", new { owner = Id(owner), cancellationToken }).ConfigureAwait(false))
            .Select(r => r.ToStored()).ToList();
    }

    public Task<bool> RevokeShareLinkAsync(Guid owner, Guid handle, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction, "UPDATE share_links SET revoked_at = $3 WHERE owner = $1 AND handle = $2 AND revoked_at IS NULL;",
                    cancellationToken, Id(owner), Id(handle), now).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<int> DeleteExpiredShareLinksAsync(long now, int limit, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction,
            "DELETE FROM share_links WHERE token_hash IN (SELECT token_hash FROM share_links WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED);",
            cancellationToken, now, limit), cancellationToken);

    Task IShareLinkStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add("DELETE FROM share_links WHERE owner = $1;", Id(owner));
}
