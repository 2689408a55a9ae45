namespace Databunker.Core.Tokenization;

/// <summary>
/// Replaces sensitive values (card numbers, national ids, bank accounts, free text) with tokens the host
/// can store and pass around freely; only the vault gives the value back. Values are stored encrypted,
/// tokens only as keyed hashes. Every call is audited, never with the value.
/// </summary>
[Diagnostics.Instrumented("tokens")]
public interface ITokenizer
{
    /// <summary>Replaces a value with a token.</summary>
    /// <param name="value">The value: 1 to <see cref="TokenizationOptions.MaxValueLength"/> characters of valid text.</param>
    /// <param name="options">Kind, format, scope, owner and expiry; default a random, opaque token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token.</returns>
    /// <exception cref="VaultInputException">The value is empty, too long, not valid text, does not fit the
    /// format, or leaves a format-preserving token fewer than a million possibilities; or the options are invalid.</exception>
    /// <exception cref="PersonNotFoundException">The owner is not a person in the vault.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<string> TokenizeAsync(string value, TokenizeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces many values with tokens in one transaction: all or none.</summary>
    /// <param name="values">The values, as for <see cref="TokenizeAsync"/>.</param>
    /// <param name="options">Kind, format, scope, owner and expiry, the same for every value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tokens, in the order of <paramref name="values"/>. Equal values give equal tokens only when deterministic.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<string>> TokenizeManyAsync(IEnumerable<string> values, TokenizeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gives a token's value back.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or <see langword="null"/> when the token is unknown, expired or deleted, or its owner was forgotten.</returns>
    /// <exception cref="VaultCryptoException">The stored value fails to authenticate.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    /// <exception cref="PurposeNotAllowedException"><see cref="Privacy.PrivacyCatalogOptions.RequirePurpose"/> is on: read with <see cref="DetokenizeForPurposeAsync"/>.</exception>
    Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Gives many tokens' values back, read in one transaction.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The values in the order of <paramref name="tokens"/>, <see langword="null"/> where not found.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    /// <exception cref="PurposeNotAllowedException"><see cref="Privacy.PrivacyCatalogOptions.RequirePurpose"/> is on: read with <see cref="DetokenizeManyForPurposeAsync"/>.</exception>
    Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives a token's value back for a purpose of the privacy catalogue, whose activity must declare the token's scope
    /// (<see cref="Privacy.ProcessingActivity.TokenScopes"/>, matched with <see cref="TokenizeOptions.Scope"/>) and, when
    /// it rests on consent, have the consent of the token's owner. Audited as <c>token.detokenize</c> with the purpose
    /// and the declared scope (never the value); the owner's history says which purpose read one of their values. A
    /// refusal is audited too. A deterministic token made before tokens kept their scope keeps none: tokenizing the same
    /// value again gives that token back, so delete it (<see cref="DeleteTokenAsync"/>) and tokenize again to scope it.
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="purpose">The name of an activity of the catalogue, or <see cref="Privacy.Purposes.DataProtection"/> (every scope).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or <see langword="null"/> when the token is unknown, expired or deleted, or its owner was forgotten.</returns>
    /// <exception cref="PurposeNotAllowedException">The purpose is not in the catalogue or does not declare the token's scope
    /// (a token made before tokens kept their scope has none); or it rests on consent and the token has no owner, or its
    /// owner has not given that consent or has withdrawn it.</exception>
    /// <exception cref="VaultCryptoException">The stored value fails to authenticate: its scope, owner or expiry was altered.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<string?> DetokenizeForPurposeAsync(string token, string purpose, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives many tokens' values back for a purpose, read in one transaction, as <see cref="DetokenizeForPurposeAsync"/>
    /// does one: when the purpose may not read one of them, the call returns none and throws.
    /// </summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="purpose">The name of an activity of the catalogue, or <see cref="Privacy.Purposes.DataProtection"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The values in the order of <paramref name="tokens"/>, <see langword="null"/> where not found.</returns>
    /// <exception cref="PurposeNotAllowedException">As for <see cref="DetokenizeForPurposeAsync"/>, for any of the tokens.</exception>
    /// <exception cref="VaultCryptoException">A stored value fails to authenticate: its scope, owner or expiry was altered.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<string?>> DetokenizeManyForPurposeAsync(IEnumerable<string> tokens, string purpose, CancellationToken cancellationToken = default);

    /// <summary>Deletes a token and its value.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the token existed.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> DeleteTokenAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// One host-driven pass that deletes every expired token, in batches. Expired tokens already
    /// detokenize to "not found"; this removes their encrypted values from storage.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many tokens were removed.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> DeleteExpiredTokensAsync(CancellationToken cancellationToken = default);
}
