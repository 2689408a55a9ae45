using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The privacy catalogue's role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IPrivacyCatalogStore
{
    public async Task<IReadOnlyList<StoredNotice>> GetNoticesAsync(string? name, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<StoredNotice>(
            "SELECT name, version, content_hash, text, published_at FROM privacy_notices WHERE @name::text IS NULL OR name = @name ORDER BY name COLLATE \"C\", version;",
            new { name, cancellationToken }).ConfigureAwait(false)).ToList();
    }

    public Task<bool> AddNoticeAsync(StoredNotice notice, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction,
                    "INSERT INTO privacy_notices (name, version, content_hash, text, published_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, version) DO NOTHING;",
                    cancellationToken, notice.Name, notice.Version, notice.ContentHash, notice.Text, notice.PublishedAt).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<byte[]?> GetCatalogHashAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<byte[]>("SELECT hash FROM privacy_catalog WHERE id = 1;").ConfigureAwait(false);
    }

    public Task<bool> ReplaceCatalogHashAsync(byte[]? expected, byte[] hash, long at, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var changed = expected is null
                ? await ExecuteAsync(connection, transaction, "INSERT INTO privacy_catalog (id, hash, changed_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING;", cancellationToken, hash, at).ConfigureAwait(false)
                : await ExecuteAsync(connection, transaction, "UPDATE privacy_catalog SET hash = $1, changed_at = $2 WHERE id = 1 AND hash = $3;", cancellationToken, hash, at, expected).ConfigureAwait(false);
            if (changed == 0)
            {
                return false;
            }

            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
