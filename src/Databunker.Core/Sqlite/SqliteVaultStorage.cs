using Dapper;
using Microsoft.Data.Sqlite;

// Every Dapper call of the assembly is replaced at build time by Dapper.AOT's generated code: no reflection, no emit.
[module: Dapper.DapperAot]

namespace Databunker.Core.Sqlite;

/// <summary>
/// The embedded storage: Microsoft.Data.Sqlite on a pool of configured connections that keep their
/// prepared statements (Dapper through Dapper.AOT off the hot paths), WAL journal,
/// <c>secure_delete</c>, and one <c>BEGIN IMMEDIATE</c> transaction for every change of several rows.
/// Microsoft.Data.Sqlite does its I/O synchronously, so the methods complete before they return.
/// </summary>
internal sealed partial class SqliteVaultStorage : IVaultStore, IDisposable
{
    private const int ConstraintError = 19;
    private const int ReadOnlyError = 8;
    private const int CantOpenError = 14;
    private readonly SqliteConnectionFactory _connections;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IAuditChain? _auditChain;
    private readonly IConsentChain? _consentChain;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly SemaphoreSlim _writers = new(1, 1);

    /// <summary>
    /// 1 from the moment this instance's <see cref="InitializeAsync"/> applied the consent chain's migration until
    /// <see cref="LinkLegacyConsentEventsAsync"/> has linked the decisions from before it: the only authority for that
    /// linking, which nothing in the database can set.
    /// </summary>
    private int _legacyToLink;

    /// <summary>1 from the start whose migration added the consent ledgers' heads until <see cref="LinkLegacyConsentEventsAsync"/> has written them.</summary>
    private int _headsToWrite;

    /// <param name="options">Where the database is.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="auditChain">Links appended audit events; without one (a storage opened only to read or copy) appends are refused.</param>
    /// <param name="consentChain">Links appended consent decisions; without one, appends of decisions are refused.</param>
    public SqliteVaultStorage(IOptions<SqliteStorageOptions> options, TimeProvider time, ILogger<SqliteVaultStorage>? logger = null, IAuditChain? auditChain = null, IConsentChain? consentChain = null)
    {
        _auditChain = auditChain;
        _consentChain = consentChain;
        _connections = new SqliteConnectionFactory(options.Value);
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _checkpointer = new SqliteCheckpointer(_connections, _writers, _logger);
        if (_connections.IsInMemory)
        {
            SqliteLog.InMemoryVault(_logger);
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => Run(() =>
    {
        try
        {
            if (!_connections.IsInMemory)
            {
                SqliteFileMode.Secure(_connections.DataSource, _connections.CreatesFile, _logger);
            }

            using var connection = _connections.Open();
            var applied = SqliteMigrator.Migrate(connection, _connections.IsInMemory, _time.GetUtcNow().ToUnixTimeMilliseconds());
            if (applied.Contains(SqliteMigrator.ConsentChainVersion))
            {
                Volatile.Write(ref _legacyToLink, 1);
            }

            if (applied.Contains(SqliteMigrator.ConsentHeadsVersion))
            {
                Volatile.Write(ref _headsToWrite, 1);
            }

            return applied.Count;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == CantOpenError && !_connections.CreatesFile && !File.Exists(_connections.DataSource))
        {
            throw new VaultConfigurationException(
                $"The vault database file {Path.GetFullPath(_connections.DataSource)} does not exist, so it cannot be opened; nothing was created. Check the path. " +
                "Creating a vault is explicit: SqliteStorageOptions.CreateIfMissing (Storage:CreateIfMissing in configuration) or databunker init.", ex);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == ReadOnlyError)
        {
            throw new VaultConfigurationException(
                "The vault database is read-only: the vault writes audit events on every call, so it needs a writable file and folder.", ex);
        }
        catch (SqliteException ex)
        {
            throw new VaultConfigurationException(
                $"The vault database cannot be opened or migrated (SQLite error {ex.SqliteErrorCode}): check the path, that it is writable and that it is a SQLite database.", ex);
        }
    }, cancellationToken);

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.ExecuteScalar<int?>("SELECT MAX(version) FROM schema_version;") ?? 0;
    }, cancellationToken);

