using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>
/// The storage role that keeps persons: each one's sealed profile, wrapped data key and blind-index
/// entries, under a UNIQUE index hash. Part of the kernel: every module finds persons through it.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IPersonStore : IStorageRole
{
    /// <summary>
    /// Inserts persons with their data keys, indexes and audit events in one transaction.
    /// Throws <see cref="DuplicateIndexException"/> naming the index when a hash is taken; nothing is written then.
    /// </summary>
    Task CreatePersonsAsync(IReadOnlyList<NewPerson> persons, CancellationToken cancellationToken);

    /// <summary>Reads a person by token, or <see langword="null"/>.</summary>
    Task<StoredPerson?> GetPersonAsync(Guid token, CancellationToken cancellationToken);

    /// <summary>Reads the person an index hash points to, or <see langword="null"/>.</summary>
    Task<StoredPerson?> GetPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>
    /// Reads person <paramref name="person"/> (by token, or by <paramref name="hash"/> when given and only if the hash
    /// points to them) and, when found, appends <paramref name="audit"/> with the read, in one transaction where the
    /// storage can: a server storage sends both in one round trip. When the person is not there, or the hash points
    /// elsewhere, nothing is appended; a storage may also leave the event to the caller (<see cref="AuditedRead{T}.Audited"/>).
    /// </summary>
    Task<AuditedRead<StoredPerson>> GetPersonAuditedAsync(Guid person, byte[]? hash, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Finds the token an index hash points to, or <see langword="null"/>.</summary>
    Task<Guid?> FindPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Replaces a person's profile and index set if the version still matches, in one transaction with its audit event.</summary>
    Task<UpdateOutcome> UpdatePersonAsync(PersonChange change, CancellationToken cancellationToken);

    /// <summary>Counts the index entries made under a blind-index key version below <paramref name="keyVersion"/>.</summary>
    Task<long> CountIndexesBelowAsync(int keyVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> persons that have an index entry under a blind-index key version below
    /// <paramref name="keyVersion"/>, whose token bytes sort after <paramref name="after"/>'s, in that order.
    /// </summary>
    Task<IReadOnlyList<StoredPerson>> GetPersonsWithIndexesBelowAsync(int keyVersion, Guid? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a person's whole index set if the person is still at <paramref name="expectedVersion"/>; returns
    /// whether it did. Throws <see cref="DuplicateIndexException"/> (writing nothing) when a hash is taken.
    /// </summary>
    Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken);

    /// <summary>
    /// Adds to <paramref name="erasure"/> the deletion of a person's profile and index entries. The data key,
    /// the tombstone and the audit event are the erasure's own (<see cref="IErasureTransaction.CommitAsync"/>).
    /// </summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken);
}
