using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Expiration.Storage;

/// <summary>The storage role of the expiration module: one expiration per person, its link hashes and claims.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IExpirationStore : IStorageRole
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

    /// <summary>Deletes a person's expiration with its audit event; returns whether there was one.</summary>
    Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically claims up to <paramref name="limit"/> waiting expirations due at <paramref name="now"/>
    /// that are unclaimed or whose claim ran out, for <paramref name="claimId"/> until <paramref name="claimedUntil"/>.
    /// Concurrent callers never get the same person.
    /// </summary>
    Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Inside <paramref name="erasure"/>, checks that the person's expiration is still waiting with this delete
    /// link hash, holding it until the erasure ends; returns whether it is.
    /// </summary>
    Task<bool> HoldsDeleteLinkAsync(IErasureTransaction erasure, Guid token, byte[] deleteHash, CancellationToken cancellationToken);

    /// <summary>
    /// Inside <paramref name="erasure"/>, checks that the person's expiration is still waiting under this
    /// claim, holding it until the erasure ends; returns whether it is.
    /// </summary>
    Task<bool> HoldsClaimAsync(IErasureTransaction erasure, Guid token, byte[] claimId, CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of the person's expiration.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken);

    /// <summary>The due time (Unix milliseconds) of the waiting expiration due first, whether due yet or not; <see langword="null"/> when none waits.</summary>
    Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken);
}
