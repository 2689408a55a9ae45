namespace Databunker.Core.Shares.Storage;

/// <summary>A share link to store; recipient and field list are already sealed.</summary>
/// <param name="TokenHash">Keyed hash of the link's token; unique.</param>
/// <param name="Handle">A random, non-secret name of the link, for listing and revoking it.</param>
/// <param name="Person">The person whose data the link shares.</param>
/// <param name="Recipient">The recipient's name, sealed.</param>
/// <param name="Fields">What the link shares (application and JSON Pointers), sealed.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="ExpiresAt">Unix milliseconds.</param>
/// <param name="MaxReads">How many times the link can be redeemed.</param>
public sealed record NewShareLink(byte[] TokenHash, Guid Handle, Guid Person, byte[] Recipient, byte[] Fields, long CreatedAt, long ExpiresAt, int MaxReads);

/// <summary>A stored share link.</summary>
/// <param name="Handle">The link's non-secret name.</param>
/// <param name="Person">The person whose data the link shares.</param>
/// <param name="Recipient">The recipient's name, sealed.</param>
/// <param name="Fields">What the link shares, sealed.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="ExpiresAt">Unix milliseconds.</param>
/// <param name="MaxReads">How many times the link could be redeemed.</param>
/// <param name="ReadsLeft">How many redemptions are left.</param>
/// <param name="RevokedAt">Unix milliseconds of the revocation, or <see langword="null"/>.</param>
/// <param name="PersonKey">The owner's wrapped data key, or <see langword="null"/> when it could not be read with the link.</param>
public sealed record StoredShareLink(
    Guid Handle, Guid Person, byte[] Recipient, byte[] Fields, long CreatedAt, long ExpiresAt, int MaxReads, int ReadsLeft, long? RevokedAt, WrappedKey? PersonKey);
