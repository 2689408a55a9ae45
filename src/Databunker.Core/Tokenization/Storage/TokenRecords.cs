namespace Databunker.Core.Tokenization.Storage;

/// <summary>A token to store; everything is already hashed or encrypted.</summary>
/// <param name="TokenHash">Keyed hash of the token; unique across the vault.</param>
/// <param name="Value">The value's envelope.</param>
/// <param name="DeterministicHash">For deterministic tokens, the keyed hash of scope, format, owner and value; unique.</param>
/// <param name="SealedToken">For deterministic tokens, the token's envelope, to give it again.</param>
/// <param name="Person">The person the value belongs to, or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="Scope">The token's scope, which the value's associated data binds and a purpose-bound read checks; <see langword="null"/> only for tokens made before scopes were kept.</param>
public sealed record NewToken(byte[] TokenHash, byte[] Value, byte[]? DeterministicHash, byte[]? SealedToken, Guid? Person, long? ExpiresAt, long CreatedAt, string? Scope = null);

/// <summary>A stored token's value, owner and expiry.</summary>
/// <param name="Value">The value's envelope.</param>
/// <param name="Person">The owner, or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
/// <param name="PersonKey">The owner's wrapped data key, which an owned token's value is sealed under; <see langword="null"/> without an owner.</param>
/// <param name="Scope">The token's scope, or <see langword="null"/> for a token made before scopes were kept.</param>
public sealed record StoredToken(byte[] Value, Guid? Person, long? ExpiresAt, WrappedKey? PersonKey, string? Scope = null);

/// <summary>A stored token's sealed parts, for re-sealing them under a new key.</summary>
/// <param name="TokenHash">The token's keyed hash.</param>
/// <param name="Value">The value's envelope.</param>
/// <param name="DeterministicHash">The deterministic hash, or <see langword="null"/>.</param>
/// <param name="SealedToken">The deterministic token's envelope, or <see langword="null"/>.</param>
/// <param name="Person">The owner, or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/>.</param>
/// <param name="PersonKey">The owner's wrapped data key, or <see langword="null"/>.</param>
/// <param name="Scope">The token's scope, or <see langword="null"/> for a token made before scopes were kept.</param>
public sealed record StoredTokenSeal(byte[] TokenHash, byte[] Value, byte[]? DeterministicHash, byte[]? SealedToken, Guid? Person, long? ExpiresAt, WrappedKey? PersonKey, string? Scope = null);

/// <summary>A token's parts sealed anew, replacing the row's only if it still holds <see cref="PreviousValue"/>.</summary>
/// <param name="TokenHash">The token's keyed hash.</param>
/// <param name="PreviousValue">The value's envelope that was read.</param>
/// <param name="Value">The new envelope of the value.</param>
/// <param name="SealedToken">The new envelope of the deterministic token, or <see langword="null"/>.</param>
public sealed record TokenSealReplacement(byte[] TokenHash, byte[] PreviousValue, byte[] Value, byte[]? SealedToken);

/// <summary>What became of one token given to <see cref="ITokenStore.AddTokensAsync"/>.</summary>
/// <param name="Stored"><see langword="true"/> when the row was written.</param>
/// <param name="ExistingSealedToken">For a deterministic token that already had a live row: that row's sealed token.</param>
/// <remarks>Neither stored nor existing: the token hash was taken, and a new token must be drawn.</remarks>
public readonly record struct TokenAddOutcome(bool Stored, byte[]? ExistingSealedToken)
{
    /// <summary>The row was written.</summary>
    public static TokenAddOutcome Added => new(true, null);

    /// <summary>The token hash was taken: nothing was written for this item.</summary>
    public static TokenAddOutcome HashTaken => new(false, null);

    /// <summary>A live deterministic token exists: its sealed token.</summary>
    /// <param name="sealedToken">The existing row's sealed token.</param>
    public static TokenAddOutcome Existing(byte[] sealedToken) => new(false, sealedToken);
}
