using System.Text.Json;

namespace Databunker.Core.Sessions;

/// <summary>
/// Server-side session storage for web applications. The vault issues the session id (256 random bits) and keeps
/// only its keyed hash, so a copy of the database cannot be used to take over a session, and a caller cannot
/// choose an id (Databunker lets it, and a second create with someone else's id overwrites their session).
/// Session data is sealed under the owner's data key, or, for an anonymous session, under a key derived from the
/// session id itself, which the vault does not keep.
/// </summary>
/// <remarks>
/// <para>
/// Expiry is sliding (<see cref="SessionOptions.IdleTimeout"/>) and absolute (<see cref="SessionOptions.AbsoluteTimeout"/>).
/// Expired sessions are removed by the due-work pass (<see cref="IVaultAdministration.RunDueWorkAsync"/>), and a
/// person's sessions are deleted in the forget transaction.
/// </para>
/// <para>
/// An id that is malformed, unknown, expired or ended reads as <see langword="null"/>; a write to it throws
/// <see cref="SessionNotFoundException"/>. Ids never appear in the audit trail, logs or exception messages: sessions
/// are audited by their owner and their non-secret <see cref="Session.Handle"/>.
/// </para>
/// </remarks>
[Diagnostics.Instrumented("sessions")]
public interface ISessionManager
{
    /// <summary>Creates a session. Audited as <c>session.create</c>.</summary>
    /// <param name="data">The session's data, a JSON object.</param>
    /// <param name="options">The owner, label and timeouts; <see langword="null"/> for an anonymous session with the defaults.</param>
    /// <param name="cancellationToken">Cancels the creation; nothing is written then.</param>
    /// <returns>The new id, shown this once.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<SessionTicket> CreateAsync(JsonElement data, SessionCreateOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a live session, touching it (sliding its idle expiry) unless <paramref name="touch"/> is <see langword="false"/>.</summary>
    /// <param name="sessionId">The id from the ticket.</param>
    /// <param name="touch">Whether the read counts as activity.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The session, or <see langword="null"/> when the id names no live session.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<Session?> GetAsync(string sessionId, bool touch = true, CancellationToken cancellationToken = default);

    /// <summary>Replaces a live session's data and touches it. Audited as <c>session.replace</c>.</summary>
    /// <param name="sessionId">The id.</param>
    /// <param name="data">The new data, a JSON object.</param>
    /// <param name="expectedVersion">The version read before, or <see langword="null"/> for any; a mismatch throws <see cref="VersionConflictException"/>.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>The data's new version.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<long> ReplaceAsync(string sessionId, JsonElement data, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Binds a session to a person at sign-in: the session ends and a new one with a new id, the same data (now sealed
    /// under the person's key) and fresh timeouts takes its place, so that an id planted before sign-in (session
    /// fixation) is worthless after it. A session already bound to another person is refused. Audited as <c>session.bind</c>.
    /// </summary>
    /// <param name="sessionId">The current id.</param>
    /// <param name="person">The person who signed in.</param>
    /// <param name="cancellationToken">Cancels the binding; nothing is written then.</param>
    /// <returns>The new id, shown this once; the old one names nothing any more.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<SessionTicket> BindToPersonAsync(string sessionId, Guid person, CancellationToken cancellationToken = default);

    /// <summary>Lists a person's live sessions (metadata only), most recently seen first.</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sessions.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<SessionInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default);

    /// <summary>Ends a session (sign-out). Audited as <c>session.end</c> when it existed.</summary>
    /// <param name="sessionId">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether a session was ended.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> EndAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Ends one of a person's sessions by its handle, as a "sign out that device" button does. Audited as <c>session.end</c>.</summary>
    /// <param name="person">The person.</param>
    /// <param name="handle">The handle from <see cref="ListAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether a session was ended.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> EndByHandleAsync(Guid person, Guid handle, CancellationToken cancellationToken = default);

    /// <summary>Ends all of a person's sessions, or all but the current one. Audited as <c>session.end-all</c>.</summary>
    /// <param name="person">The person.</param>
    /// <param name="exceptSessionId">The id of the session to keep (the one making the request), or <see langword="null"/> to end all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many sessions were ended.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> EndAllAsync(Guid person, string? exceptSessionId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes expired sessions in batches of <see cref="SessionOptions.RemovalBatchSize"/>. Part of
    /// <see cref="IVaultAdministration.RunDueWorkAsync"/>; two hosts running it at once never remove (or count) a
    /// session twice. Removals are not audited one by one: an expired session is no one's act.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many sessions were removed.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default);
}
