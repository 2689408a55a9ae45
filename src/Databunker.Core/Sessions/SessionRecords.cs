using System.Text.Json;

namespace Databunker.Core.Sessions;

/// <summary>What a new session is created with; every member is optional.</summary>
public sealed record SessionCreateOptions
{
    /// <summary>The person the session belongs to; its data is then sealed under that person's key and it ends when they are forgotten.</summary>
    public Guid? Person { get; init; }

    /// <summary>A label the host chooses to show the person in a list of their sessions, such as the device ("Firefox on Linux"). Sealed; never logged.</summary>
    public string? Label { get; init; }

    /// <summary>The idle timeout of this session, instead of <see cref="SessionOptions.IdleTimeout"/>.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>The absolute timeout of this session, instead of <see cref="SessionOptions.AbsoluteTimeout"/>.</summary>
    public TimeSpan? AbsoluteTimeout { get; init; }
}

/// <summary>
/// A session id as it is issued: the only time the id is ever seen, because the vault keeps only its keyed hash.
/// Put it in a cookie (<c>HttpOnly</c>, <c>Secure</c>, <c>SameSite</c>) and never in a URL or a log.
/// </summary>
/// <param name="SessionId">The id: 256 random bits, URL-safe Base64 without padding (43 characters).</param>
/// <param name="Handle">The session's non-secret name, as <see cref="SessionInfo.Handle"/> lists it.</param>
/// <param name="ExpiresAt">When the session expires unless it is used.</param>
public sealed record SessionTicket(string SessionId, Guid Handle, DateTimeOffset ExpiresAt)
{
    /// <summary>Shows the handle and expiry, never the id.</summary>
    /// <returns>The ticket without its secret.</returns>
    public override string ToString() => $"SessionTicket {{ SessionId = [redacted], Handle = {Handle}, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>A live session, as <see cref="ISessionManager.GetAsync"/> reads it.</summary>
/// <param name="Handle">The session's non-secret name.</param>
/// <param name="Person">The person it belongs to, or <see langword="null"/>.</param>
/// <param name="Data">The session's data, a JSON object.</param>
/// <param name="Version">The data's version; pass it as the expected version of <see cref="ISessionManager.ReplaceAsync"/>.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastSeenAt">When it was last touched (exact to <see cref="SessionOptions.TouchInterval"/>).</param>
/// <param name="ExpiresAt">When it expires unless it is used again.</param>
/// <param name="Label">The label it was created with, or <see langword="null"/>.</param>
public sealed record Session(Guid Handle, Guid? Person, JsonElement Data, long Version, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, string? Label);

/// <summary>One of a person's sessions without its data or id, as <see cref="ISessionManager.ListAsync"/> lists it.</summary>
/// <param name="Handle">The session's non-secret name: pass it to <see cref="ISessionManager.EndByHandleAsync"/>.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastSeenAt">When it was last touched.</param>
/// <param name="ExpiresAt">When it expires unless it is used again.</param>
/// <param name="Label">Its label, or <see langword="null"/>.</param>
public sealed record SessionInfo(Guid Handle, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, string? Label);
