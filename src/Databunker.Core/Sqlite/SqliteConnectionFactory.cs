using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// Opens configured connections to the vault's SQLite database: busy timeout, <c>secure_delete</c> and
/// the chosen <c>synchronous</c> level on every connection (the pool hands back configured ones).
/// <c>:memory:</c> becomes a private shared-cache database kept alive by one connection of its own.
/// </summary>
internal sealed class SqliteConnectionFactory : IDisposable
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private const int MaxIdle = 32;
    private readonly SqliteConnection? _keepAlive;
    private readonly ConcurrentBag<PooledSqliteConnection> _idle = [];
    private volatile bool _disposed;

    public SqliteConnectionFactory(SqliteStorageOptions options)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new VaultConfigurationException("The SQLite connection string is malformed.", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new VaultConfigurationException("The SQLite connection string has no Data Source: give a file path or :memory:.");
        }

        if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            builder.DataSource = "databunker-" + Guid.NewGuid().ToString("N");
            builder.Mode = SqliteOpenMode.Memory;
            builder.Cache = SqliteCacheMode.Shared;
            IsInMemory = true;
        }

        else if (!options.CreateIfMissing && builder.Mode == SqliteOpenMode.ReadWriteCreate)
        {
            // SQLite itself then refuses a missing file: no database, -wal or -shm file is made by any open.
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        var timeoutMs = (long)options.BusyTimeout.TotalMilliseconds;
        builder.DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds));
        builder.Pooling = false;
        _connectionString = builder.ToString();
        BackgroundCheckpointCommits = IsInMemory ? 0 : options.BackgroundCheckpointCommits;
        RestartCheckpointPages = Math.Max(1000, options.JournalSizeLimit / 4096);
        var cache = options.PageCacheKiB > 0 ? -options.PageCacheKiB : -2000;
        var autoCheckpoint = BackgroundCheckpointCommits > 0 ? 0 : 1000;
        _pragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout={timeoutMs}; PRAGMA secure_delete=ON; PRAGMA journal_size_limit={Math.Max(0, options.JournalSizeLimit)}; " +
            $"PRAGMA synchronous={(options.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}; PRAGMA mmap_size={(IsInMemory ? 0 : options.MemoryMapSize)}; " +
            $"PRAGMA cache_size={cache}; PRAGMA wal_autocheckpoint={autoCheckpoint};{(options.MaxPageCount > 0 ? " PRAGMA max_page_count=" : null)}{(options.MaxPageCount > 0 ? options.MaxPageCount : null)}");
        DataSource = builder.DataSource;
        CreatesFile = builder.Mode == SqliteOpenMode.ReadWriteCreate;
        if (IsInMemory)
        {
            _keepAlive = new SqliteConnection(_connectionString);
            _keepAlive.Open();
        }
    }

    public bool IsInMemory { get; }

    /// <summary>The journal size limit in pages, at least 1,000: the background checkpoints start the log over at three quarters of it.</summary>
    public long RestartCheckpointPages { get; }

    /// <summary>Commits between background checkpoints; 0 when SQLite checkpoints on its own (and always in memory).</summary>
    public int BackgroundCheckpointCommits { get; }

    public string DataSource { get; }

    /// <summary>Whether opening creates a missing database file (not in read-only or read-write mode).</summary>
    public bool CreatesFile { get; }

    /// <summary>A configured, open connection from the pool; disposing it gives it back.</summary>
    public SqliteConnection Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            return idle;
        }

        var connection = new PooledSqliteConnection(_connectionString, this);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Retire();
            throw;
        }
    }

    /// <summary>Takes a connection back when it is open, outside a transaction, and the pool has room.</summary>
    public bool TryReturn(PooledSqliteConnection connection)
    {
        if (_disposed || connection.State != System.Data.ConnectionState.Open || _idle.Count >= MaxIdle)
        {
            return false;
        }

        _idle.Add(connection);
        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            connection.Retire();
        }

        _keepAlive?.Dispose();
    }
}
