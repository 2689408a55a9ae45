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

    /// <summary>
    /// Of <paramref name="tokens"/>, those that are a stored person's or a forgotten person's (a tombstone), in any order:
    /// an import that resumes skips the rows it already made, and never brings a forgotten person back.
    /// </summary>
    Task<IReadOnlyCollection<Guid>> FindKnownTokensAsync(IReadOnlyList<Guid> tokens, CancellationToken cancellationToken);

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
    /// Adds to <paramref name="erasure"/> the deletion of a person's profile, index entries, purpose states and
    /// field-retention time. The data key,
    /// the tombstone and the audit event are the erasure's own (<see cref="IErasureTransaction.CommitAsync"/>).
    /// </summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken);

    /// <summary>Where each of a person's purposes stands (<see cref="PurposeState"/>), for those with a state.</summary>
    Task<IReadOnlyList<PurposeState>> GetPurposeStatesAsync(Guid person, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the host ended <paramref name="activity"/> for the person at <paramref name="at"/> (the first end
    /// stays), moves the person's next field-retention look to <paramref name="at"/> at the latest, and appends
    /// <paramref name="audit"/>, in one transaction. Returns <see langword="false"/>, writing nothing, when there is no such person.
    /// </summary>
    Task<bool> EndPurposeAsync(Guid person, string activity, long at, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Records a read of the person's data for <paramref name="activity"/> at <paramref name="at"/>; a later use than the one kept replaces it.</summary>
    Task RecordPurposeUseAsync(Guid person, string activity, long at, CancellationToken cancellationToken);

    /// <summary>
    /// Sets when the due-work pass next looks at the person's fields: <paramref name="dueAt"/>, or none when it is
    /// <see langword="null"/>; with <paramref name="onlyEarlier"/>, moves an existing time earlier and never later
    /// (a <see langword="null"/> changes nothing then). Nothing is written for a person who is not there.
    /// </summary>
    Task ScheduleFieldRetentionAsync(Guid person, long? dueAt, bool onlyEarlier, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> persons whose field-retention look is due at <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<Guid>> GetFieldRetentionDueAsync(long now, int limit, CancellationToken cancellationToken);
}
