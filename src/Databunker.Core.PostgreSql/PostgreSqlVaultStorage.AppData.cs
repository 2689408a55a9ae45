namespace Databunker.Core.PostgreSql;

/// <summary>The app-data role.</summary>
internal sealed partial class PostgreSqlVaultStorage : IAppDocumentStore
{
    public async Task<StoredAppDocument?> GetAppDocumentAsync(Guid owner, string app, long now, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT a.data, a.version, a.updated_at, a.expires_at, k.key_version, k.wrapped FROM app_data a JOIN data_keys k ON k.owner = a.owner " +
            "WHERE a.owner = $1 AND a.app = $2 AND (a.expires_at IS NULL OR a.expires_at > $3);",
            Id(owner), app, now);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredAppDocument(
                (byte[])reader.GetValue(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                new WrappedKey(reader.GetString(4), (byte[])reader.GetValue(5)))
            : null;
    }

    public async Task<IReadOnlyList<AppDocumentHeader>> ListAppDocumentsAsync(Guid owner, long now, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT app, version, updated_at, expires_at FROM app_data WHERE owner = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY app COLLATE \"C\";",
            Id(owner), now);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var headers = new List<AppDocumentHeader>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            headers.Add(new AppDocumentHeader(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        }

        return headers;
    }

    /// <summary>
    /// The owner is locked FOR SHARE, so that a concurrent forget waits and then deletes the new document too; the
    /// document is locked (a transaction-scoped advisory lock, which holds for a document not yet written too), so that
    /// two writes of it take turns and the second reads the first's version.
    /// </summary>
    public Task<long?> PutAppDocumentAsync(NewAppDocument document, long? expectedVersion, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var id = Id(document.Person);
            await LockPersonAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
            await LockAppDocumentAsync(connection, transaction, id, document.App, cancellationToken).ConfigureAwait(false);

            var current = await CurrentAppDocumentVersionAsync(connection, transaction, id, document.App, document.UpdatedAt, cancellationToken).ConfigureAwait(false);
            if (expectedVersion is { } expected && expected != current)
            {
                return (long?)null;
            }

            await ExecuteAsync(connection, transaction,
                "INSERT INTO app_data (owner, app, data, version, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) " +
                "ON CONFLICT (owner, app) DO UPDATE SET data = excluded.data, version = excluded.version, updated_at = excluded.updated_at, expires_at = excluded.expires_at;",
                cancellationToken, id, document.App, document.Data, current + 1, document.UpdatedAt, document.ExpiresAt).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return current + 1;
        }, cancellationToken);

    public Task<bool> DeleteAppDocumentAsync(Guid owner, string app, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var id = Id(owner);
            await LockAppDocumentAsync(connection, transaction, id, app, cancellationToken).ConfigureAwait(false);
            var current = await CurrentAppDocumentVersionAsync(connection, transaction, id, app, now, cancellationToken).ConfigureAwait(false);
            if (current == 0 || expectedVersion is { } expected && expected != current)
            {
                return false;
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM app_data WHERE owner = $1 AND app = $2;", cancellationToken, id, app).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<int> DeleteExpiredAppDocumentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var owners = new List<Guid>();
            await using (var delete = Command(connection, transaction,
                             "DELETE FROM app_data WHERE (owner, app) IN (SELECT owner, app FROM app_data WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING owner;",
                             now, limit))
            {
                await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    owners.Add(new Guid((byte[])reader.GetValue(0)));
                }
            }

            if (owners.Count > 0)
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var owner in owners)
                {
                    chain.Add(batch, audit with { Person = owner });
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return owners.Count;
        }, cancellationToken);

    Task IAppDocumentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add("DELETE FROM app_data WHERE owner = $1;", Id(owner));

    /// <summary>Takes the transaction-scoped lock on one person's document of one application.</summary>
    private static Task<int> LockAppDocumentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, byte[] owner, string app, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('databunker.appdata'), hashtext(encode($1, 'hex') || '/' || $2));", cancellationToken, owner, app);

    /// <summary>The version of a document that is live at <paramref name="now"/>, locked for the transaction; 0 when there is none.</summary>
    private static async Task<long> CurrentAppDocumentVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, byte[] owner, string app, long now, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction,
            "SELECT version FROM app_data WHERE owner = $1 AND app = $2 AND (expires_at IS NULL OR expires_at > $3) FOR UPDATE;",
            cancellationToken, owner, app, now).ConfigureAwait(false) is long version ? version : 0;
}
