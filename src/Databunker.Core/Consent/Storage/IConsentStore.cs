using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Consent.Storage;

/// <summary>
/// The storage role of the consent ledger (<see cref="Consent.IConsentLedger"/>): append-only decision events per person. Every
/// method that appends decisions gives each the next sequence number of its owner and its link (<see cref="IConsentChain"/>),
/// computed inside the write transaction from the owner's last decision, and throws <see cref="VaultCryptoException"/>,
/// writing nothing, when that decision has no link.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IConsentStore : IStorageRole
{
    /// <summary>Appends an event with its audit event in one transaction; returns its id. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the owner does not exist.</summary>
    Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>A person's events, by sequence number, with their <see cref="StoredConsentEvent.Sequence"/> and <see cref="StoredConsentEvent.Link"/>.</summary>
    Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid person, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> events of every person, ordered by owner (bytes of the token) then sequence number,
    /// after (<paramref name="afterPerson"/>, <paramref name="afterSequence"/>); <see langword="null"/> for the first page.
    /// </summary>
    Task<IReadOnlyList<StoredConsentEvent>> GetConsentChainPageAsync(Guid? afterPerson, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Only when this instance's <see cref="IVaultStore.InitializeAsync"/> applied the schema version that added the chain,
    /// and once: links the decisions recorded before it (every decision without a link then), by owner and sequence number,
    /// and the pending decisions waiting then (<see cref="IConsentChain.Link"/> with the index hash as the previous link and
    /// sequence 0), and appends <paramref name="audit"/>, even when there was nothing to link, in one transaction. Nothing in
    /// the database may decide that it runs: a writer could reset it. Every other call writes nothing and returns 0; so do
    /// calls after it succeeded, while after a failure the next call tries again. Other instances starting meanwhile should
    /// wait for it in their own <see cref="IVaultStore.InitializeAsync"/>. Returns how many were linked.
    /// The same holds for the schema version that added the ledger heads (<see cref="StoredConsentHead"/>): the call then
    /// also writes a head for every person's ledger as it stands, in the same transaction; when this start applied that
    /// version but not the chain's, <paramref name="audit"/> is appended as <c>consent.heads</c> instead.
    /// </summary>
    Task<int> LinkLegacyConsentEventsAsync(AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>The head of <paramref name="person"/>'s ledger (<see cref="StoredConsentHead"/>), or <see langword="null"/> when there is none.</summary>
    Task<StoredConsentHead?> GetConsentHeadAsync(Guid person, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> ledger heads of persons who have no decision (which a genuine ledger never has), by owner.</summary>
    Task<IReadOnlyList<StoredConsentHead>> GetConsentHeadsWithoutDecisionsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// For up to <paramref name="limit"/> (person, activity) pairs whose latest event is a grant that expired at
    /// <paramref name="now"/>, appends an <see cref="Consent.ConsentDecision.Expired"/> event at <paramref name="now"/>
    /// (method <see cref="Consent.ConsentMethod.System"/>, the grant's notice) and a copy of <paramref name="audit"/>
    /// whose subject is the person, in one transaction. Concurrent calls close each grant once. Returns how many.
    /// </summary>
    Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// When the first of the grants that are a (person, activity) pair's latest event runs out (Unix milliseconds), or
    /// <see langword="null"/> when none does: the module's due-work backlog.
    /// </summary>
    Task<long?> GetEarliestConsentExpiryAsync(CancellationToken cancellationToken);

    /// <summary>
    /// For up to <paramref name="limit"/> (person, activity) pairs whose latest event grants <paramref name="activity"/>
    /// under a notice version older than <paramref name="currentVersion"/>, appends a
    /// <see cref="Consent.ConsentDecision.ReconsentRequired"/> event at <paramref name="now"/> (method
    /// <see cref="Consent.ConsentMethod.System"/>, the grant's notice) and a copy of <paramref name="audit"/> whose subject is
    /// the person, in one transaction. Concurrent calls mark each grant once. Returns how many.
    /// </summary>
    Task<int> MarkReconsentRequiredAsync(string activity, int currentVersion, long now, int limit, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> events, by id after <paramref name="afterId"/>, that are the latest (by sequence number)
    /// of their (person, <paramref name="activity"/>) and carry <paramref name="decision"/>, each with its
    /// <see cref="StoredConsentEvent.PreviousLink"/>.
    /// </summary>
    Task<IReadOnlyList<StoredConsentEvent>> ListLatestConsentsAsync(string activity, Consent.ConsentDecision decision, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Stores a decision for an email or phone no person holds yet, with its audit event, in one transaction; returns its id.</summary>
    Task<long> AddPendingConsentAsync(PendingConsentEvent pending, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> pending decisions, oldest first, whose index hash now belongs to a person (to <paramref name="person"/> when given).</summary>
    Task<IReadOnlyList<StoredPendingConsent>> GetAttachablePendingConsentsAsync(Guid? person, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: deletes the pending decisions <paramref name="pendingIds"/>, appends <paramref name="events"/>
    /// and, per event, a copy of <paramref name="audit"/> whose subject is its owner. Writes nothing and returns
    /// <see langword="false"/> when any of the pending decisions is gone (attached or purged by a concurrent call).
    /// </summary>
    Task<bool> AttachPendingConsentsAsync(IReadOnlyList<long> pendingIds, IReadOnlyList<NewConsentEvent> events, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> pending decisions recorded at or before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeletePendingConsentsAsync(long before, int limit, CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of the person's events, or, with <paramref name="keepHistory"/>, of their evidence only.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid person, bool keepHistory, CancellationToken cancellationToken);
}
