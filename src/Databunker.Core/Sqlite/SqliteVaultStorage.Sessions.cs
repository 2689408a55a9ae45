using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>The sessions role.</summary>
internal sealed partial class SqliteVaultStorage : ISessionStore
{
    private const string SessionColumns =
        "s.handle, s.owner, s.data, s.label, s.version, s.created_at, s.last_seen_at, s.expires_at, s.idle_ms, s.absolute_at, k.key_version, k.wrapped";

    public Task AddSessionAsync(NewSession session, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            InsertSession(connection, session);
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<StoredSession?> GetSessionAsync(byte[] idHash, long now, long? touchBefore, CancellationToken cancellationToken)
    {
        StoredSession? stored;
        long idle, absolute;
        using (var connection = _connections.Open())
        {
            (stored, idle, absolute) = ReadSession(connection, idHash, now);
        }

        if (stored is null || touchBefore is not { } before || stored.LastSeenAt > before)
        {
            return Task.FromResult(stored);
        }

        // Stale enough to write: the touch is a write transaction of its own, taken only once per touch interval.
        return Write((connection, _) =>
        {
            var expiresAt = Math.Min(absolute, now + idle);
            return SqliteStatement.For(connection, "UPDATE sessions SET last_seen_at = ?2, expires_at = ?3 WHERE id_hash = ?1 AND expires_at > ?2 AND last_seen_at < ?2;")
                    .Bind(1, idHash).Bind(2, now).Bind(3, expiresAt).Execute() == 1
                ? stored with { LastSeenAt = now, ExpiresAt = expiresAt }
                : ReadSession(connection, idHash, now).Stored;
        }, cancellationToken);
    }

    public Task<long?> ReplaceSessionDataAsync(byte[] idHash, byte[] data, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var (stored, idle, absolute) = ReadSession(connection, idHash, now);
            if (stored is null || expectedVersion is { } expected && expected != stored.Version)
            {
                return (long?)null;
            }

            SqliteStatement.For(connection, "UPDATE sessions SET data = ?2, version = ?3, last_seen_at = ?4, expires_at = ?5 WHERE id_hash = ?1;")
                .Bind(1, idHash).Bind(2, data).Bind(3, stored.Version + 1).Bind(4, now).Bind(5, Math.Min(absolute, now + idle)).Execute();
            AuditWriter(connection).Append(audit);
            return stored.Version + 1;
        }, cancellationToken);

    public Task<bool> ReplaceSessionAsync(byte[] previousIdHash, long now, NewSession replacement, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            if (SqliteStatement.For(connection, "DELETE FROM sessions WHERE id_hash = ?1 AND expires_at > ?2;").Bind(1, previousIdHash).Bind(2, now).Execute() == 0)
            {
                return false;
            }

            InsertSession(connection, replacement);
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredSessionInfo>> ListSessionsAsync(Guid owner, long now, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection,
                "SELECT handle, label, created_at, last_seen_at, expires_at FROM sessions WHERE owner = ?1 AND expires_at > ?2 ORDER BY last_seen_at DESC, created_at DESC;")
            .Bind(1, owner).Bind(2, now).Query();
        var sessions = new List<StoredSessionInfo>();
        while (rows.Next())
        {
            sessions.Add(new StoredSessionInfo(rows.Guid(0), rows.BytesOrNull(1), rows.Int64(2), rows.Int64(3), rows.Int64(4)));
        }

        return (IReadOnlyList<StoredSessionInfo>)sessions;
    }, cancellationToken);

    public Task<bool> DeleteSessionAsync(byte[] idHash, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            using var deleted = SqliteStatement.For(connection, "DELETE FROM sessions WHERE id_hash = ?1 RETURNING owner;").Bind(1, idHash).Query();
            if (!deleted.Next())
            {
                return false;
            }

            var owner = deleted.IsNull(0) ? (Guid?)null : deleted.Guid(0);
            deleted.Dispose();
            AuditWriter(connection).Append(audit with { Person = owner });
            return true;
        }, cancellationToken);

    public Task<int> DeleteSessionsAsync(Guid owner, Guid? handle, byte[]? exceptIdHash, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var delete = SqliteStatement.For(connection, "DELETE FROM sessions WHERE owner = ?1 AND (?2 IS NULL OR handle = ?2) AND (?3 IS NULL OR id_hash <> ?3);").Bind(1, owner);
            if (handle is { } h)
            {
                delete.Bind(2, h);
            }
            else
            {
                delete.BindNull(2);
            }

            var count = delete.Bind(3, exceptIdHash).Execute();
            if (count > 0)
            {
                AuditWriter(connection).Append(audit);
            }

            return count;
        }, cancellationToken);

    public Task<int> DeleteExpiredSessionsAsync(long now, int limit, CancellationToken cancellationToken) =>
        Write((connection, _) => SqliteStatement.For(connection,
                "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE expires_at <= ?1 LIMIT ?2);")
            .Bind(1, now).Bind(2, (long)limit).Execute(), cancellationToken);

    Task ISessionStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute("DELETE FROM sessions WHERE owner = ?1;", Id(owner)), cancellationToken);

    private static void InsertSession(SqliteConnection connection, NewSession session)
    {
        if (session.Person is { } owner)
        {
            RequirePerson(connection, owner);
        }

        var insert = SqliteStatement.For(connection,
                "INSERT INTO sessions (id_hash, handle, owner, data, label, version, created_at, last_seen_at, idle_ms, absolute_at, expires_at) " +
                "VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6, ?7, ?8, ?9);")
            .Bind(1, session.IdHash).Bind(2, session.Handle);
        if (session.Person is { } o)
        {
            insert.Bind(3, o);
        }
        else
        {
            insert.BindNull(3);
        }

        insert.Bind(4, session.Data).Bind(5, session.Label).Bind(6, session.CreatedAt).Bind(7, session.IdleMilliseconds).Bind(8, session.AbsoluteExpiresAt).Bind(9, session.ExpiresAt)
            .Execute();
    }

    /// <summary>Reads a session live at <paramref name="now"/>, with the idle timeout and absolute expiry a touch needs.</summary>
    private static (StoredSession? Stored, long Idle, long Absolute) ReadSession(SqliteConnection connection, byte[] idHash, long now)
    {
        using var rows = SqliteStatement.For(connection,
                $"SELECT {SessionColumns} FROM sessions s LEFT JOIN data_keys k ON k.owner = s.owner WHERE s.id_hash = ?1 AND s.expires_at > ?2;")
            .Bind(1, idHash).Bind(2, now).Query();
        if (!rows.Next())
        {
            return (null, 0, 0);
        }

        var stored = new StoredSession(
            rows.Guid(0),
            rows.IsNull(1) ? null : rows.Guid(1),
            rows.Bytes(2),
            rows.BytesOrNull(3),
            rows.Int64(4),
            rows.Int64(5),
            rows.Int64(6),
            rows.Int64(7),
            rows.IsNull(10) ? null : new WrappedKey(rows.Text(10), rows.Bytes(11)));
        return (stored, rows.Int64(8), rows.Int64(9));
    }
}
