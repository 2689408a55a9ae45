using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>
/// Per-person application data: one JSON document per person and registered application
/// (<see cref="AppDataOptions.Register"/>), sealed under the person's data key with the application's name bound
/// into the ciphertext, audited, deleted when the person is forgotten, and removed by the due-work pass when its
/// application's retention has passed since the last write.
/// </summary>
/// <remarks>
/// <para>
/// Every write takes an optional expected version. <see langword="null"/> writes whatever is there; <c>0</c> writes
/// only when the person has no document for the application; any other value only when the document is at exactly
/// that version. A mismatch throws <see cref="VersionConflictException"/> and writes nothing, so two writers that
/// both read version 3 cannot both write: one wins, the other is told.
/// </para>
/// <para>
/// Errors: an unknown person throws <see cref="PersonNotFoundException"/>; an unregistered application name, a
/// document that is not a JSON object or is larger than the application's limit throws
/// <see cref="VaultInputException"/>; a document that fails authentication (altered or moved in the database)
/// throws <see cref="VaultCryptoException"/>. No message names a value of the document.
/// </para>
/// </remarks>
[Diagnostics.Instrumented("appdata")]
public interface IAppDataManager
{
    /// <summary>Reads the person's document for <paramref name="app"/>, or <see langword="null"/> when there is none (or it expired). Audited as <c>appdata.get</c>.</summary>
    /// <param name="person">The person's token.</param>
    /// <param name="app">A registered application name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    /// <exception cref="PurposeNotAllowedException"><see cref="Privacy.PrivacyCatalogOptions.RequirePurpose"/> is on: read with <see cref="GetForPurposeAsync"/>.</exception>
    Task<AppDocument?> GetAsync(Guid person, string app, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the person's document for <paramref name="app"/> for a purpose of the privacy catalogue, whose activity must
    /// declare the application (<see cref="Privacy.ProcessingActivity.AppData"/>) and, when it rests on consent, have
    /// the person's consent. Audited as <c>appdata.get</c> with the purpose, which the person sees in their history.
    /// </summary>
    /// <param name="person">The person's token.</param>
    /// <param name="app">A registered application name.</param>
    /// <param name="purpose">The name of an activity of the catalogue, or <see cref="Privacy.Purposes.DataProtection"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not in the catalogue, does not declare the application, or its consent is not given.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<AppDocument?> GetForPurposeAsync(Guid person, string app, string purpose, CancellationToken cancellationToken = default);

    /// <summary>Writes the person's whole document for <paramref name="app"/>. Audited as <c>appdata.put</c> in the same transaction.</summary>
    /// <param name="person">The person's token.</param>
    /// <param name="app">A registered application name.</param>
    /// <param name="document">The document, a JSON object.</param>
    /// <param name="expectedVersion">The version the write expects (see the remarks), or <see langword="null"/> for any.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>The document's new version.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<long> PutAsync(Guid person, string app, JsonElement document, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a JSON merge patch (RFC 7396) to the person's document for <paramref name="app"/> (to an empty object
    /// when there is none). Without an expected version, a patch that meets a concurrent write is applied again to
    /// the newer document. Audited as <c>appdata.patch</c> in the same transaction.
    /// </summary>
    /// <param name="person">The person's token.</param>
    /// <param name="app">A registered application name.</param>
    /// <param name="patch">The merge patch, a JSON object.</param>
    /// <param name="expectedVersion">The version the patch expects, or <see langword="null"/> for any.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>The document as written.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<AppDocument> PatchAsync(Guid person, string app, JsonElement patch, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the person's document for <paramref name="app"/>. Audited as <c>appdata.delete</c> in the same transaction when a document was deleted.</summary>
    /// <param name="person">The person's token.</param>
    /// <param name="app">A registered application name.</param>
    /// <param name="expectedVersion">The version the deletion expects, or <see langword="null"/> for any.</param>
    /// <param name="cancellationToken">Cancels the deletion; nothing is written then.</param>
    /// <returns><see langword="true"/> when a document was deleted; <see langword="false"/> when there was none and no version was expected.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> DeleteAsync(Guid person, string app, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the person's documents, by application name, without their data.</summary>
    /// <param name="person">The person's token.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The documents' names, versions and times, in name order.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<AppDocumentInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes every document whose retention has passed, in batches of <see cref="AppDataOptions.RemovalBatchSize"/>,
    /// each removal audited as <c>appdata.expired</c>. Part of <see cref="IVaultAdministration.RunDueWorkAsync"/>;
    /// two hosts running it at once never remove (or count) a document twice.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many documents were removed.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default);
}
