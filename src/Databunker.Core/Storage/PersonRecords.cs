namespace Databunker.Core.Storage;

/// <summary>A keyed hash of one normalised index value of a person.</summary>
/// <param name="Kind">Which index: login, email, phone or custom.</param>
/// <param name="Hash">HMAC-SHA256 of the index name and the normalised value, 32 bytes.</param>
/// <param name="KeyVersion">The blind-index key version the hash was made under.</param>
public sealed record IndexEntry(LookupKind Kind, byte[] Hash, int KeyVersion = 1);

/// <summary>A person to insert: everything is already encrypted or hashed.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="Profile">The profile envelope.</param>
/// <param name="DataKey">The person's data key, wrapped.</param>
/// <param name="Indexes">The index hashes; each must be unique across the vault.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="Audit">The audit event to append in the same transaction.</param>
/// <param name="FieldsDueAt">When the due-work pass first looks at which of the person's fields a purpose still needs
/// (unix milliseconds), or <see langword="null"/> when no declared retention makes that due.</param>
public sealed record NewPerson(Guid Token, byte[] Profile, WrappedKey DataKey, IReadOnlyList<IndexEntry> Indexes, long CreatedAt, AuditRecord Audit, long? FieldsDueAt = null);

/// <summary>A stored person as the storage returns it, still encrypted.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="Profile">The profile envelope.</param>
/// <param name="DataKey">The person's data key, wrapped.</param>
/// <param name="Version">Increments with every update; used for optimistic concurrency.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="UpdatedAt">Unix milliseconds.</param>
public sealed record StoredPerson(Guid Token, byte[] Profile, WrappedKey DataKey, long Version, long CreatedAt, long UpdatedAt);

/// <summary>A change of a person's profile and indexes.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="ExpectedVersion">The version read before the change; the update applies only if it is still current.</param>
/// <param name="Profile">The new profile envelope.</param>
/// <param name="Indexes">The complete new set of index hashes; it replaces the old set.</param>
/// <param name="UpdatedAt">Unix milliseconds.</param>
/// <param name="Audit">The audit event to append in the same transaction.</param>
/// <param name="FieldsDueAt">A time at which the due-work pass must look at the person's fields, or <see langword="null"/>:
/// it moves the person's next look earlier, never later.</param>
public sealed record PersonChange(Guid Token, long ExpectedVersion, byte[] Profile, IReadOnlyList<IndexEntry> Indexes, long UpdatedAt, AuditRecord Audit, long? FieldsDueAt = null);

/// <summary>Where one of a person's purposes stands: when the host ended it for them, and when a read for it last used their data.</summary>
/// <param name="Activity">The activity's name.</param>
/// <param name="EndedAt">When the host ended it for the person (unix milliseconds), or <see langword="null"/>.</param>
/// <param name="UsedAt">When a read for it last used the person's data (unix milliseconds, to the day), or <see langword="null"/>.</param>
public sealed record PurposeState(string Activity, long? EndedAt, long? UsedAt);

/// <summary>How <see cref="IPersonStore.UpdatePersonAsync"/> ended.</summary>
public enum UpdateOutcome
{
    /// <summary>The change was written.</summary>
    Updated,

    /// <summary>No such person.</summary>
    NotFound,

    /// <summary>The person changed since it was read; read again and retry.</summary>
    VersionConflict,
}
