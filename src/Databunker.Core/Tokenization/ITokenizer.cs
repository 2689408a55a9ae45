using Databunker.Core.Expiration;

namespace Databunker.Core.Tokenization;

/// <summary>
/// Replaces sensitive values (card numbers, national ids, bank accounts, free text) with tokens the host
/// can store and pass around freely; only the vault gives the value back. Values are stored encrypted,
/// tokens only as keyed hashes. Every call is audited, never with the value.
/// </summary>
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
    Task<string> TokenizeAsync(string value, TokenizeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Replaces many values with tokens in one transaction: all or none.</summary>
    /// <param name="values">The values, as for <see cref="TokenizeAsync"/>.</param>
    /// <param name="options">Kind, format, scope, owner and expiry, the same for every value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tokens, in the order of <paramref name="values"/>. Equal values give equal tokens only when deterministic.</returns>
    Task<IReadOnlyList<string>> TokenizeManyAsync(IEnumerable<string> values, TokenizeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gives a token's value back.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or <see langword="null"/> when the token is unknown, expired or deleted, or its owner was forgotten.</returns>
    /// <exception cref="VaultCryptoException">The stored value fails to authenticate.</exception>
    Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Gives many tokens' values back, read in one transaction.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The values in the order of <paramref name="tokens"/>, <see langword="null"/> where not found.</returns>
    Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default);

    /// <summary>Deletes a token and its value.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the token existed.</returns>
    Task<bool> DeleteTokenAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// One host-driven pass that deletes every expired token, in batches. Expired tokens already
    /// detokenize to "not found"; this removes their encrypted values from storage.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many tokens were removed.</returns>
    Task<int> RemoveExpiredTokensAsync(CancellationToken cancellationToken = default);
}

/// <summary>How a token is made.</summary>
public sealed record TokenizeOptions
{
    /// <summary>Random (a new token every call, the default) or deterministic.</summary>
    public TokenKind Kind { get; init; } = TokenKind.Random;

    /// <summary>The token's shape; default <see cref="TokenFormat.Opaque"/>.</summary>
    public TokenFormat Format { get; init; } = TokenFormat.Opaque;

    /// <summary>For format-preserving tokens: keep the value's last four letters or digits. Default <see langword="false"/>.</summary>
    public bool KeepLastFour { get; init; }

    /// <summary>
    /// For deterministic tokens: the same value in the same scope (and for the same owner) always gives the
    /// same token; other scopes give other tokens. Default <c>default</c>; 1 to 200 characters.
    /// </summary>
    public string Scope { get; init; } = "default";

    /// <summary>
    /// For <see cref="TokenFormat.CardNumber"/>: make tokens that <b>fail</b> the Luhn check, so that a token can
    /// never be a real card number and data-loss-prevention scanners (which look for Luhn-valid numbers) do
    /// not flag tokens in logs and exports. Default <see langword="false"/> (tokens pass the check, for
    /// systems that validate them).
    /// </summary>
    public bool LuhnInvalid { get; init; }

    /// <summary>The person the value belongs to: forgetting them deletes the token. Optional.</summary>
    public Guid? Owner { get; init; }

    /// <summary>When the token expires (it then detokenizes to "not found"); default never.</summary>
    public ExpirationTime? Expires { get; init; }
}

/// <summary>Whether tokenizing the same value twice gives the same token.</summary>
public enum TokenKind
{
    /// <summary>A new token every call.</summary>
    Random = 1,

    /// <summary>The same value in the same scope gives the same token, so hosts can join and count on tokens.</summary>
    Deterministic = 2,
}

/// <summary>The shape of a token.</summary>
public enum TokenFormat
{
    /// <summary>24 URL-safe characters (144 random bits).</summary>
    Opaque = 1,

    /// <summary>
    /// Same length and separators as the value; each ASCII digit becomes a random digit and each ASCII
    /// letter a random letter of the same case; never equal to the value. Values with other letters or
    /// digits are refused.
    /// </summary>
    FormatPreserving = 2,

    /// <summary>
    /// Format-preserving for card numbers (12 to 19 digits, spaces or dashes between), and Luhn-valid unless
    /// <see cref="TokenizeOptions.LuhnInvalid"/> asks for the opposite.
    /// </summary>
    CardNumber = 3,
}
