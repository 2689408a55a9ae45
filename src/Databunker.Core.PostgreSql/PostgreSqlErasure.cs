namespace Databunker.Core.PostgreSql;

/// <summary>
/// The PostgreSQL erasure. Each module's deletions are kept and sent with the kernel's own and the audit event as
/// one batch at the commit: one round trip, in the batch's implicit transaction. Only a module's condition (an
/// expiration still waiting with this link) needs a transaction before that: it is begun then, the condition runs at
/// once with a row lock, and the commit's batch joins it, on a stripe whose head row it locks first.
/// </summary>
/// <remarks>
/// The person store adds its statements first, so the batch deletes the profile first and takes its row lock;
/// each later statement runs with a fresh snapshot and also sees rows that an instance which held the person's
/// row FOR SHARE (adding an expiration or a token) committed meanwhile. Without a data key (no such person, or
/// forgotten already) the tombstone's insert finds no token and fails, which rolls the batch back: nothing is written.
/// </remarks>
internal sealed class PostgreSqlErasure(PostgreSqlVaultStorage storage) : IErasureTransaction
{
    /// <summary>Deletes the data key and writes the tombstone from what it deleted: no key, no token, and the batch fails.</summary>
    private const string Gate =
        "WITH gone AS (DELETE FROM data_keys WHERE owner = $1 RETURNING owner) " +
        "INSERT INTO tombstones (token, forgotten_at) SELECT (SELECT owner FROM gone), $2 ON CONFLICT (token) DO UPDATE SET forgotten_at = excluded.forgotten_at;";

    private readonly List<(string Sql, object?[] Values)> _steps = [];
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private bool _done;

    public static PostgreSqlErasure Of(IErasureTransaction erasure) =>
        erasure as PostgreSqlErasure ?? throw new ArgumentException("The erasure was begun by another storage.", nameof(erasure));

    /// <summary>Keeps a statement for the commit's batch.</summary>
    public Task Add(string sql, params object?[] values)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _steps.Add((sql, values));
        return Task.CompletedTask;
    }

    /// <summary>The erasure's transaction, begun on first use, for a condition that must hold until the commit.</summary>
    public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> TransactionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _connection ??= await storage.OpenAsync(cancellationToken).ConfigureAwait(false);
        _transaction ??= await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        return (_connection, _transaction);
    }

    public async Task<bool> CommitAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        var id = token.ToByteArray();
        void Build(NpgsqlBatch batch, PostgreSqlAuditChainWriter chain)
        {
            foreach (var (sql, values) in _steps)
            {
                Append(batch, sql, values);
            }

            Append(batch, Gate, id, forgottenAt);
            chain.Add(batch, audit);
        }

        var committed = _transaction is null
            ? await storage.ErasureBatchAsync(Build, cancellationToken).ConfigureAwait(false)
            : await storage.ErasureInTransactionAsync(_connection!, _transaction, Build, cancellationToken).ConfigureAwait(false);
        _done = committed;
        return committed;
    }

    /// <summary>Whether <paramref name="exception"/> is the gate's: the person had no data key.</summary>
    public static bool IsNoPerson(PostgresException exception) =>
        exception is { SqlState: PostgresErrorCodes.NotNullViolation, TableName: "tombstones" };

    public async ValueTask DisposeAsync()
    {
        _done = true;
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
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
