using System.Data.Common;

namespace Databunker.Core.Shared;

/// <summary>
/// The one query shape both providers read a token with (its owner's wrapped data key joined in), and its
/// mapping; each provider appends its own WHERE clause.
/// </summary>
internal static class StoredTokenRow
{
    public const string Select =
        "SELECT t.value, t.owner, t.expires_at, k.key_version, k.wrapped, t.scope FROM tokens t LEFT JOIN data_keys k ON k.owner = t.owner ";

    /// <summary>The token at the reader's current row of <see cref="Select"/>, its columns from <paramref name="first"/> on.</summary>
    public static StoredToken Read(DbDataReader reader, int first) => new(
        (byte[])reader.GetValue(first),
        reader.IsDBNull(first + 1) ? null : new Guid((byte[])reader.GetValue(first + 1)),
        reader.IsDBNull(first + 2) ? null : reader.GetInt64(first + 2),
        reader.IsDBNull(first + 3) ? null : new WrappedKey(reader.GetString(first + 3), (byte[])reader.GetValue(first + 4)),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5));
}

/// <summary>A token's sealed parts, with the columns of <see cref="StoredTokenRow.Select"/> and its owner's wrapped key.</summary>
internal sealed record TokenSealRow(byte[] TokenHash, byte[]? Deterministic, byte[]? SealedToken, byte[] Value, byte[]? Owner, long? ExpiresAt, string? KeyVersion, byte[]? Wrapped, string? Scope)
{
    /// <summary>The query, up to its WHERE clause.</summary>
    public const string Select =
        "SELECT t.token_hash, t.deterministic, t.sealed_token, t.value, t.owner, t.expires_at, k.key_version, k.wrapped, t.scope FROM tokens t LEFT JOIN data_keys k ON k.owner = t.owner";

    public StoredTokenSeal ToSeal() => new(
        TokenHash, Value, Deterministic, SealedToken, Owner is null ? null : new Guid(Owner), ExpiresAt, KeyVersion is null ? null : new WrappedKey(KeyVersion, Wrapped!), Scope);
}
