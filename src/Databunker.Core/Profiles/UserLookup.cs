namespace Databunker.Core;

/// <summary>
/// How to find one person: by token, or by one of the indexed fields of their profile. Index values are
/// normalised before they are hashed, so <c>" Alice@Example.COM "</c> finds <c>alice@example.com</c>.
/// <see cref="ToString"/> never shows the value.
/// </summary>
public readonly record struct PersonLookup
{
    private PersonLookup(LookupKind kind, Guid token, string? value)
    {
        Kind = kind;
        Token = token;
        Value = value;
    }

    /// <summary>What the lookup searches by.</summary>
    public LookupKind Kind { get; }

    /// <summary>The token, when <see cref="Kind"/> is <see cref="LookupKind.Token"/>.</summary>
    public Guid Token { get; }

    /// <summary>The value as given, for the index kinds.</summary>
    public string? Value { get; }

    /// <summary>Finds a person by their token.</summary>
    public static PersonLookup ByToken(Guid token) => new(LookupKind.Token, token, null);

    /// <summary>Finds a person by login.</summary>
    public static PersonLookup ByLogin(string login) => ForIndex(LookupKind.Login, login);

    /// <summary>Finds a person by email.</summary>
    public static PersonLookup ByEmail(string email) => ForIndex(LookupKind.Email, email);

    /// <summary>Finds a person by phone number.</summary>
    public static PersonLookup ByPhone(string phone) => ForIndex(LookupKind.Phone, phone);

    /// <summary>Finds a person by the custom index.</summary>
    public static PersonLookup ByCustom(string custom) => ForIndex(LookupKind.Custom, custom);

    /// <summary>
    /// Builds a lookup from a mode name as Databunker's REST API spells it (<c>token</c>, <c>login</c>,
    /// <c>email</c>, <c>phone</c>, <c>custom</c>; case-insensitive).
    /// </summary>
    /// <exception cref="VaultInputException">The mode is unknown, or the token is not a GUID.</exception>
    public static PersonLookup Create(string mode, string value)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(value);
        return mode.ToUpperInvariant() switch
        {
            "TOKEN" => Guid.TryParse(value, out var token)
                ? ByToken(token)
                : throw new VaultInputException("A token lookup needs a GUID.", nameof(value), "token"),
            "LOGIN" => ByLogin(value),
            "EMAIL" => ByEmail(value),
            "PHONE" => ByPhone(value),
            "CUSTOM" => ByCustom(value),
            _ => throw new VaultInputException(
                "Unknown lookup mode: use token, login, email, phone or custom.", nameof(mode)),
        };
    }

    /// <summary>Shows the kind only, so that a lookup can be logged without its value.</summary>
    public override string ToString() => Kind == LookupKind.Token ? $"token:{Token}" : $"{Kind.ToString().ToLowerInvariant()}:***";

    private static PersonLookup ForIndex(LookupKind kind, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new PersonLookup(kind, Guid.Empty, value);
    }
}
