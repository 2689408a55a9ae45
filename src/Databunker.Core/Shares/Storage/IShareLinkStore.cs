using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Shares.Storage;

/// <summary>
/// The storage role of the shared-records module (<see cref="Shares.IShareLinkManager"/>): share links by the keyed
/// hash of their token, with a sealed recipient and field list, an expiry, a read budget and a revocation time.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IShareLinkStore : IStorageRole
{
    /// <summary>Stores a link with its audit event in one transaction. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the owner does not exist.</summary>
    Task AddShareLinkAsync(NewShareLink link, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Reads a link by token hash, whatever its state, with its owner's wrapped key; <see langword="null"/> when there is none.</summary>
    Task<StoredShareLink?> GetShareLinkAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Spends one read of a link that is live at <paramref name="now"/> (not expired, not revoked, reads left), with
    /// the audit event, in one transaction. Returns the reads left afterwards, or <see langword="null"/>, writing
    /// nothing, when the link could not be redeemed. Concurrent calls never spend more reads than the link has.
    /// </summary>
    Task<int?> ConsumeShareLinkAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Lists a person's links, whatever their state, newest first.</summary>
    Task<IReadOnlyList<StoredShareLink>> ListShareLinksAsync(Guid person, CancellationToken cancellationToken);

    /// <summary>Revokes a person's link by its handle at <paramref name="now"/>, with the audit event, unless it is revoked already; returns whether it did.</summary>
    Task<bool> RevokeShareLinkAsync(Guid person, Guid handle, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> links expired at <paramref name="now"/>; concurrent calls never delete (or count) one twice. Returns how many.</summary>
    Task<int> DeleteExpiredShareLinksAsync(long now, int limit, CancellationToken cancellationToken);

    /// <summary>When the link that expires first expires (Unix milliseconds), or <see langword="null"/> when there is none: the module's due-work backlog.</summary>
    Task<long?> GetEarliestShareLinkExpiryAsync(CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of every link the person owns.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken);
}
