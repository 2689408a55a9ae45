namespace Databunker.Core.PostgreSql;

/// <summary>
/// The PostgreSQL erasure: a transaction that holds the audit chain's head from its start. Each module's
/// deletions are kept and sent with the kernel's own as one batch, one round trip, at the commit; a module's
/// condition (an expiration still waiting with this link) runs at once, with a row lock.
/// </summary>
/// <remarks>
/// The person store adds its statements first, so the batch deletes the profile first and takes its row lock;
/// each later statement runs with a fresh snapshot and also sees rows that an instance which held the person's
/// row FOR SHARE (adding an expiration or a token) committed meanwhile.
/// </remarks>
internal sealed class PostgreSqlErasure(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgreSqlAuditChainWriter chain) : IErasureTransaction
{
    private readonly List<(string Sql, object?[] Values)> _steps = [];
    private bool _done;

    public NpgsqlConnection Connection => connection;

    public NpgsqlTransaction Transaction => transaction;

    public static PostgreSqlErasure Of(IErasureTransaction erasure) =>
        erasure as PostgreSqlErasure ?? throw new ArgumentException("The erasure was begun by another storage.", nameof(erasure));

    /// <summary>Keeps a statement for the commit's batch.</summary>
    public Task Add(string sql, params object?[] values)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _steps.Add((sql, values));
        return Task.CompletedTask;
    }

    public async Task<bool> CommitAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        var id = token.ToByteArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (sql, values) in _steps)
        {
            Append(batch, sql, values);
        }

        var gate = batch.BatchCommands.Count;
        Append(batch, "DELETE FROM data_keys WHERE owner = $1;", id);
        Append(batch, "INSERT INTO tombstones (token, forgotten_at) VALUES ($1, $2) ON CONFLICT (token) DO UPDATE SET forgotten_at = excluded.forgotten_at;", id, forgottenAt);
        chain.Add(batch, audit);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (batch.BatchCommands[gate].RecordsAffected == 0)
        {
            // No data key, no person: the disposal rolls everything back.
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _done = true;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _done = true;
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private static void Append(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(PostgreSqlVaultStorage.Parameter(value));
        }

        batch.BatchCommands.Add(command);
    }
}
