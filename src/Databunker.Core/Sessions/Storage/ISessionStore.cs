using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Sessions.Storage;

/// <summary>
/// The storage role of the sessions module (<see cref="Sessions.ISessionManager"/>): sessions by the keyed hash of
/// their id, with sealed data, an optional owner, sliding and absolute expiry. A session is live while
/// <c>expires_at</c> is after the time given; <c>expires_at</c> is the earlier of the absolute expiry and the last
/// touch plus the idle timeout.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface ISessionStore : IStorageRole
{
    /// <summary>Stores a session with its audit event in one transaction. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the owner does not exist.</summary>
    Task AddSessionAsync(NewSession session, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a session live at <paramref name="now"/>, with its owner's wrapped key; <see langword="null"/> when there is
    /// none. When <paramref name="touchBefore"/> is given and the session was last seen before it, the session is
    /// touched first: last seen becomes <paramref name="now"/> and its expiry slides (never past the absolute expiry).
    /// </summary>
    Task<StoredSession?> GetSessionAsync(byte[] idHash, long now, long? touchBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a live session's data (touching it) with its audit event in one transaction, if it is at
    /// <paramref name="expectedVersion"/> (any version when <see langword="null"/>). Returns the new version, or
    /// <see langword="null"/>, writing nothing, when the session is not live or not at that version.
    /// </summary>
    Task<long?> ReplaceSessionDataAsync(byte[] idHash, byte[] data, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the live session <paramref name="previousIdHash"/> and stores <paramref name="replacement"/> in its place,
    /// with the audit event, in one transaction. Returns <see langword="false"/>, writing nothing, when the previous
    /// session is not live. Throws <see cref="PersonNotFoundException"/>, writing nothing, when the new owner does not exist.
    /// </summary>
    Task<bool> ReplaceSessionAsync(byte[] previousIdHash, long now, NewSession replacement, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Lists a person's live sessions without their data, most recently seen first.</summary>
    Task<IReadOnlyList<StoredSessionInfo>> ListSessionsAsync(Guid person, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one session by id hash, with the audit event (whose subject becomes the session's owner) when it
    /// existed. Returns whether it existed.
    /// </summary>
    Task<bool> DeleteSessionAsync(byte[] idHash, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a person's sessions: the one with <paramref name="handle"/> when given, else all of them but the one
    /// whose id hash is <paramref name="exceptIdHash"/> (when given), with one audit event when any was deleted.
    /// Returns how many.
    /// </summary>
    Task<int> DeleteSessionsAsync(Guid person, Guid? handle, byte[]? exceptIdHash, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> sessions expired at <paramref name="now"/>; concurrent calls never delete (or count) one twice. Returns how many.</summary>
    Task<int> DeleteExpiredSessionsAsync(long now, int limit, CancellationToken cancellationToken);

    /// <summary>When the session that expires first expires (Unix milliseconds), or <see langword="null"/> when there is none: the module's due-work backlog.</summary>
    Task<long?> GetEarliestSessionExpiryAsync(CancellationToken cancellationToken);

    /// <summary>Adds to <paramref name="erasure"/> the deletion of every session the person owns.</summary>
    Task EnlistErasureAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken);
}
