using System.Text.Json;
using System.Text.Json.Serialization;
using Databunker.Core.Requests;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The JSON the DPO API writes and reads, generated at build time (no reflection, so that trimming and native AOT
/// keep it): web defaults (camelCase names) and enums as camelCase strings.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(CamelCaseEnum<PrivacyRequestType>), typeof(CamelCaseEnum<PrivacyRegime>), typeof(CamelCaseEnum<PrivacyRequestState>)])]
[JsonSerializable(typeof(IEnumerable<RequestSummary>))]
[JsonSerializable(typeof(RequestDetail))]
[JsonSerializable(typeof(IReadOnlyList<AuditEvent>))]
[JsonSerializable(typeof(ReasonBody))]
internal sealed partial class AdminJson : JsonSerializerContext;

/// <summary>
/// The session data the portal and the cookie sessions keep, as they always wrote it (property names as declared), and the
/// portal's corrections (a merge patch of string fields).
/// </summary>
[JsonSerializable(typeof(PendingSignIn))]
[JsonSerializable(typeof(SignedInPortalSession))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SessionJson : JsonSerializerContext;

/// <summary>An enum as its camelCase name, for the source-generated contexts.</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal sealed class CamelCaseEnum<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;

/// <summary>A request in the DPO API's list.</summary>
internal sealed record RequestSummary(
    Guid Id, PrivacyRequestType Type, PrivacyRegime Regime, PrivacyRequestState State, string? Activity, DateTimeOffset ReceivedAt,
    DateTimeOffset? AcknowledgeBy, DateTimeOffset DueAt, bool IsExtended, DateTimeOffset? VerifiedAt, DateTimeOffset? DecidedAt, string? DecidedBy,
    DateTimeOffset? ClosedAt, string? Outcome, DateTimeOffset? OverdueAt, bool IsOverdue)
{
    public static RequestSummary Of(PrivacyRequest r) => new(
        r.Id, r.Type, r.Regime, r.State, r.Activity, r.ReceivedAt, r.AcknowledgeBy, r.DueAt, r.IsExtended, r.VerifiedAt, r.DecidedAt, r.DecidedBy,
        r.ClosedAt, r.Outcome, r.OverdueAt, r.OverdueAt is not null);
}

/// <summary>One request in full, as the DPO API shows it.</summary>
internal sealed record RequestDetail(
    Guid Id, Guid Person, PrivacyRequestType Type, PrivacyRegime Regime, PrivacyRequestState State, string? Activity, DateTimeOffset ReceivedAt,
    DateTimeOffset? AcknowledgeBy, DateTimeOffset? AcknowledgedAt, DateTimeOffset DueAt, bool IsExtended, DateTimeOffset? VerifiedAt,
    DateTimeOffset? DecidedAt, string? DecidedBy, DateTimeOffset? ClosedAt, string? Outcome, DateTimeOffset? OverdueAt, JsonElement? Change,
    string? Reason, string? ExtensionReason)
{
    public static RequestDetail Of(PrivacyRequest r) => new(
        r.Id, r.Person, r.Type, r.Regime, r.State, r.Activity, r.ReceivedAt, r.AcknowledgeBy, r.AcknowledgedAt, r.DueAt, r.IsExtended, r.VerifiedAt,
        r.DecidedAt, r.DecidedBy, r.ClosedAt, r.Outcome, r.OverdueAt, r.Change, r.Reason, r.ExtensionReason);
}

/// <summary>The body of a reject or an extension.</summary>
internal sealed record ReasonBody(string? Reason);

/// <summary>
/// A sign-in in progress, kept in an anonymous vault session (sealed under a key derived from its id): the address typed,
/// the code's HMAC and its key. Whether the address has an account is looked up outside the request, when the code is
/// sent, and again once the right code comes back.
/// </summary>
internal sealed record PendingSignIn(string Email, string Hash, string Key, long ExpiresAt, int Attempts)
{
    public override string ToString() => $"PendingSignIn {{ ExpiresAt = {ExpiresAt}, Attempts = {Attempts} }}";
}

/// <summary>The data of a signed-in portal session.</summary>
internal sealed record SignedInPortalSession([property: JsonPropertyName("portal")] bool Portal);
