using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>
/// The storage role of the kernel: the schema, the one transaction a person is forgotten in, the
/// tombstones of forgotten persons, and, where the storage has it, compaction. Every storage has this role.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IVaultStore : IStorageRole
{
    /// <summary>Creates or migrates the schema. Throws <see cref="VaultConfigurationException"/> for a schema newer than the code.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the storage is at after <see cref="InitializeAsync"/>.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Whether a tombstone exists for the token (the person was forgotten).</summary>
    Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken);

    /// <summary>
    /// Begins the transaction in which one person is forgotten. Each module adds its deletions to it, then
    /// <see cref="IErasureTransaction.CommitAsync"/> deletes the data key, writes the tombstone and the audit event.
    /// Disposing it without a commit writes nothing.
    /// </summary>
    Task<IErasureTransaction> BeginErasureAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the storage keeps old copies of deleted rows outside its live data that <see cref="CompactAsync"/>
    /// can drop (SQLite's write-ahead log). <see langword="false"/> by default: the vault then never calls it.
    /// </summary>
    bool CanCompact => false;

    /// <summary>
    /// Makes the storage drop old copies of deleted rows that it still keeps outside the live data (for
    /// SQLite, the page images in the write-ahead log). Returns <see langword="false"/> when concurrent
    /// work kept it from finishing; calling it again later finishes it.
    /// </summary>
    Task<bool> CompactAsync(CancellationToken cancellationToken) => throw new NotSupportedException("This storage has no compaction: CanCompact is false.");
}
