using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>
/// The storage role that keeps the audit trail: events linked into chains (<see cref="IAuditChain"/>) as they are
/// appended, read per person or in chain order, and purged from the oldest end. The trail is split into stripes, each
/// a chain with its own head, so that a server storage can let many writers append at once; a storage with one
/// writer at a time may keep one stripe.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IAuditStore : IStorageRole
{
    /// <summary>Appends an audit event on its own, linked onto a stripe of the audit chain (<see cref="IAuditChain"/>) like every appended event.</summary>
    Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Appends audit events in one transaction, in order, each linked onto the same stripe.</summary>
    Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken);

    /// <summary>A person's audit events, oldest first.</summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid person, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> of a subject's events whose <see cref="AuditRecord.Id"/> is above
    /// <paramref name="afterId"/>, in id order: the subject's trail page by page, for a reader that must not hold it whole.
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid person, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the oldest audit events of every stripe, in chain order, up to the stripe's first one at or after
    /// <paramref name="before"/>, and moves the stripe's start past them in the same transaction; returns how many.
    /// A storage may keep each stripe's newest event (a server storage does: it is the stripe's head).
    /// </summary>
    Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken);

    /// <summary>Reads every stripe's start and head and the event counts, in one snapshot.</summary>
    Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> events of stripe <paramref name="stripe"/> with a sequence number above
    /// <paramref name="afterSequence"/>, in sequence order.
    /// </summary>
    Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(int stripe, long afterSequence, int limit, CancellationToken cancellationToken);
}
