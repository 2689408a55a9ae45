namespace Databunker.Core.Storage;

/// <summary>A person's stored expiration.</summary>
/// <param name="State">1 waiting, 2 retained (see <see cref="Expiration.ExpirationState"/>).</param>
/// <param name="DueAt">Unix milliseconds.</param>
public sealed record StoredExpiration(int State, long DueAt);

public partial interface IVaultStorage
{
    /// <summary>
    /// Starts or replaces a person's expiration as waiting, with a new token hash and no claim, in one
    /// transaction with its audit event. Returns <see langword="false"/> (writing nothing) when the person does not exist.
    /// </summary>
    Task<bool> StartExpirationAsync(Guid token, long dueAt, byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Reads a person's expiration, or <see langword="null"/>.</summary>
    Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the waiting expiration with this token hash retained and clears the hash (single use), with the
    /// audit event (its subject filled in). Returns the person's token, or <see langword="null"/> when none matched.
    /// </summary>
    Task<Guid?> RetainExpirationAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the person whose waiting expiration has this token hash, as <see cref="ForgetUserAsync"/>
    /// does, in one transaction (the audit subject filled in). Returns the token, or <see langword="null"/>.
    /// </summary>
    Task<Guid?> ForgetByExpirationTokenAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken);

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
