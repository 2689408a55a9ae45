using Databunker.Core.Keys;

namespace Databunker.Core.Storage;

/// <summary>A token to store; everything is already hashed or encrypted.</summary>
/// <param name="TokenHash">Keyed hash of the token; unique across the vault.</param>
/// <param name="Value">The value's envelope.</param>
/// <param name="DeterministicHash">For deterministic tokens, the keyed hash of scope, format, owner and value; unique.</param>
/// <param name="SealedToken">For deterministic tokens, the token's envelope, to give it again.</param>
/// <param name="Owner">The person the value belongs to, or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
public sealed record NewToken(byte[] TokenHash, byte[] Value, byte[]? DeterministicHash, byte[]? SealedToken, Guid? Owner, long? ExpiresAt, long CreatedAt);

/// <summary>A stored token's value, owner and expiry.</summary>
/// <param name="Value">The value's envelope.</param>
/// <param name="Owner">The owner, or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/> for never.</param>
/// <param name="OwnerKey">The owner's wrapped data key, which an owned token's value is sealed under; <see langword="null"/> without an owner.</param>
public sealed record StoredToken(byte[] Value, Guid? Owner, long? ExpiresAt, WrappedKey? OwnerKey);

/// <summary>A stored token's sealed parts, for re-sealing them under a new key.</summary>
/// <param name="TokenHash">The token's keyed hash.</param>
/// <param name="Value">The value's envelope.</param>
/// <param name="DeterministicHash">The deterministic hash, or <see langword="null"/>.</param>
/// <param name="SealedToken">The deterministic token's envelope, or <see langword="null"/>.</param>
/// <param name="Owner">The owner, or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Unix milliseconds, or <see langword="null"/>.</param>
/// <param name="OwnerKey">The owner's wrapped data key, or <see langword="null"/>.</param>
public sealed record StoredTokenSeal(byte[] TokenHash, byte[] Value, byte[]? DeterministicHash, byte[]? SealedToken, Guid? Owner, long? ExpiresAt, WrappedKey? OwnerKey);

/// <summary>A token's parts sealed anew, replacing the row's only if it still holds <see cref="PreviousValue"/>.</summary>
/// <param name="TokenHash">The token's keyed hash.</param>
/// <param name="PreviousValue">The value's envelope that was read.</param>
/// <param name="Value">The new envelope of the value.</param>
/// <param name="SealedToken">The new envelope of the deterministic token, or <see langword="null"/>.</param>
public sealed record TokenSealReplacement(byte[] TokenHash, byte[] PreviousValue, byte[] Value, byte[]? SealedToken);

public partial interface IVaultStorage
{
    /// <summary>
    /// Stores tokens in one transaction with their audit events. An item whose deterministic hash already
    /// has a live token is not stored: its <see cref="NewToken.SealedToken"/> of the existing row is returned
    /// at its index instead (an expired one is replaced). An item whose token hash is taken is replaced by
    /// <paramref name="regenerate"/>(index) and tried again. Throws <see cref="PersonNotFoundException"/>,
    /// writing nothing, when an owner does not exist.
    /// </summary>
    Task<IReadOnlyList<byte[]?>> AddTokensAsync(IReadOnlyList<NewToken> tokens, Func<int, NewToken> regenerate, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken);

    /// <summary>Reads tokens by hash in one read; <see langword="null"/> where unknown or expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<StoredToken?>> GetTokensAsync(IReadOnlyList<byte[]> tokenHashes, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a token with its audit event; returns whether it existed.</summary>
    Task<bool> DeleteTokenAsync(byte[] tokenHash, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> tokens expired at <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredTokensAsync(long now, int limit, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> tokens whose hash sorts after <paramref name="afterHash"/>, in hash order.</summary>
    Task<IReadOnlyList<StoredTokenSeal>> GetTokenSealsAsync(byte[]? afterHash, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces tokens' envelopes in one transaction, each only if it still holds its previous value; returns how many.</summary>
    Task<int> ReplaceTokenSealsAsync(IReadOnlyList<TokenSealReplacement> replacements, CancellationToken cancellationToken);

    /// <summary>Appends audit events in one transaction.</summary>
    Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken);
}
