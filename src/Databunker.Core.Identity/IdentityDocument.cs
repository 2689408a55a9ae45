using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Databunker.Core.Identity;

/// <summary>
/// The person's <c>identity</c> app-data document: what Identity keeps of a user that is not the profile. It is sealed
/// in the vault like every app document, read with the user and written by each update, its version being the
/// user's concurrency stamp.
/// </summary>
internal sealed class IdentityDocument
{
    /// <summary>The members that hold credentials, which an export, the portal, the DPO console and a share link withhold (<c>AppDocument.CredentialsMember</c>).</summary>
    [JsonPropertyName(Databunker.Core.AppData.AppDocument.CredentialsMember)]
    [JsonPropertyOrder(-1)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "A member of the serialized document.")]
    public IReadOnlyList<string> Credentials => ["passwordHash", "securityStamp", "authenticatorKey", "recoveryCodes", "tokens"];

    /// <summary>Whether the document names its credentials: one an import wrote without <c>--credential</c> does not until the store writes it.</summary>
    public static bool NamesCredentials(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(Databunker.Core.AppData.AppDocument.CredentialsMember, out _);

    /// <summary>Identity's normalised email, as an import of <c>AspNetUsers</c> writes it; the store writes <see cref="EmailConfirmedFor"/> instead.</summary>
    public string? NormalizedEmail { get; set; }

    /// <summary>
    /// A hash of the address <see cref="EmailConfirmed"/> is about (<see cref="Fingerprint"/>): an address corrected
    /// outside Identity is not confirmed, and the document holds no copy of an old address.
    /// </summary>
    public string? EmailConfirmedFor { get; set; }

    public bool EmailConfirmed { get; set; }

    public bool PhoneNumberConfirmed { get; set; }

    /// <summary>A hash of the phone number <see cref="PhoneNumberConfirmed"/> is about (<see cref="Fingerprint"/>).</summary>
    public string? PhoneConfirmedFor { get; set; }

    public string? PasswordHash { get; set; }

    public string? SecurityStamp { get; set; }

    public bool TwoFactorEnabled { get; set; }

    public DateTimeOffset? LockoutEnd { get; set; }

    /// <summary>On unless written off: Identity turns lockout on for new users (<c>Lockout.AllowedForNewUsers</c>), and an imported user without the member is one.</summary>
    public bool LockoutEnabled { get; set; } = true;

    public int AccessFailedCount { get; set; }

    public string? AuthenticatorKey { get; set; }

    public List<string> RecoveryCodes { get; set; } = [];

    public List<ExternalLogin> Logins { get; set; } = [];

    public List<StoredClaim> Claims { get; set; } = [];

    public List<string> Roles { get; set; } = [];

    public List<StoredToken> Tokens { get; set; } = [];

    /// <summary>
    /// What the document keeps of an address or number to tell whether it changed: SHA-256 of it trimmed and lower-cased,
    /// hex. It is sealed with the document and shown only to the person and the DPO; it is no copy of the value.
    /// </summary>
    public static string? Fingerprint(string? value) => value is null
        ? null
        : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value.Trim().ToLowerInvariant())));

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, IdentityJson.Default.IdentityDocument);

    public static IdentityDocument FromJson(JsonElement json) =>
        json.Deserialize(IdentityJson.Default.IdentityDocument) ?? new IdentityDocument();
}

/// <summary>An external login: the provider, the provider's key for the user, and the name shown for it.</summary>
internal sealed record ExternalLogin(string Provider, string Key, string? DisplayName);

/// <summary>A claim of the user: its type and value (and the value's type when it is not a string).</summary>
internal sealed record StoredClaim(string Type, string Value, string? ValueType);

/// <summary>An authentication token of the user, by provider and name.</summary>
internal sealed record StoredToken(string Provider, string Name, string? Value);

/// <summary>
/// The document's JSON, generated at build time (no reflection, so trimming and native AOT keep working). Member names
/// match in any case, and the values read as an import from Identity's own tables writes them (<c>databunker import
/// --map EmailConfirmed=app:identity/emailConfirmed</c>): a flag as a number or a string, a number as a string, a time
/// as EF Core's SQLite text (<c>2026-12-01 10:00:00+00:00</c>).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(LenientBooleanConverter), typeof(LenientTimeConverter)])]
[JsonSerializable(typeof(IdentityDocument))]
internal sealed partial class IdentityJson : JsonSerializerContext;

/// <summary>A flag written as <c>true</c>/<c>false</c>, a number (0 is false) or a string of either.</summary>
internal sealed class LenientBooleanConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Number => reader.GetDecimal() != 0,
        JsonTokenType.String => reader.GetString() switch
        {
            var text when bool.TryParse(text, out var flag) => flag,
            var text when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) => number != 0,
            _ => throw new JsonException("A flag of the Identity document is neither true, false nor a number."),
        },
        _ => throw new JsonException("A flag of the Identity document is neither true, false nor a number."),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}

/// <summary>A time written in ISO 8601 or as EF Core's SQLite text; one without an offset is UTC.</summary>
internal sealed class LenientTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
        && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new JsonException("A time of the Identity document is not a date and time.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
}
