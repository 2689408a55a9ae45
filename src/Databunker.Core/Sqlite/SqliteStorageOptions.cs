namespace Databunker.Core.Sqlite;

/// <summary>How the embedded SQLite storage opens its database.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>
    /// The Microsoft.Data.Sqlite connection string, for example <c>Data Source=vault.db</c>.
    /// <c>Data Source=:memory:</c> gives a private in-memory vault that lives as long as the service provider.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The durability of a commit: <see cref="SqliteSynchronous.Normal"/> (the default) may lose the last
    /// commits on a power cut but never corrupts the database; <see cref="SqliteSynchronous.Full"/> loses
    /// nothing that was committed.
    /// </summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>
    /// How long a write waits for another writer before it fails, and how long a compaction waits for readers
    /// to leave the write-ahead log before it reports that it could not finish. Default 30 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The size, in bytes, that the write-ahead log file is cut back to after a checkpoint
    /// (<c>PRAGMA journal_size_limit</c>), so that a burst of writes does not leave a large log holding old
    /// pages behind. Default 16 MiB.
    /// </summary>
    public long JournalSizeLimit { get; set; } = 16L * 1024 * 1024;
}
