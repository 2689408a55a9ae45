using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.AppData.Storage;

/// <summary>
/// The storage role of the app-data module (<see cref="AppData.IAppDataManager"/>): one sealed JSON document per person
/// and application, with a version for optimistic concurrency and an optional expiry.
/// </summary>
/// <remarks>
/// Versions: a document that does not exist (or expired at the write's time) is at version 0; every write makes it
/// one higher. An expected version of <see langword="null"/> writes whatever the current version is, 0 writes only
/// when there is no document, any other value only when the document is at exactly that version.
/// </remarks>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IAppDocumentStore : IStorageRole
{
    /// <summary>Reads a document with its owner's wrapped data key; <see langword="null"/> when there is none or it expired at <paramref name="now"/>.</summary>
    Task<StoredAppDocument?> GetAppDocumentAsync(Guid person, string app, long now, CancellationToken cancellationToken);

    /// <summary>Lists a person's documents that are live at <paramref name="now"/>, by application name, without their data.</summary>
    Task<IReadOnlyList<AppDocumentHeader>> ListAppDocumentsAsync(Guid person, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a document with its audit event in one transaction if it is at <paramref name="expectedVersion"/>
    /// (see the remarks on versions). Returns the new version, or <see langword="null"/>, writing nothing, when the
    /// version did not match. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the owner does not exist.
    /// </summary>
    Task<long?> PutAppDocumentAsync(NewAppDocument document, long? expectedVersion, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a live document with its audit event in one transaction if it is at <paramref name="expectedVersion"/>
    /// (any version when <see langword="null"/>). Returns whether a document was deleted; nothing is written otherwise.
    /// </summary>
    Task<bool> DeleteAppDocumentAsync(Guid person, string app, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> documents expired at <paramref name="now"/> in one transaction, appending
    /// for each one copy of <paramref name="audit"/> whose subject is the document's owner. Concurrent calls never
    /// delete (or count) one document twice. Returns how many it deleted.
    /// </summary>
    Task<int> DeleteExpiredAppDocumentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>When the document that expires first expires (Unix milliseconds), or <see langword="null"/> when none expires: the module's due-work backlog.</summary>
    Task<long?> GetEarliestAppDocumentExpiryAsync(CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of every document the person owns.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken);
}
