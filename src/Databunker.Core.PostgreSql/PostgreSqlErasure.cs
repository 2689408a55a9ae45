using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// The PostgreSQL erasure. Each module's deletions are kept and sent with the kernel's own and the audit event as
/// one batch of three statements at the commit: one round trip, in the batch's implicit transaction. Only a module's condition (an
/// expiration still waiting with this link) needs a transaction before that: it is begun then, the condition runs at
/// once with a row lock, and the commit's batch joins it after a savepoint, so that a moved stripe retries the batch alone.
/// </summary>
/// <remarks>
/// The person store adds its statements first, so the batch deletes the profile first and takes its row lock;
/// each later statement runs with a fresh snapshot and also sees rows that an instance which held the person's
/// row FOR SHARE (adding an expiration or a token) committed meanwhile. Without a data key (no such person, or
/// forgotten already) the tombstone's insert finds no token and fails, which rolls the batch back: nothing is written.
/// </remarks>
internal sealed class PostgreSqlErasure(PostgreSqlVaultStorage storage) : IErasureTransaction
{
    private static readonly ConcurrentDictionary<string, string> Statements = new(StringComparer.Ordinal);
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
            // The first step alone (the profile's DELETE, which takes the person's row lock); every other step, the data key
            // and the tombstone as one statement, whose one snapshot is taken once that lock was granted: it sees what a
            // writer that held the row FOR SHARE committed meanwhile.
            var rest = _steps;
            if (_steps.Count > 0)
            {
                Append(batch, _steps[0].Sql, _steps[0].Values);
                rest = _steps[1..];
            }

            var values = new List<object?>();
            foreach (var step in rest)
            {
                values.AddRange(step.Values);
            }

            values.AddRange([id, forgottenAt]);
            Append(batch, Statements.GetOrAdd(string.Join('\u0001', rest.Select(step => step.Values.Length.ToString(CultureInfo.InvariantCulture) + step.Sql)), Join, rest), [.. values]);
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

    /// <summary>
    /// The steps after the first, the data key's DELETE and the tombstone as one statement (the same modules add the same
    /// statements to every erasure, so each join is built once).
    /// </summary>
    private static string Join(string key, List<(string Sql, object?[] Values)> steps)
    {
        var sql = new StringBuilder("WITH ");
        var count = 0;
        foreach (var (step, i) in steps.Select((step, i) => (step, i)))
        {
            sql.Append(CultureInfo.InvariantCulture, $"s{i} AS (").Append(SqlParameters.Renumber(step.Sql.TrimEnd(';', ' '), count)).Append("), ");
            count += step.Values.Length;
        }

        // The data key's DELETE and the tombstone from what it deleted: no key, no token, and the batch fails.
        return sql.Append(CultureInfo.InvariantCulture, $"gone AS (DELETE FROM data_keys WHERE owner = ${count + 1} RETURNING owner) ")
            .Append(CultureInfo.InvariantCulture, $"INSERT INTO tombstones (token, forgotten_at) SELECT (SELECT owner FROM gone), ${count + 2} ")
            .Append("ON CONFLICT (token) DO UPDATE SET forgotten_at = excluded.forgotten_at;").ToString();
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
