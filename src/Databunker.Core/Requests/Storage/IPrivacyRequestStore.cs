using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Requests.Storage;

/// <summary>The storage role of the data-subject requests (<see cref="IPrivacyRequestManager"/>): one row per request, changed by compare-and-set on its version.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IPrivacyRequestStore : IStorageRole
{
    /// <summary>Stores a new request (at version 1) with its audit event in one transaction. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the owner does not exist.</summary>
    Task AddPrivacyRequestAsync(PrivacyRequestRow request, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Reads a request; <see langword="null"/> when there is none.</summary>
    Task<PrivacyRequestRow?> GetPrivacyRequestAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A person's requests, by time received then id.</summary>
    Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsOfAsync(Guid person, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> requests in one of <paramref name="states"/>, by due time then id, after (<paramref name="afterDueAt"/>, <paramref name="afterId"/>) when given.</summary>
    Task<IReadOnlyList<PrivacyRequestRow>> ListPrivacyRequestsAsync(IReadOnlyCollection<PrivacyRequestState> states, long? afterDueAt, Guid? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces every mutable field of the request with those of <paramref name="updated"/> (whose version is one more
    /// than <paramref name="expectedVersion"/>), and appends <paramref name="audit"/> when given, in one transaction, when the stored
    /// request is at <paramref name="expectedVersion"/>; returns whether it was. Of concurrent calls with one expected version, one wins.
    /// </summary>
    Task<bool> UpdatePrivacyRequestAsync(PrivacyRequestRow updated, long expectedVersion, AuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>Deletes a request at <paramref name="expectedVersion"/> with its audit event in one transaction; returns whether it did.</summary>
    Task<bool> DeletePrivacyRequestAsync(Guid id, long expectedVersion, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> requests whose wake time is at or before <paramref name="now"/>, soonest first.</summary>
    Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsToWakeAsync(long now, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest wake time of any request (Unix milliseconds), or <see langword="null"/> when none waits: the module's due-work backlog.</summary>
    Task<long?> GetEarliestPrivacyRequestWakeAsync(CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the removal of the sealed change and reasons and the code hash of the person's requests (raising their versions); the rest stays as the record.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken);
}
