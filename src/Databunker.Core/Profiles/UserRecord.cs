using System.Text.Json;

namespace Databunker.Core;

/// <summary>A person's profile as the vault returns it, decrypted.</summary>
/// <param name="Token">The person's token: the only identifier the host application needs to keep.</param>
/// <param name="Profile">The profile, a JSON object, exactly as stored.</param>
/// <param name="CreatedAt">When the person was created.</param>
/// <param name="UpdatedAt">When the profile last changed.</param>
public sealed record PersonRecord(Guid Token, JsonElement Profile, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Names the person's token and times, never the profile, so that a logged record leaks nothing.</summary>
    public override string ToString() =>
        $"PersonRecord {{ Token = {Token}, Profile = [redacted], CreatedAt = {CreatedAt:O}, UpdatedAt = {UpdatedAt:O} }}";
}
