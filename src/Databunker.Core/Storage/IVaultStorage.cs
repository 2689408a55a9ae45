using Databunker.Core.Keys;

namespace Databunker.Core.Storage;

/// <summary>
/// Where the vault keeps its rows. It only ever sees ciphertexts, wrapped keys and keyed hashes. Every
/// method that changes several rows does so in one transaction. SQLite is built in; a server database
/// implements the same interface and passes the same conformance suite. Times are unix milliseconds.
/// </summary>
public partial interface IVaultStorage
{
    /// <summary>Creates or migrates the schema. Throws <see cref="VaultConfigurationException"/> for a schema newer than the code.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the storage is at after <see cref="InitializeAsync"/>.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Reads a system key by name, or <see langword="null"/>.</summary>
    Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken);

    /// <summary>The names of every stored system key.</summary>
    Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken);

    /// <summary>Stores a system key unless one of that name exists; returns the one stored afterwards (whoever won).</summary>
    Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken);

    /// <summary>Replaces a system key if it still holds <paramref name="previous"/>; returns whether it did.</summary>
    Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts persons with their data keys, indexes and audit events in one transaction.
    /// Throws <see cref="DuplicateIndexException"/> naming the index when a hash is taken; nothing is written then.
    /// </summary>
    Task CreateUsersAsync(IReadOnlyList<NewUser> users, CancellationToken cancellationToken);

    /// <summary>Reads a person by token, or <see langword="null"/>.</summary>
    Task<StoredUser?> GetUserAsync(Guid token, CancellationToken cancellationToken);

    /// <summary>Reads the person an index hash points to, or <see langword="null"/>.</summary>
    Task<StoredUser?> GetUserByIndexAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Finds the token an index hash points to, or <see langword="null"/>.</summary>
    Task<Guid?> FindTokenByIndexAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Replaces a person's profile and index set if the version still matches, in one transaction with its audit event.</summary>
    Task<UpdateOutcome> UpdateUserAsync(UserChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets a person: deletes the profile, data key, indexes, tokens and expiration state, writes a
    /// tombstone and appends the audit event, in one transaction. Returns <see langword="false"/> (and
    /// writes nothing) when there is no such person.
    /// </summary>
    Task<bool> ForgetUserAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Whether a tombstone exists for the token (the person was forgotten).</summary>
    Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken);

    /// <summary>Appends an audit event on its own, linked onto the audit chain (<see cref="IAuditChain"/>) like every appended event.</summary>
    Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>A person's audit events, oldest first.</summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the oldest audit events, in chain order, up to the first one at or after <paramref name="before"/>,
    /// and moves the chain's start past them in the same transaction; returns how many.
    /// </summary>
    Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken);

    /// <summary>Reads the audit chain's head, start and event counts.</summary>
    Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> events with a sequence number above <paramref name="afterSequence"/>,
    /// in sequence order.
    /// </summary>
    Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the storage drop old copies of deleted rows that it still keeps outside the live data (for
    /// SQLite, the page images in the write-ahead log). Returns <see langword="false"/> when concurrent
    /// work kept it from finishing; calling it again later finishes it.
    /// </summary>
    Task<bool> CompactAsync(CancellationToken cancellationToken);

    /// <summary>Counts the index entries made under a blind-index key version below <paramref name="keyVersion"/>.</summary>
    Task<long> CountIndexesBelowAsync(int keyVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> persons that have an index entry under a blind-index key version below
    /// <paramref name="keyVersion"/>, whose token bytes sort after <paramref name="after"/>'s, in that order.
    /// </summary>
    Task<IReadOnlyList<StoredUser>> GetUsersWithIndexesBelowAsync(int keyVersion, Guid? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a person's whole index set if the person is still at <paramref name="expectedVersion"/>; returns
    /// whether it did. Throws <see cref="DuplicateIndexException"/> (writing nothing) when a hash is taken.
    /// </summary>
    Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken);

    /// <summary>Counts the data keys not wrapped under <paramref name="keyVersion"/>.</summary>
    Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> data keys not wrapped under <paramref name="keyVersion"/> whose owner's
    /// 16 bytes (as <see cref="Guid.ToByteArray()"/> writes them) sort after <paramref name="after"/>'s, in that
    /// order: a caller paging with the last owner it saw visits every key once.
    /// </summary>
    Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces data keys in one transaction, each only if it still holds its previous ciphertext; returns how many were replaced.</summary>
    Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken);
}
