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
    public string? NormalizedEmail { get; set; }

    public bool EmailConfirmed { get; set; }

    public bool PhoneNumberConfirmed { get; set; }

    public string? PasswordHash { get; set; }

    public string? SecurityStamp { get; set; }

    public bool TwoFactorEnabled { get; set; }

    public DateTimeOffset? LockoutEnd { get; set; }

    public bool LockoutEnabled { get; set; }

    public int AccessFailedCount { get; set; }

    public string? AuthenticatorKey { get; set; }

    public List<string> RecoveryCodes { get; set; } = [];

    public List<ExternalLogin> Logins { get; set; } = [];

    public List<StoredClaim> Claims { get; set; } = [];

    public List<string> Roles { get; set; } = [];

    public List<StoredToken> Tokens { get; set; } = [];

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

/// <summary>The document's JSON, generated at build time (no reflection, so trimming and native AOT keep working).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IdentityDocument))]
internal sealed partial class IdentityJson : JsonSerializerContext;
