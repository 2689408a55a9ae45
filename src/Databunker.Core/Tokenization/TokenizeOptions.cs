namespace Databunker.Core.Tokenization;

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
    /// The kind of value, in the host's words (<c>card</c>, <c>iban</c>), kept with the token and bound to its sealed
    /// value: a read for a purpose gives back only the scopes its activity declares
    /// (<see cref="Privacy.ProcessingActivity.TokenScopes"/>). For deterministic tokens, the same value in the same scope
    /// (and for the same owner) always gives the same token; other scopes give other tokens. Default <c>default</c>;
    /// 1 to 200 characters.
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
    public Guid? Person { get; init; }

    /// <summary>When the token expires (it then detokenizes to "not found"); default never.</summary>
    public ExpirationTime? Expires { get; init; }
}