    public Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM tombstones WHERE token = @token;", new { token = Id(token) }) > 0;
    }, cancellationToken);

    public Task<IErasureTransaction> BeginErasureAsync(CancellationToken cancellationToken) => Run<IErasureTransaction>(() =>
    {
        var connection = _connections.Open();
        try
        {
            return SqliteErasure.Begin(this, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }, cancellationToken);

    public bool CanCompact => !_connections.IsInMemory;

    public Task<bool> CompactAsync(CancellationToken cancellationToken) => Run(() =>
    {
        if (_connections.IsInMemory)
        {
            return true;
        }

        // The first column says whether the checkpoint was blocked (1) or done (0).
        using var connection = _connections.Open();
        return connection.QueryFirst<long>("PRAGMA wal_checkpoint(TRUNCATE);") == 0;
    }, cancellationToken);

    /// <summary>The background checkpoints (<see cref="SqliteStorageOptions.BackgroundCheckpointCommits"/>).</summary>
    internal SqliteCheckpointer Checkpointer => _checkpointer;

    public void Dispose()
    {
        _checkpointer.Dispose();
        _connections.Dispose();
    }

    private static Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return Task.FromResult(work());
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    /// <summary>
    /// One write transaction. The writers of this process queue here, first come first served, before they ask
    /// SQLite for the write lock: SQLite's busy handler would have them sleep and retry with growing pauses (up
    /// to 100 ms each), which under concurrent writes made single calls wait hundreds of milliseconds. Writers of
    /// other processes, and this process's erasures, still meet the busy handler.
    /// </summary>
    private Task<T> Write<T>(Func<SqliteConnection, SqliteTransaction?, T> work, CancellationToken cancellationToken)
    {
        var entered = _writers.WaitAsync(cancellationToken);
        return entered.IsCompletedSuccessfully ? WriteEntered(work) : WriteQueuedAsync(entered, work);
    }

    private async Task<T> WriteQueuedAsync<T>(Task entered, Func<SqliteConnection, SqliteTransaction?, T> work)
    {
        await entered.ConfigureAwait(false);
        return await WriteEntered(work).ConfigureAwait(false);
    }

    private Task<T> WriteEntered<T>(Func<SqliteConnection, SqliteTransaction?, T> work)
    {
        try
        {
            return Run(() =>
            {
                // BEGIN and COMMIT as prepared statements of the connection: Microsoft.Data.Sqlite's transaction
                // object prepares both anew, through a command and a reader of their own, on every transaction. The
                // work gets no transaction object; its commands run inside the one begun here.
                using var connection = _connections.Open();
                SqliteStatement.For(connection, "BEGIN IMMEDIATE;").Execute();
                T result;
                try
                {
                    result = work(connection, null);
                    SqliteStatement.For(connection, "COMMIT;").Execute();
                }
                catch
                {
                    SqliteStatement.RollBack(connection);
                    throw;
                }

                _checkpointer.Committed(connection);
                return result;
            }, CancellationToken.None);
        }
        finally
        {
            _writers.Release();
        }
    }

    private static bool IsUniqueViolation(SqliteException ex) => ex.SqliteErrorCode == ConstraintError;

    private static byte[] Id(Guid token) => token.ToByteArray();

    /// <summary>Throws <see cref="PersonNotFoundException"/> unless the person exists; inside a write transaction, a forget cannot come between.</summary>
    private static void RequirePerson(SqliteConnection connection, Guid person)
    {
        using var exists = SqliteStatement.For(connection, "SELECT 1 FROM users WHERE token = ?1;").Bind(1, person).Query();
        if (!exists.Next())
        {
            throw new PersonNotFoundException();
        }
    }
}
