namespace Databunker.Core.Sqlite;

/// <summary>The app-data role.</summary>
internal sealed partial class SqliteVaultStorage : IAppDocumentStore
{
    public Task<StoredAppDocument?> GetAppDocumentAsync(Guid owner, string app, long now, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                "SELECT a.data, a.version, a.updated_at, a.expires_at, k.key_version, k.wrapped FROM app_data a JOIN data_keys k ON k.owner = a.owner " +
                "WHERE a.owner = ?1 AND a.app = ?2 AND (a.expires_at IS NULL OR a.expires_at > ?3);")
            .Bind(1, owner).Bind(2, app).Bind(3, now).Query();
        return rows.Next()
            ? new StoredAppDocument(rows.Bytes(0), rows.Int64(1), rows.Int64(2), rows.IsNull(3) ? null : rows.Int64(3), new WrappedKey(rows.Text(4), rows.Bytes(5)))
            : null;
    }, cancellationToken);

    public Task<IReadOnlyList<AppDocumentHeader>> ListAppDocumentsAsync(Guid owner, long now, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                "SELECT app, version, updated_at, expires_at FROM app_data WHERE owner = ?1 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY app;")
            .Bind(1, owner).Bind(2, now).Query();
        var headers = new List<AppDocumentHeader>();
        while (rows.Next())
        {
            headers.Add(new AppDocumentHeader(rows.Text(0), rows.Int64(1), rows.Int64(2), rows.IsNull(3) ? null : rows.Int64(3)));
        }

        return (IReadOnlyList<AppDocumentHeader>)headers;
    }, cancellationToken);

    public Task<long?> PutAppDocumentAsync(NewAppDocument document, long? expectedVersion, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            RequirePerson(connection, document.Person);

            var current = CurrentAppDocumentVersion(connection, document.Person, document.App, document.UpdatedAt);
            if (expectedVersion is { } expected && expected != current)
            {
                return (long?)null;
            }

            SqliteStatement.For(connection,
                    "INSERT INTO app_data (owner, app, data, version, updated_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) " +
                    "ON CONFLICT (owner, app) DO UPDATE SET data = excluded.data, version = excluded.version, updated_at = excluded.updated_at, expires_at = excluded.expires_at;")
                .Bind(1, document.Person).Bind(2, document.App).Bind(3, document.Data).Bind(4, current + 1).Bind(5, document.UpdatedAt).Bind(6, document.ExpiresAt)
                .Execute();
            AuditWriter(connection).Append(audit);
            return current + 1;
        }, cancellationToken);

    public Task<bool> DeleteAppDocumentAsync(Guid owner, string app, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var current = CurrentAppDocumentVersion(connection, owner, app, now);
            if (current == 0 || expectedVersion is { } expected && expected != current)
            {
                return false;
            }

            SqliteStatement.For(connection, "DELETE FROM app_data WHERE owner = ?1 AND app = ?2;").Bind(1, owner).Bind(2, app).Execute();
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<int> DeleteExpiredAppDocumentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var events = new List<AuditRecord>();
            using (var deleted = SqliteStatement.For(connection,
                           "DELETE FROM app_data WHERE (owner, app) IN (SELECT owner, app FROM app_data WHERE expires_at <= ?1 LIMIT ?2) RETURNING owner;")
                       .Bind(1, now).Bind(2, (long)limit).Query())
            {
                while (deleted.Next())
                {
                    events.Add(audit with { Person = deleted.Guid(0) });
                }
            }

            if (events.Count > 0)
            {
                AuditWriter(connection).AppendAll(events);
            }

            return events.Count;
        }, cancellationToken);

    Task IAppDocumentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute("DELETE FROM app_data WHERE owner = ?1;", Id(owner)), cancellationToken);

    /// <summary>The version of a document that is live at <paramref name="now"/>; 0 when there is none.</summary>
    private static long CurrentAppDocumentVersion(Microsoft.Data.Sqlite.SqliteConnection connection, Guid owner, string app, long now)
    {
        using var rows = SqliteStatement.For(connection, "SELECT version FROM app_data WHERE owner = ?1 AND app = ?2 AND (expires_at IS NULL OR expires_at > ?3);")
            .Bind(1, owner).Bind(2, app).Bind(3, now).Query();
        return rows.Next() ? rows.Int64(0) : 0;
    }
}
