namespace Databunker.Core.Storage;

/// <summary>A person's stored expiration.</summary>
/// <param name="State">1 waiting, 2 retained (see <see cref="Expiration.ExpirationState"/>).</param>
/// <param name="DueAt">Unix milliseconds.</param>
/// <param name="RetainHash">The keyed hash of the keep link's token while waiting, else <see langword="null"/>.</param>
/// <param name="DeleteHash">The keyed hash of the delete link's token while waiting, else <see langword="null"/>.</param>
/// <param name="Binding">The MAC that binds the links and the due time to the person, as written at start.</param>
public sealed record StoredExpiration(int State, long DueAt, byte[]? RetainHash, byte[]? DeleteHash, byte[]? Binding);

/// <summary>An expiration to start: everything already hashed.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="DueAt">Unix milliseconds.</param>
/// <param name="RetainHash">Keyed hash of the keep link's token; unique.</param>
/// <param name="DeleteHash">Keyed hash of the delete link's token; unique.</param>
/// <param name="Binding">A MAC over the person, both hashes and the due time, checked whenever a link is used.</param>
public sealed record NewExpiration(Guid Token, long DueAt, byte[] RetainHash, byte[] DeleteHash, byte[] Binding);

/// <summary>The waiting expiration a link hash matched.</summary>
/// <param name="Token">The person's token.</param>
/// <param name="MatchedDelete"><see langword="true"/> when the delete hash matched, <see langword="false"/> for the retain hash.</param>
/// <param name="Expiration">The stored expiration.</param>
public sealed record StoredExpirationLink(Guid Token, bool MatchedDelete, StoredExpiration Expiration);

public partial interface IVaultStorage
{
    /// <summary>
    /// Starts or replaces a person's expiration as waiting, with new link hashes and no claim, in one
    /// transaction with its audit event. Returns <see langword="false"/> (writing nothing) when the person does not exist.
    /// </summary>
    Task<bool> StartExpirationAsync(NewExpiration expiration, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Reads a person's expiration, or <see langword="null"/>.</summary>
    Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the waiting expiration whose retain hash is <paramref name="retainHash"/> or whose delete hash is
    /// <paramref name="deleteHash"/>, without changing anything; <see langword="null"/> when none.
    /// </summary>
    Task<StoredExpirationLink?> FindExpirationLinkAsync(byte[] retainHash, byte[] deleteHash, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the person's waiting expiration retained if it still has this retain hash, and clears both link
    /// hashes (single use), with the audit event. Returns whether it did.
    /// </summary>
    Task<bool> RetainExpirationAsync(Guid token, byte[] retainHash, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the person if their expiration is still waiting with this delete hash, as
    /// <see cref="ForgetUserAsync"/> does, in one transaction. Returns whether it did.
    /// </summary>
    Task<bool> ForgetByExpirationLinkAsync(Guid token, byte[] deleteHash, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Deletes a person's expiration with its audit event; returns whether there was one.</summary>
    Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically claims up to <paramref name="limit"/> waiting expirations due at <paramref name="now"/>
    /// that are unclaimed or whose claim ran out, for <paramref name="claimId"/> until <paramref name="claimedUntil"/>.
    /// Concurrent callers never get the same person.
    /// </summary>
    Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets a person if their expiration is still waiting and still claimed by <paramref name="claimId"/>,
    /// in one transaction with the audit event. Returns whether it did.
    /// </summary>
    Task<bool> ForgetClaimedAsync(Guid token, byte[] claimId, long now, AuditRecord audit, CancellationToken cancellationToken);
}
