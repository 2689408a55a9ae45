using System.Text.Json;

namespace Databunker.Core.Shares;

/// <summary>What a person (or the host for them) shares, with whom, for how long and how often.</summary>
public sealed record ShareRequest
{
    /// <summary>The recipient's name, as the person would recognise it ("Acme Insurance"); 1 to 200 characters. Sealed, and written into the audit event of every redemption.</summary>
    public required string Recipient { get; init; }

    /// <summary>JSON Pointers (RFC 6901) into the profile, or into <see cref="App"/>'s document: <c>/email</c>, <c>/address/city</c>. Each must name a value when the link is made.</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary>The registered application whose document the pointers point into, or <see langword="null"/> for the profile.</summary>
    public string? App { get; init; }

    /// <summary>How long the link lives; <see cref="ShareOptions.DefaultLifetime"/> when <see langword="null"/>, at most <see cref="ShareOptions.MaxLifetime"/>.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>How many times the link can be redeemed; 1 to <see cref="ShareOptions.MaxReads"/>.</summary>
    public int MaxReads { get; init; } = 1;
}

/// <summary>A link as it is made: the only time its token is seen, because the vault keeps only its keyed hash.</summary>
/// <param name="Token">The link's token: 256 random bits, URL-safe Base64 without padding. Send it to the recipient; never log it.</param>
/// <param name="Handle">The link's non-secret name, for listing and revoking it.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
public sealed record ShareLink(string Token, Guid Handle, DateTimeOffset ExpiresAt)
{
    /// <summary>Shows the handle and expiry, never the token.</summary>
    /// <returns>The link without its secret.</returns>
    public override string ToString() => $"ShareLink {{ Token = [redacted], Handle = {Handle}, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>What a redemption found.</summary>
public enum ShareLinkStatus
{
    /// <summary>The link was redeemed: <see cref="ShareRedemption.Record"/> holds the shared values.</summary>
    Redeemed,

    /// <summary>No link has this token: it was never made, is malformed, was removed after expiring, or its person was forgotten.</summary>
    Unknown,

    /// <summary>The link's lifetime is over.</summary>
    Expired,

    /// <summary>The person (or the host) revoked the link.</summary>
    Revoked,

    /// <summary>Every read the link allowed has been spent.</summary>
    Exhausted,
}

/// <summary>The outcome of <see cref="IShareLinkManager.RedeemAsync"/>.</summary>
/// <param name="Status">What the redemption found.</param>
/// <param name="Record">The shared values when <see cref="Status"/> is <see cref="ShareLinkStatus.Redeemed"/>; otherwise <see langword="null"/>.</param>
public sealed record ShareRedemption(ShareLinkStatus Status, SharedRecord? Record);

/// <summary>The shared values, read when the link was redeemed.</summary>
/// <param name="Recipient">The recipient the link was made for.</param>
/// <param name="Fields">A JSON object from each shared pointer to its current value; a pointer that names nothing any more is left out.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="ReadsLeft">How many more times it can be redeemed.</param>
public sealed record SharedRecord(string Recipient, JsonElement Fields, DateTimeOffset ExpiresAt, int ReadsLeft);

/// <summary>One of a person's links without its token, as <see cref="IShareLinkManager.ListAsync"/> lists it.</summary>
/// <param name="Handle">The link's non-secret name: pass it to <see cref="IShareLinkManager.RevokeAsync"/>.</param>
/// <param name="Recipient">The recipient.</param>
/// <param name="App">The application the fields point into, or <see langword="null"/> for the profile.</param>
/// <param name="Fields">The shared JSON Pointers.</param>
/// <param name="CreatedAt">When the link was made.</param>
/// <param name="ExpiresAt">When it stops working.</param>
/// <param name="MaxReads">How many redemptions it allowed.</param>
/// <param name="ReadsLeft">How many are left.</param>
/// <param name="RevokedAt">When it was revoked, or <see langword="null"/>.</param>
public sealed record ShareLinkInfo(
    Guid Handle, string Recipient, string? App, IReadOnlyList<string> Fields, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int MaxReads, int ReadsLeft, DateTimeOffset? RevokedAt);
