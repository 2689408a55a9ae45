namespace Databunker.Core.Sessions.Storage;

/// <summary>A session to store; its data and label are already sealed.</summary>
/// <param name="IdHash">Keyed hash of the session id; unique.</param>
/// <param name="Handle">A random, non-secret name of the session, for listing and ending it without its id.</param>
/// <param name="Person">The person the session belongs to, or <see langword="null"/> for an anonymous session.</param>
/// <param name="Data">The data's envelope.</param>
/// <param name="Label">The label's envelope (a device name, say), or <see langword="null"/>.</param>
/// <param name="CreatedAt">Unix milliseconds; also the first last-seen time.</param>
/// <param name="IdleMilliseconds">The idle timeout: the session expires this long after it was last seen.</param>
/// <param name="AbsoluteExpiresAt">Unix milliseconds after which the session is over however recently it was seen.</param>
public sealed record NewSession(byte[] IdHash, Guid Handle, Guid? Person, byte[] Data, byte[]? Label, long CreatedAt, long IdleMilliseconds, long AbsoluteExpiresAt)
{
    /// <summary>The session's first expiry: the earlier of the idle and the absolute one.</summary>
    public long ExpiresAt => Math.Min(CreatedAt + IdleMilliseconds, AbsoluteExpiresAt);
}

/// <summary>A stored session.</summary>
/// <param name="Handle">The session's non-secret name.</param>
/// <param name="Person">The owner, or <see langword="null"/>.</param>
/// <param name="Data">The data's envelope.</param>
/// <param name="Label">The label's envelope, or <see langword="null"/>.</param>
/// <param name="Version">The data's version: 1 when created, one higher after each replacement.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="LastSeenAt">Unix milliseconds of the last touch.</param>
/// <param name="ExpiresAt">Unix milliseconds: the earlier of the last touch plus the idle timeout and the absolute expiry.</param>
/// <param name="PersonKey">The owner's wrapped data key, or <see langword="null"/> without an owner.</param>
public sealed record StoredSession(Guid Handle, Guid? Person, byte[] Data, byte[]? Label, long Version, long CreatedAt, long LastSeenAt, long ExpiresAt, WrappedKey? PersonKey);

/// <summary>A stored session's metadata, without its data.</summary>
/// <param name="Handle">The session's non-secret name.</param>
/// <param name="Label">The label's envelope, or <see langword="null"/>.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="LastSeenAt">Unix milliseconds of the last touch.</param>
/// <param name="ExpiresAt">Unix milliseconds.</param>
public sealed record StoredSessionInfo(Guid Handle, byte[]? Label, long CreatedAt, long LastSeenAt, long ExpiresAt);
