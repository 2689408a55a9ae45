using Dapper;

namespace Databunker.Core.Sqlite;

/// <summary>The privacy catalogue's role.</summary>
internal sealed partial class SqliteVaultStorage : IPrivacyCatalogStore
{
    public Task<IReadOnlyList<StoredNotice>> GetNoticesAsync(string? name, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<StoredNotice>)[.. connection.Query<StoredNotice>(
            "SELECT name, version, content_hash, text, published_at FROM privacy_notices WHERE @name IS NULL OR name = @name ORDER BY name, version;", new { name })];
    }, cancellationToken);

    public Task<bool> AddNoticeAsync(StoredNotice notice, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            if (SqliteStatement.For(connection,
                    "INSERT OR IGNORE INTO privacy_notices (name, version, content_hash, text, published_at) VALUES (?1, ?2, ?3, ?4, ?5);")
                    .Bind(1, notice.Name).Bind(2, (long)notice.Version).Bind(3, notice.ContentHash).Bind(4, notice.Text).Bind(5, notice.PublishedAt)
                    .Execute() == 0)
            {
                return false;
            }

            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<byte[]?> GetCatalogHashAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.QuerySingleOrDefault<byte[]>("SELECT hash FROM privacy_catalog WHERE id = 1;");
    }, cancellationToken);

    public Task<bool> ReplaceCatalogHashAsync(byte[]? expected, byte[] hash, long at, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var changed = expected is null
                ? SqliteStatement.For(connection, "INSERT OR IGNORE INTO privacy_catalog (id, hash, changed_at) VALUES (1, ?1, ?2);").Bind(1, hash).Bind(2, at).Execute()
                : SqliteStatement.For(connection, "UPDATE privacy_catalog SET hash = ?1, changed_at = ?2 WHERE id = 1 AND hash = ?3;").Bind(1, hash).Bind(2, at).Bind(3, expected).Execute();
            if (changed == 0)
            {
                return false;
            }

            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);
}
