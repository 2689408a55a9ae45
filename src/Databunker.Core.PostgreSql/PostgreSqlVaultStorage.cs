using Microsoft.Extensions.Options;
using NpgsqlTypes;

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
        _time = time;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT MAX(version) FROM schema_version;", cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    public async Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT 1 FROM tombstones WHERE token = $1;", cancellationToken, Id(token)).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Locks the audit chain's head first, as every audited write here does, so that erasures and other writes
    /// take their locks in one order.
    /// </summary>
    public async Task<IErasureTransaction> BeginErasureAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var chain = await PostgreSqlAuditChainWriter.LockAsync(connection, transaction, _auditChain, cancellationToken).ConfigureAwait(false);
            return new PostgreSqlErasure(connection, transaction, chain);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A VACUUM of the tables that held persons' rows, so that the bytes of deleted rows leave the pages.</summary>
    public bool CanCompact => true;

    public async Task<bool> CompactAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "VACUUM users, data_keys, user_indexes, expirations, tokens;", cancellationToken).ConfigureAwait(false);
        return true;
    }

    public void Dispose()
    {
        // Its connection goes back to the pool with the lock, and the pool's dispose then ends the session, which releases it.
        Interlocked.Exchange(ref _legacyToLink, null)?.Dispose();
        _dataSource.Dispose();
        _linking.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _legacyToLink, null) is { } held)
        {
            await held.DisposeAsync().ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _linking.Dispose();
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

    /// <summary>Runs a <c>SELECT COUNT(*)</c> with one parameter on a connection of its own.</summary>
    private async Task<long> CountAsync(string sql, object value, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (long)(await ScalarAsync(connection, null, sql, cancellationToken, value).ConfigureAwait(false))!;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction on one pooled connection, and commits it.</summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs an audited write in one transaction whose first lock is the audit chain's head (see
    /// <see cref="PostgreSqlAuditChainWriter"/>), and commits it.
    /// </summary>
    private Task<T> AuditedWriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, PostgreSqlAuditChainWriter, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var audit = await PostgreSqlAuditChainWriter.LockAsync(connection, transaction, _auditChain, cancellationToken).ConfigureAwait(false);
            return await work(connection, transaction, audit).ConfigureAwait(false);
        }, cancellationToken);

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
