using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>The storage role of the consent ledger (<see cref="Consent.IConsentLedger"/>): append-only decision events per person.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IConsentStore : IStorageRole
{
    /// <summary>Appends an event with its audit event in one transaction; returns its id. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the owner does not exist.</summary>
    Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>A person's events, by id.</summary>
    Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken);

    /// <summary>
    /// For up to <paramref name="limit"/> (person, activity) pairs whose latest event is a grant that expired at
    /// <paramref name="now"/>, appends an <see cref="Consent.ConsentDecision.Expired"/> event at <paramref name="now"/>
    /// (method <see cref="Consent.ConsentMethod.System"/>, the grant's notice) and a copy of <paramref name="audit"/>
    /// whose subject is the person, in one transaction. Concurrent calls close each grant once. Returns how many.
    /// </summary>
    Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of the person's events, or, with <paramref name="keepHistory"/>, of their evidence only.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken);
}
