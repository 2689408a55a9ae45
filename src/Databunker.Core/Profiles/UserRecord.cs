using System.Text.Json;

namespace Databunker.Core;

/// <summary>A person's profile as the vault returns it, decrypted.</summary>
/// <param name="Token">The person's token: the only identifier the host application needs to keep.</param>
/// <param name="Profile">The profile, a JSON object, exactly as stored.</param>
/// <param name="CreatedAt">When the person was created.</param>
/// <param name="UpdatedAt">When the profile last changed.</param>
public sealed record UserRecord(Guid Token, JsonElement Profile, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Names the person's token and times, never the profile, so that a logged record leaks nothing.</summary>
    public override string ToString() =>
        $"UserRecord {{ Token = {Token}, Profile = [redacted], CreatedAt = {CreatedAt:O}, UpdatedAt = {UpdatedAt:O} }}";
}

/// <summary>One entry of the audit trail. It holds no plaintext personal data.</summary>
/// <param name="Id">Ascending id of the event.</param>
/// <param name="At">When the operation happened.</param>
/// <param name="Actor">Who asked for it: the <see cref="AuditActor"/> scope, else the configured default.</param>
/// <param name="Operation">What was done, for example <c>user.create</c> (see <see cref="AuditOperations"/>).</param>
/// <param name="Subject">The person concerned, when known.</param>
/// <param name="Outcome">How it ended, for example <c>success</c> (see <see cref="AuditOutcomes"/>).</param>
/// <param name="Details">
/// Details as JSON (for example the names of the fields that changed), decrypted with the person's key;
/// <see langword="null"/> when the event has none or when they are unreadable.
/// </param>
/// <param name="DetailsUnreadable">
/// <see langword="true"/> when the event has details but the person's key is gone (the person was forgotten).
/// </param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Operation,
    Guid? Subject,
    string Outcome,
    string? Details,
    bool DetailsUnreadable)
{
    /// <summary>Everything but the decrypted details, which can name a person's fields.</summary>
    public override string ToString() =>
        $"AuditEvent {{ Id = {Id}, At = {At:O}, Actor = {Actor}, Operation = {Operation}, Subject = {Subject}, Outcome = {Outcome}, " +
        $"Details = {(Details is null ? "null" : "[redacted]")}, DetailsUnreadable = {DetailsUnreadable} }}";
}

/// <summary>The operation names written to the audit trail.</summary>
public static class AuditOperations
{
    /// <summary>A person was created.</summary>
    public const string UserCreate = "user.create";

    /// <summary>A person's profile was read.</summary>
    public const string UserGet = "user.get";

    /// <summary>A person's profile was changed.</summary>
    public const string UserUpdate = "user.update";

    /// <summary>A person was forgotten through the vault.</summary>
    public const string UserDelete = "user.delete";

    /// <summary>An expiration was started.</summary>
    public const string ExpirationStart = "expiration.start";

    /// <summary>A person chose to keep their data.</summary>
    public const string ExpirationRetain = "expiration.retain";

    /// <summary>A person chose to delete their data through their link.</summary>
    public const string ExpirationDelete = "expiration.delete";

    /// <summary>An expiration was cancelled.</summary>
    public const string ExpirationCancel = "expiration.cancel";

    /// <summary>The scheduler forgot a person whose expiration fell due.</summary>
    public const string ExpirationExpired = "expiration.expired";

    /// <summary>A value was replaced with a token.</summary>
    public const string TokenTokenize = "token.tokenize";

    /// <summary>A token's value was read.</summary>
    public const string TokenDetokenize = "token.detokenize";

    /// <summary>A token was deleted.</summary>
    public const string TokenDelete = "token.delete";

    /// <summary>The wrapped keys were re-wrapped under a new key version.</summary>
    public const string KeysRewrap = "keys.rewrap";

    /// <summary>A system key was renewed (the token sealing key, or the blind index re-keyed).</summary>
    public const string KeysRenew = "keys.renew";

    /// <summary>An old key version was retired (destroyed in the key provider).</summary>
    public const string KeysRetire = "keys.retire";
}

/// <summary>The outcomes written to the audit trail.</summary>
public static class AuditOutcomes
{
    /// <summary>The operation succeeded.</summary>
    public const string Success = "success";

    /// <summary>No person or token matched.</summary>
    public const string NotFound = "not-found";

    /// <summary>A unique index refused the value.</summary>
    public const string Duplicate = "duplicate";
}
