using Dapper;

using Microsoft.Extensions.Options;
using NpgsqlTypes;

// Every Dapper call of the assembly is replaced at build time by Dapper.AOT's generated code: no reflection, no emit. An
// asynchronous call's arguments carry its cancellation token (a CancellationToken member is Dapper.AOT's way to take one).
[module: Dapper.DapperAot]

namespace Databunker.Core.PostgreSql;

/// <summary>
/// The server storage: Npgsql on one <see cref="NpgsqlDataSource"/> (its own connection pool), with
/// statements the server prepares after a few uses. Every change of several rows is one READ COMMITTED
/// transaction whose correctness with other instances rests on constraints, row locks and
/// <c>FOR UPDATE SKIP LOCKED</c>, never on a check made before a write.
/// </summary>
internal sealed partial class PostgreSqlVaultStorage : IVaultStore, IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly IAuditChain? _auditChain;
    private readonly IConsentChain? _consentChain;
    private readonly SemaphoreSlim _linking = new(1, 1);
    private readonly PostgreSqlAuditStripes _stripes = new();
    private readonly PostgreSqlConnectionStack _connections;

    /// <summary>
    /// From the moment this instance's <see cref="InitializeAsync"/> applied the consent chain's migration (or the heads') until
    /// <see cref="LinkLegacyConsentEventsAsync"/> has linked the decisions from before it: the connection that holds
    /// <see cref="PostgreSqlMigrator.ConsentLinkLock"/>, and the only authority for that linking, which nothing in the
    /// database can set.
    /// </summary>
    private NpgsqlConnection? _legacyToLink;

    /// <summary>Whether this instance's <see cref="InitializeAsync"/> applied the consent chain's migration (not only the heads'), until linked.</summary>
    private bool _chainToLink;

    /// <param name="options">The connection.</param>
    /// <param name="time">The clock.</param>
    /// <param name="auditChain">Links appended audit events; without one (a storage opened only to migrate or copy) appends are refused.</param>
    /// <param name="consentChain">Links appended consent decisions; without one, appends of decisions are refused.</param>
    public PostgreSqlVaultStorage(IOptions<PostgreSqlStorageOptions> options, TimeProvider time, IAuditChain? auditChain = null, IConsentChain? consentChain = null)
    {
        _auditChain = auditChain;
        _consentChain = consentChain;
        var settings = options.Value;
        var connection = PostgreSqlBuilderExtensions.ParseConnectionString(settings.ConnectionString, nameof(options));
        if (!ContainsKey(settings.ConnectionString, "Max Auto Prepare") && !ContainsKey(settings.ConnectionString, "MaxAutoPrepare"))
        {
            connection.MaxAutoPrepare = settings.MaxAutoPrepare;
        }

        // The vault keeps no session state on a connection (its advisory lock is transaction-scoped), so the
        // state reset that Npgsql otherwise prepends to the first statement after every pool rent is skipped.
        if (!ContainsKey(settings.ConnectionString, "No Reset On Close") && !ContainsKey(settings.ConnectionString, "NoResetOnClose"))
        {
            connection.NoResetOnClose = true;
        }

        if (string.IsNullOrEmpty(connection.ApplicationName))
        {
            connection.ApplicationName = "Databunker.Core";
        }

        _dataSource = new NpgsqlDataSourceBuilder(connection.ConnectionString).Build();
        _connections = new PostgreSqlConnectionStack(_dataSource, time);
        _time = time;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var applied = await PostgreSqlMigrator.MigrateAsync(connection, _time.GetUtcNow().ToUnixTimeMilliseconds(), Volatile.Read(ref _legacyToLink) is not null, cancellationToken)
                    .ConfigureAwait(false);
                if (applied.Contains(PostgreSqlMigrator.ConsentChainVersion) || applied.Contains(PostgreSqlMigrator.ConsentHeadsVersion))
                {
                    // The chain's migration: link the decisions from before it (and write the heads); the heads' alone: write the heads.
                    Volatile.Write(ref _chainToLink, applied.Contains(PostgreSqlMigrator.ConsentChainVersion));
                    // Kept open: its session holds the lock that other instances' starts wait for until the linking is done.
                    Volatile.Write(ref _legacyToLink, connection);
                    connection = null;
                }
            }
            catch
            {
                // A failed migration may have taken the session-level lock: the connection is closed, not pooled, which ends the session and releases it.
                _dataSource.Clear();
                throw;
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            throw new VaultConfigurationException(
                "The vault database is read-only: the vault writes audit events on every call, so it needs a writable primary server.", ex);
        }
        catch (PostgresException ex)
        {
            throw new VaultConfigurationException(StartFailure(ex), ex);
        }
        catch (NpgsqlException ex)
        {
            throw new VaultConfigurationException(
                "The PostgreSQL server cannot be reached: check the host, port, credentials and that the server is running.", ex);
        }
    }

    /// <summary>What a server's refusal at start means, by its SQLSTATE: the real cause, never the server's text (which may quote names).</summary>
    private static string StartFailure(PostgresException ex) => ex.SqlState switch
    {
        PostgresErrorCodes.InvalidCatalogName =>
            "The PostgreSQL database named in the connection string does not exist: create it (CREATE DATABASE), or fix Database.",
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
            $"PostgreSQL refused the login (error {ex.SqlState}): check Username and Password, and that pg_hba.conf lets this host in.",
        PostgresErrorCodes.InsufficientPrivilege =>
            $"The PostgreSQL user lacks a privilege the vault needs (error {ex.SqlState}): let it connect to the database and create tables in the schema (GRANT CONNECT, GRANT USAGE, CREATE ON SCHEMA).",
        PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections =>
            $"The PostgreSQL server does not take connections to this database now (error {ex.SqlState}): it is starting, shutting down, full or closed to connections.",
        _ => $"The vault schema cannot be created or migrated (PostgreSQL error {ex.SqlState}): check that the user may create tables in the schema.",
    };

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int?>("SELECT MAX(version) FROM schema_version;").ConfigureAwait(false) ?? 0;
    }

    public async Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int?>("SELECT 1 FROM tombstones WHERE token = @token;", new { token = Id(token), cancellationToken }).ConfigureAwait(false) is not null;
    }

    /// <summary>Nothing is sent before the commit, unless a module's condition needs the erasure's transaction (see <see cref="PostgreSqlErasure"/>).</summary>
    public Task<IErasureTransaction> BeginErasureAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IErasureTransaction>(new PostgreSqlErasure(this));

    /// <summary>An open connection: the newest one an audited call gave back, or one from the pool.</summary>
    internal ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);

    /// <summary>An erasure's batch on its own: one round trip; <see langword="false"/>, nothing written, when there was no such person.</summary>
    internal Task<bool> ErasureBatchAsync(Action<NpgsqlBatch, PostgreSqlAuditChainWriter> build, CancellationToken cancellationToken) =>
        AppendingAsync(async (connection, chain) =>
        {
            await using var batch = new NpgsqlBatch(connection);
            build(batch, chain);
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (PostgresException ex) when (PostgreSqlErasure.IsNoPerson(ex))
            {
                chain.Discard();
                return false;
            }
        }, cancellationToken);

    /// <summary>
    /// An erasure's batch in the transaction its conditions began. The batch runs after a savepoint: if another instance
    /// appended to the stripe meanwhile, only the batch rolls back, the conditions' row locks stay, and it runs again
    /// on another stripe.
    /// </summary>
    internal async Task<bool> ErasureInTransactionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Action<NpgsqlBatch, PostgreSqlAuditChainWriter> build, CancellationToken cancellationToken)
    {
        PostgreSqlAuditStripes.Lease? lease = await _stripes.TakeAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (lease.Link is null)
                {
                    await ReadHeadAsync(connection, transaction, lease, cancellationToken).ConfigureAwait(false);
                }

                var chain = new PostgreSqlAuditChainWriter(_auditChain, lease);
                await transaction.SaveAsync("erasure", cancellationToken).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, transaction);
                build(batch, chain);
                try
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (PostgreSqlErasure.IsNoPerson(ex))
                {
                    // The disposal rolls the transaction back.
                    return false;
                }
                catch (PostgresException ex) when (PostgreSqlAuditChainWriter.IsMoved(ex) && attempt < MaxAttempts)
                {
                    // Another instance writes to this stripe: the batch runs again on another one, as AppendingAsync's do,
                    // so that two instances that happened to take the same stripe part instead of meeting again and again.
                    await transaction.RollbackAsync("erasure", cancellationToken).ConfigureAwait(false);
                    lease.Forget();
                    _stripes.Return(lease);
                    lease = null;
                    lease = await _stripes.TakeAsync(_dataSource, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                chain.Committed();
                return true;
            }
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            lease?.Forget();
            throw;
        }
        finally
        {
            if (lease is not null)
            {
                _stripes.Return(lease);
            }
        }
    }

    /// <summary>A VACUUM of the tables that held persons' rows, so that the bytes of deleted rows leave the pages.</summary>
    public bool CanCompact => true;

    public async Task<bool> CompactAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "VACUUM users, data_keys, user_indexes, expirations, tokens;", cancellationToken).ConfigureAwait(false);
        return true;
    }

    public void Dispose()
    {
        // Its connection goes back to the pool with the lock, and the pool's dispose then ends the session, which releases it.
        Interlocked.Exchange(ref _legacyToLink, null)?.Dispose();
        _connections.Dispose();
        _dataSource.Dispose();
        _linking.Dispose();
        _stripes.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _legacyToLink, null) is { } held)
        {
            await held.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _linking.Dispose();
        _stripes.Dispose();
    }

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    /// <summary>A positional parameter; an array of byte arrays is a bytea[], which Npgsql does not infer.</summary>
    internal static NpgsqlParameter Parameter(object? value) => value is byte[][] array
        ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = array }
        : new NpgsqlParameter { Value = value ?? DBNull.Value };

    internal static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction on one pooled connection, and commits it.</summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs an audited write in one transaction that appends to a leased stripe of the audit trail (see
    /// <see cref="PostgreSqlAuditChainWriter"/>), and commits it. When another instance moved the stripe, or PostgreSQL
    /// broke a deadlock or a serialization conflict, the transaction rolled back and <paramref name="work"/> runs again.
    /// </summary>
    private Task<T> AuditedWriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, PostgreSqlAuditChainWriter, Task<T>> work, CancellationToken cancellationToken) =>
        AppendingAsync(async (connection, chain) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            chain.Use(connection, transaction);
            var result = await work(connection, transaction, chain).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    /// <summary>
    /// Runs an audited write as one batch, one round trip: the statements <paramref name="build"/> adds and their
    /// audit events commit together in the batch's implicit transaction, or not at all. <paramref name="read"/> then
    /// reads the outcome from the executed batch (and may query more on the same connection).
    /// </summary>
    private Task<T> AuditedBatchAsync<T>(
        Action<NpgsqlBatch, PostgreSqlAuditChainWriter> build,
        Func<NpgsqlBatch, PostgreSqlAuditChainWriter, Task<T>> read,
        Func<NpgsqlBatch, Task>? execute,
        CancellationToken cancellationToken) =>
        AppendingAsync(
            (Build: build, Read: read, Execute: execute),
            static async (steps, connection, chain, cancellationToken) =>
            {
                await using var batch = new NpgsqlBatch(connection);
                steps.Build(batch, chain);
                await (steps.Execute?.Invoke(batch) ?? batch.ExecuteNonQueryAsync(cancellationToken)).ConfigureAwait(false);
                return await steps.Read(batch, chain).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>
    /// A read and its audit event as one statement, one round trip, one snapshot: the event is appended only if the read
    /// found a row for which <paramref name="condition"/> (SQL over the row's columns, as <c>r.name</c>) holds; when it
    /// was not appended, the caller appends the one that fits. The read's arguments travel as state to a static body
    /// (no closure, delegate or second state machine per call: this is the path under every audited get).
    /// </summary>
    private Task<AuditedRead<T>> ReadAuditedAsync<T>(
        string select, object?[] selectValues, AuditRecord audit, string condition, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class =>
        AppendingAsync(
            new AuditedReadArguments<T>(select, selectValues, audit, condition, read),
            static async (arguments, connection, chain, cancellationToken) =>
            {
                T? value = null;
                var audited = false;
                await using (var batch = new NpgsqlBatch(connection))
                {
                    chain.AddRead(batch, arguments.Audit, arguments.Select, arguments.SelectValues, arguments.Condition);
                    await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        (value, audited) = (arguments.Read(reader), reader.GetBoolean(reader.FieldCount - 1));
                    }
                }

                if (!audited)
                {
                    chain.Undo();
                }

                return new AuditedRead<T>(value, audited);
            },
            cancellationToken);

    private readonly record struct AuditedReadArguments<T>(string Select, object?[] SelectValues, AuditRecord Audit, string Condition, Func<NpgsqlDataReader, T> Read);

    /// <summary>
    /// Leases a stripe (reading its head when this instance does not know it), runs <paramref name="write"/> on a pooled
    /// connection, and records where it left the stripe's head. A moved stripe, a deadlock or a serialization failure
    /// rolled everything back: the write runs again, on another stripe if the head moved.
    /// </summary>
    private Task<T> AppendingAsync<T>(Func<NpgsqlConnection, PostgreSqlAuditChainWriter, Task<T>> write, CancellationToken cancellationToken) =>
        AppendingAsync(write, static (write, connection, chain, _) => write(connection, chain), cancellationToken);

    /// <summary>
    /// <see cref="AppendingAsync{T}(Func{NpgsqlConnection, PostgreSqlAuditChainWriter, Task{T}}, CancellationToken)"/> with
    /// the write's arguments passed as <paramref name="state"/>, so that a static <paramref name="write"/> captures nothing.
    /// </summary>
    private async Task<T> AppendingAsync<TState, T>(
        TState state, Func<TState, NpgsqlConnection, PostgreSqlAuditChainWriter, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var lease = await _stripes.TakeAsync(_dataSource, cancellationToken).ConfigureAwait(false);
            NpgsqlConnection? connection = null;
            var generation = _connections.Generation;
            try
            {
                connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
                if (lease.Link is null)
                {
                    await ReadHeadAsync(connection, null, lease, cancellationToken).ConfigureAwait(false);
                }

                var chain = new PostgreSqlAuditChainWriter(_auditChain, lease);
                var result = await write(state, connection, chain, cancellationToken).ConfigureAwait(false);
                chain.Committed();

                // Kept for the next call (newest first), unless it is not idle; a failed call disposes it below instead.
                var used = connection;
                connection = null;
                await _connections.ReturnAsync(used, generation).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && (PostgreSqlAuditChainWriter.IsMoved(ex) || ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure))
            {
                lease.Forget();
            }
            catch (NpgsqlException ex) when (ex is not PostgresException)
            {
                // The connection failed: whether it committed is not known, so the head is read again before the next use.
                // (Any other failure rolled back, or committed without being recorded: then the next append finds the head moved.)
                // When no connection could be opened, the kept ones go too: a server that went away leaves them all
                // dead. (A connection that broke is seen below; one whose command timed out but stays open is kept out
                // of the stack, but does not take the others with it.)
                lease.Forget();
                if (connection is null)
                {
                    _connections.Clear();
                }

                throw;
            }
            finally
            {
                if (connection is not null)
                {
                    // Failed: a connection that broke (a server shutting down answers with a PostgresException of class 57)
                    // takes the kept ones with it.
                    _connections.Failed(connection);
                    await connection.DisposeAsync().ConfigureAwait(false);
                }

                _stripes.Return(lease);
            }
        }
    }

    /// <summary>How often a write runs before a moved stripe or a deadlock reaches the caller.</summary>
    private const int MaxAttempts = 8;

    /// <summary>A stripe's head: its newest chained event, or where its chain starts when it holds none.</summary>
    private const string HeadOf =
        "SELECT COALESCE(e.seq, c.first_seq - 1), COALESCE(e.link, c.first_prev) FROM audit_chain c LEFT JOIN LATERAL " +
        "(SELECT seq, link FROM audit_events WHERE stripe = c.id AND seq >= c.first_seq ORDER BY seq DESC LIMIT 1) e ON true WHERE c.id = $1;";

    private static async Task ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, PostgreSqlAuditStripes.Lease lease, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, transaction, HeadOf, lease.Stripe);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A stripe of the audit trail is missing its row.");
        }

        lease.Moved(reader.GetInt64(0), (byte[])reader.GetValue(1));
    }

    private static bool ContainsKey(string connectionString, string key) =>
        connectionString.Contains(key, StringComparison.OrdinalIgnoreCase);

    private static bool IsUniqueViolation(PostgresException ex) => ex.SqlState == PostgresErrorCodes.UniqueViolation;

    private static byte[] Id(Guid token) => token.ToByteArray();

    /// <summary>
    /// Locks the person's row FOR SHARE, so that a concurrent forget waits and then deletes what this transaction adds
    /// too; throws <see cref="PersonNotFoundException"/> when there is no such person.
    /// </summary>
    private static async Task LockPersonAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, byte[] person, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, transaction, "SELECT 1 FROM users WHERE token = $1 FOR SHARE;", cancellationToken, person).ConfigureAwait(false) is null)
        {
            throw new PersonNotFoundException();
        }
    }
}
