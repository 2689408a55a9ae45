using System.Data.Common;

namespace Databunker.Core.Shared;

/// <summary>
/// The one query shape both providers read a person with, and its mapping: the SQL is the same in SQLite
/// and PostgreSQL up to the WHERE clause, which each provider appends with its own placeholder.
/// </summary>
internal static class StoredPersonRow
{
    public const string Select =
        "SELECT u.token, u.profile, u.version, u.created_at, u.updated_at, k.key_version, k.wrapped FROM users u JOIN data_keys k ON k.owner = u.token ";

    /// <summary>The person at the reader's current row of <see cref="Select"/>.</summary>
    public static StoredPerson Read(DbDataReader reader) => new(
        new Guid((byte[])reader.GetValue(0)),
        (byte[])reader.GetValue(1),
        new WrappedKey(reader.GetString(5), (byte[])reader.GetValue(6)),
        reader.GetInt64(2),
        reader.GetInt64(3),
        reader.GetInt64(4));
}

/// <summary>A row of <see cref="StoredPersonRow.Select"/>, as the statement's columns name it.</summary>
internal sealed record PersonRow(byte[] Token, byte[] Profile, long Version, long CreatedAt, long UpdatedAt, string KeyVersion, byte[] Wrapped)
{
    public StoredPerson ToPerson() => new(new Guid(Token), Profile, new WrappedKey(KeyVersion, Wrapped), Version, CreatedAt, UpdatedAt);
}
