namespace Databunker.Core.Sqlite;

/// <summary>The persons role's field retention: each person's purpose states and the time of their next look.</summary>
internal sealed partial class SqliteVaultStorage
{
    private const string LowerFieldDue =
        "INSERT INTO field_retention (owner, due_at) VALUES (?1, ?2) ON CONFLICT (owner) DO UPDATE SET due_at = MIN(due_at, excluded.due_at);";

    public Task<IReadOnlyList<PurposeState>> GetPurposeStatesAsync(Guid person, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, "SELECT activity, ended_at, used_at FROM purpose_states WHERE owner = ?1 ORDER BY activity;").Bind(1, person).Query();
        var states = new List<PurposeState>();
        while (rows.Next())
        {
            states.Add(new PurposeState(rows.Text(0), rows.IsNull(1) ? null : rows.Int64(1), rows.IsNull(2) ? null : rows.Int64(2)));
        }

        return (IReadOnlyList<PurposeState>)states;
    }, cancellationToken);

    public Task<bool> EndPurposeAsync(Guid person, string activity, long at, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var owner = Id(person);
            using (var exists = SqliteStatement.For(connection, "SELECT 1 FROM users WHERE token = ?1;").Bind(1, owner).Query())
            {
                if (!exists.Next())
                {
                    return false;
                }
            }

            SqliteStatement.For(connection,
                    "INSERT INTO purpose_states (owner, activity, ended_at) VALUES (?1, ?2, ?3) ON CONFLICT (owner, activity) DO UPDATE SET ended_at = COALESCE(ended_at, excluded.ended_at);")
                .Bind(1, owner).Bind(2, activity).Bind(3, at).Execute();
            SqliteStatement.For(connection, LowerFieldDue).Bind(1, owner).Bind(2, at).Execute();
            AuditWriter(connection).Append(audit);
            return true;
        }, cancellationToken);

    public Task RecordPurposeUseAsync(Guid person, string activity, long at, CancellationToken cancellationToken) =>
        Write((connection, transaction) => SqliteStatement.For(connection,
                "INSERT INTO purpose_states (owner, activity, used_at) SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM users WHERE token = ?1) "
                + "ON CONFLICT (owner, activity) DO UPDATE SET used_at = MAX(COALESCE(used_at, 0), excluded.used_at);")
            .Bind(1, Id(person)).Bind(2, activity).Bind(3, at).Execute(), cancellationToken);

    public Task ScheduleFieldRetentionAsync(Guid person, long? dueAt, bool onlyEarlier, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var owner = Id(person);
            return (dueAt, onlyEarlier) switch
            {
                (null, true) => 0,
                (null, false) => SqliteStatement.For(connection, "DELETE FROM field_retention WHERE owner = ?1;").Bind(1, owner).Execute(),
                ({ } due, _) => SqliteStatement.For(connection,
                        "INSERT INTO field_retention (owner, due_at) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM users WHERE token = ?1) ON CONFLICT (owner) DO UPDATE SET due_at = "
                        + (onlyEarlier ? "MIN(due_at, excluded.due_at);" : "excluded.due_at;"))
                    .Bind(1, owner).Bind(2, due).Execute(),
            };
        }, cancellationToken);

    public Task<IReadOnlyList<Guid>> GetFieldRetentionDueAsync(long now, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, "SELECT owner FROM field_retention WHERE due_at <= ?1 ORDER BY due_at LIMIT ?2;").Bind(1, now).Bind(2, (long)limit).Query();
        var due = new List<Guid>();
        while (rows.Next())
        {
            due.Add(rows.Guid(0));
        }

        return (IReadOnlyList<Guid>)due;
    }, cancellationToken);

    /// <summary>A new or changed person's first look, in their write's transaction: earlier than any they have, never later.</summary>
    private static void LowerFieldRetention(Microsoft.Data.Sqlite.SqliteConnection connection, ReadOnlySpan<byte> owner, long? dueAt)
    {
        if (dueAt is { } due)
        {
            SqliteStatement.For(connection, LowerFieldDue).Bind(1, owner).Bind(2, due).Execute();
        }
    }

    /// <summary>A forgotten person's purpose states and next look.</summary>
    private static void DeleteFieldRetention(Microsoft.Data.Sqlite.SqliteConnection connection, byte[] owner)
    {
        SqliteStatement.For(connection, "DELETE FROM purpose_states WHERE owner = ?1;").Bind(1, owner).Execute();
        SqliteStatement.For(connection, "DELETE FROM field_retention WHERE owner = ?1;").Bind(1, owner).Execute();
    }
}
