namespace Databunker.Core.PostgreSql;

/// <summary>The sessions role.</summary>
internal sealed partial class PostgreSqlVaultStorage : ISessionStore
{
    private const string SessionColumns =
        "s.handle, s.owner, s.data, s.label, s.version, s.created_at, s.last_seen_at, s.expires_at, s.idle_ms, s.absolute_at, k.key_version, k.wrapped";

    /// <summary>The owner is locked FOR SHARE, so that a concurrent forget waits and then deletes the new session too.</summary>
    public Task AddSessionAsync(NewSession session, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await InsertSessionAsync(connection, transaction, session, cancellationToken).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<StoredSession?> GetSessionAsync(byte[] idHash, long now, long? touchBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (touchBefore is { } before)
        {
            // One statement: touch when stale (a row lock only then), and read the session as it is afterwards.
            await using var touch = Command(connection, null,
                "WITH touched AS (UPDATE sessions SET last_seen_at = $2, expires_at = LEAST(absolute_at, $2 + idle_ms) " +
                "WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at <= $3 RETURNING *) " +
                $"SELECT {SessionColumns} FROM (SELECT * FROM touched UNION ALL SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2 AND NOT EXISTS (SELECT 1 FROM touched)) s " +
                "LEFT JOIN data_keys k ON k.owner = s.owner;",
                idHash, now, before);
            return await ReadSessionAsync(touch, cancellationToken).ConfigureAwait(false);
        }

        await using var select = Command(connection, null,
            $"SELECT {SessionColumns} FROM sessions s LEFT JOIN data_keys k ON k.owner = s.owner WHERE s.id_hash = $1 AND s.expires_at > $2;", idHash, now);
        return await ReadSessionAsync(select, cancellationToken).ConfigureAwait(false);
    }

    public Task<long?> ReplaceSessionDataAsync(byte[] idHash, byte[] data, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var version = await ScalarAsync(connection, transaction,
                "UPDATE sessions SET data = $2, version = version + 1, last_seen_at = $3, expires_at = LEAST(absolute_at, $3 + idle_ms) " +
                "WHERE id_hash = $1 AND expires_at > $3 AND ($4::bigint IS NULL OR version = $4) RETURNING version;",
                cancellationToken, idHash, data, now, expectedVersion).ConfigureAwait(false) as long?;
            if (version is not null)
            {
                await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            }

            return version;
        }, cancellationToken);

    public Task<bool> ReplaceSessionAsync(byte[] previousIdHash, long now, NewSession replacement, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            if (await ExecuteAsync(connection, transaction, "DELETE FROM sessions WHERE id_hash = $1 AND expires_at > $2;", cancellationToken, previousIdHash, now).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await InsertSessionAsync(connection, transaction, replacement, cancellationToken).ConfigureAwait(false);
            await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredSessionInfo>> ListSessionsAsync(Guid owner, long now, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT handle, label, created_at, last_seen_at, expires_at FROM sessions WHERE owner = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, created_at DESC;",
            Id(owner), now);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<StoredSessionInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(new StoredSessionInfo(
                new Guid((byte[])reader.GetValue(0)), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return sessions;
    }

    public Task<bool> DeleteSessionAsync(byte[] idHash, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await using var delete = Command(connection, transaction, "DELETE FROM sessions WHERE id_hash = $1 RETURNING owner;", idHash);
            Guid? owner;
            await using (var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                owner = reader.IsDBNull(0) ? null : new Guid((byte[])reader.GetValue(0));
            }

            await chain.AppendAsync(audit with { Person = owner }, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<int> DeleteSessionsAsync(Guid owner, Guid? handle, byte[]? exceptIdHash, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var count = await ExecuteAsync(connection, transaction,
                "DELETE FROM sessions WHERE owner = $1 AND ($2::bytea IS NULL OR handle = $2) AND ($3::bytea IS NULL OR id_hash <> $3);",
                cancellationToken, Id(owner), handle is { } h ? Id(h) : null, exceptIdHash).ConfigureAwait(false);
            if (count > 0)
            {
                await chain.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
            }

            return count;
        }, cancellationToken);

    public Task<int> DeleteExpiredSessionsAsync(long now, int limit, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction,
            "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED);",
            cancellationToken, now, limit), cancellationToken);

    Task ISessionStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add("DELETE FROM sessions WHERE owner = $1;", Id(owner));

    private static async Task InsertSessionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewSession session, CancellationToken cancellationToken)
    {
        if (session.Person is { } owner)
        {
            await LockPersonAsync(connection, transaction, Id(owner), cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction,
            "INSERT INTO sessions (id_hash, handle, owner, data, label, version, created_at, last_seen_at, idle_ms, absolute_at, expires_at) " +
            "VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7, $8, $9);",
            cancellationToken,
            session.IdHash, Id(session.Handle), session.Person is { } o ? Id(o) : null, session.Data, session.Label,
            session.CreatedAt, session.IdleMilliseconds, session.AbsoluteExpiresAt, session.ExpiresAt).ConfigureAwait(false);
    }

    private static async Task<StoredSession?> ReadSessionAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredSession(
            new Guid((byte[])reader.GetValue(0)),
            reader.IsDBNull(1) ? null : new Guid((byte[])reader.GetValue(1)),
            (byte[])reader.GetValue(2),
            reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3),
            reader.GetInt64(4),
            reader.GetInt64(5),
            reader.GetInt64(6),
            reader.GetInt64(7),
            reader.IsDBNull(10) ? null : new WrappedKey(reader.GetString(10), (byte[])reader.GetValue(11)));
    }
}
