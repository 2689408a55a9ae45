using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Sqlite;

/// <summary>How the embedded SQLite storage opens its database.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>
    /// The Microsoft.Data.Sqlite connection string, for example <c>Data Source=vault.db</c>.
    /// <c>Data Source=:memory:</c> gives a private in-memory vault that lives as long as the service provider.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Whether opening the vault creates its database file when the file does not exist. When creation is not
    /// allowed, a missing file fails the start with a <see cref="VaultConfigurationException"/> that names the path,
    /// and nothing is created (no database, <c>-wal</c> or <c>-shm</c> file), so a mistyped path cannot start an
    /// empty vault with fresh keys. Ignored for <c>:memory:</c>; a connection string's <c>Mode=ReadWrite</c> or
    /// <c>Mode=ReadOnly</c> never creates either.
    /// </summary>
    /// <value>
    /// <see langword="true"/> when the vault is configured in code (<c>UseSqlite</c>), so that the quick start and
    /// existing applications keep creating their vault on the first start; <see langword="false"/> when it is read
    /// from configuration by Databunker.Core.Hosting (set <c>Storage:CreateIfMissing</c> to create it), and in the
    /// <c>databunker</c> tool, where only <c>databunker init</c> creates a vault.
    /// </value>
    public bool CreateIfMissing { get; set; } = true;

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
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The size, in bytes, of the write-ahead log file at rest. The vault's background checkpoints start the log
    /// over once three quarters of it (of 1,000 pages at least) are written, and a commit that took it further (a
    /// bulk load) has the file cut back to it when the log starts over (<c>PRAGMA journal_size_limit</c>), so that a
    /// burst of writes does not leave a large log holding old pages behind. A larger log costs disk, a smaller one
    /// costs writes: each restart holds the writers for one sync (see docs/benchmarks.md). Default 64 MiB.
    /// </summary>
    [Range(0d, double.MaxValue)]
    public long JournalSizeLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How many commits go by between two checkpoints that the vault runs on a background thread of its own
    /// (<c>PRAGMA wal_checkpoint(PASSIVE)</c>), with SQLite's automatic checkpoint turned off on the vault's
    /// connections, so that no request pays for copying the write-ahead log into the database and for its
    /// sync. 0 leaves checkpoints to SQLite: the commit that takes the log past 1,000 pages runs one. 0 to 100,000.
    /// </summary>
    /// <value>64.</value>
    [Range(0, 100_000)]
    public int BackgroundCheckpointCommits { get; set; } = 64;

    /// <summary>
    /// How many bytes of the database file each connection maps into memory (<c>PRAGMA mmap_size</c>), so that
    /// reads of hot pages copy nothing; 0 turns memory mapping off (for a file system where mapping is unsafe).
    /// </summary>
    /// <value>256 MiB.</value>
    [Range(0d, double.MaxValue)]
    public long MemoryMapSize { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// The page cache of each connection, in KiB (<c>PRAGMA cache_size</c>); the vault keeps up to 32 idle
    /// connections. 0 keeps SQLite's default of 2,000 KiB.
    /// </summary>
    /// <value>8,192 KiB.</value>
    [Range(0, 16 * 1024 * 1024)]
    public int PageCacheKiB { get; set; } = 8 * 1024;

    /// <summary>
    /// The most pages the database file may hold (<c>PRAGMA max_page_count</c>, set on every connection, as
    /// SQLite keeps it per connection); 0 leaves SQLite's own limit. Internal: the fault suite uses it to make
    /// the disk full on a machine where it cannot mount a small file system.
    /// </summary>
    internal long MaxPageCount { get; set; }
}
