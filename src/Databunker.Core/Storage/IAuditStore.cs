using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>
/// The storage role that keeps the audit trail: events linked into one chain (<see cref="IAuditChain"/>) as
/// they are appended, read per person or in chain order, and purged from the oldest end.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IAuditStore : IStorageRole
{
    /// <summary>Appends an audit event on its own, linked onto the audit chain (<see cref="IAuditChain"/>) like every appended event.</summary>
    Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Appends audit events in one transaction, in order, each linked onto the chain.</summary>
    Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken);

    /// <summary>A person's audit events, oldest first.</summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> of a subject's events whose <see cref="AuditRecord.Id"/> is above
    /// <paramref name="afterId"/>, in id order: the subject's trail page by page, for a reader that must not hold it whole.
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid subject, long afterId, int limit, CancellationToken cancellationToken);

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
}
