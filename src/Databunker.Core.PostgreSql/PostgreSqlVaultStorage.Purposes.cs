namespace Databunker.Core.PostgreSql;

/// <summary>The persons role's field retention: each person's purpose states and the time of their next look.</summary>
internal sealed partial class PostgreSqlVaultStorage
{
    private const string PersonThere = "EXISTS (SELECT 1 FROM users WHERE token = $1)";

    private const string LowerFieldDue =
        "INSERT INTO field_retention (owner, due_at) SELECT $1, $2 WHERE " + PersonThere
        + " ON CONFLICT (owner) DO UPDATE SET due_at = LEAST(field_retention.due_at, excluded.due_at);";

    public async Task<IReadOnlyList<PurposeState>> GetPurposeStatesAsync(Guid person, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT activity, ended_at, used_at FROM purpose_states WHERE owner = $1 ORDER BY activity;", Id(person));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var states = new List<PurposeState>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            states.Add(new PurposeState(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }

        return states;
    }

    /// <summary>One batch, one round trip: the state, the next look and the event, each only if the person is there.</summary>
    public Task<bool> EndPurposeAsync(Guid person, string activity, long at, AuditRecord audit, CancellationToken cancellationToken)
    {
        var owner = Id(person);
        return AuditedBatchAsync(
            (batch, chain) =>
            {
                Add(batch, "INSERT INTO purpose_states (owner, activity, ended_at) SELECT $1, $2, $3 WHERE " + PersonThere
                    + " ON CONFLICT (owner, activity) DO UPDATE SET ended_at = COALESCE(purpose_states.ended_at, excluded.ended_at);", owner, activity, at);
                Add(batch, LowerFieldDue, owner, at);
                chain.Add(batch, audit, "EXISTS (SELECT 1 FROM users WHERE token = {0})", owner);
            },
            (batch, chain) =>
            {
                if (batch.BatchCommands[0].RecordsAffected == 1)
                {
                    return Task.FromResult(true);
                }

                chain.Undo();
                return Task.FromResult(false);
            },
            null,
            cancellationToken);
    }

    public async Task RecordPurposeUseAsync(Guid person, string activity, long at, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "INSERT INTO purpose_states (owner, activity, used_at) SELECT $1, $2, $3 WHERE " + PersonThere
            + " ON CONFLICT (owner, activity) DO UPDATE SET used_at = GREATEST(purpose_states.used_at, excluded.used_at);",
            cancellationToken, Id(person), activity, at).ConfigureAwait(false);
    }

    public async Task ScheduleFieldRetentionAsync(Guid person, long? dueAt, bool onlyEarlier, CancellationToken cancellationToken)
    {
        if (dueAt is null && onlyEarlier)
        {
            return;
        }

        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var owner = Id(person);
        if (dueAt is not { } due)
        {
            await ExecuteAsync(connection, null, "DELETE FROM field_retention WHERE owner = $1;", cancellationToken, owner).ConfigureAwait(false);
            return;
        }

        await ExecuteAsync(connection, null, onlyEarlier
                ? LowerFieldDue
                : "INSERT INTO field_retention (owner, due_at) SELECT $1, $2 WHERE " + PersonThere + " ON CONFLICT (owner) DO UPDATE SET due_at = excluded.due_at;",
            cancellationToken, owner, due).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Guid>> GetFieldRetentionDueAsync(long now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT owner FROM field_retention WHERE due_at <= $1 ORDER BY due_at LIMIT $2;", now, limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            due.Add(new Guid(reader.GetFieldValue<byte[]>(0)));
        }

        return due;
    }
}
