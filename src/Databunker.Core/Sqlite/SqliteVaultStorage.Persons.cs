using Dapper;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// The persons role: profiles, data keys and blind-index entries. The entries are found by hash; a person's row
/// lists the hashes of their entries (<c>index_hashes</c>, 32 bytes each) and the lowest key version among them
/// (<c>index_version</c>), so that changing or forgetting a person, and the re-key's scan, need no index from a
/// person to their entries: one B-tree less to write on every create.
/// </summary>
internal sealed partial class SqliteVaultStorage : IPersonStore
{
    private const int IndexHashSize = 32;

    public Task CreatePersonsAsync(IReadOnlyList<NewPerson> users, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var insertUser = Command(connection, transaction,
                "INSERT INTO users (token, profile, version, created_at, updated_at, index_hashes, index_version) VALUES ($token, $profile, 1, $at, $at, $hashes, $indexVersion);",
                "$token", "$profile", "$at", "$hashes", "$indexVersion");
            var insertKey = Command(connection, transaction,
                "INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($token, $version, $wrapped);",
                "$token", "$version", "$wrapped");
            var insertIndex = IndexInsert(connection, transaction);
            var auditWriter = AuditWriter(connection, transaction);
            foreach (var user in users)
            {
                var token = Id(user.Token);
                var (hashes, indexVersion) = IndexColumns(user.Indexes);
                Execute(insertUser, token, user.Profile, user.CreatedAt, hashes, indexVersion);
                Execute(insertKey, token, user.DataKey.KeyVersion, user.DataKey.Ciphertext);
                InsertIndexes(insertIndex, token, user.Indexes);
                auditWriter.Append(user.Audit);
            }

            return true;
        }, cancellationToken);

    public Task<StoredPerson?> GetPersonAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ReadUser(Command(connection, null, StoredPersonRow.Select + "WHERE u.token = $key;", "$key"), Id(token));
    }, cancellationToken);

    public Task<StoredPerson?> GetPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ReadUser(Command(connection, null, StoredPersonRow.Select + "JOIN user_indexes i ON i.token = u.token WHERE i.hash = $key;", "$key"), hash);
    }, cancellationToken);

    public Task<Guid?> FindPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        var select = Command(connection, null, "SELECT token FROM user_indexes WHERE hash = $hash;", "$hash");
        select.Parameters[0].Value = hash;
        return select.ExecuteScalar() is byte[] token ? new Guid(token) : (Guid?)null;
    }, cancellationToken);

    public Task<UpdateOutcome> UpdatePersonAsync(PersonChange change, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var token = Id(change.Token);
            if (!ReadIndexHashes(connection, transaction, token, change.ExpectedVersion, out var previous))
            {
                var exists = Command(connection, transaction, "SELECT COUNT(*) FROM users WHERE token = $token;", "$token");
                exists.Parameters[0].Value = token;
                return (long)exists.ExecuteScalar()! > 0 ? UpdateOutcome.VersionConflict : UpdateOutcome.NotFound;
            }

            var (hashes, indexVersion) = IndexColumns(change.Indexes);
            var update = Command(connection, transaction,
                "UPDATE users SET profile = $profile, version = version + 1, updated_at = $at, index_hashes = $hashes, index_version = $indexVersion WHERE token = $token;",
                "$profile", "$at", "$hashes", "$indexVersion", "$token");
            Execute(update, change.Profile, change.UpdatedAt, hashes, indexVersion, token);
            DeleteIndexes(connection, transaction, token, previous);
            InsertIndexes(IndexInsert(connection, transaction), token, change.Indexes);
            AuditWriter(connection, transaction).Append(change.Audit);
            return UpdateOutcome.Updated;
        }, cancellationToken);

    public Task<long> CountIndexesBelowAsync(int keyVersion, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM user_indexes WHERE key_version < @keyVersion;", new { keyVersion });
    }, cancellationToken);

    public Task<IReadOnlyList<StoredPerson>> GetPersonsWithIndexesBelowAsync(int keyVersion, Guid? after, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var select = connection.CreateCommand();
        select.CommandText = StoredPersonRow.Select +
            "WHERE u.token > $after AND u.index_version < $version ORDER BY u.token LIMIT $limit;";
        select.Parameters.AddWithValue("$after", after is { } a ? Id(a) : Array.Empty<byte>());
        select.Parameters.AddWithValue("$version", keyVersion);
        select.Parameters.AddWithValue("$limit", limit);
        return (IReadOnlyList<StoredPerson>)ReadAll(select, StoredPersonRow.Read);
    }, cancellationToken);

    public Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = Id(token);
            if (!ReadIndexHashes(connection, transaction, id, expectedVersion, out var previous))
            {
                return false;
            }

            var (hashes, indexVersion) = IndexColumns(indexes);
            Execute(Command(connection, transaction, "UPDATE users SET index_hashes = $hashes, index_version = $indexVersion WHERE token = $token;", "$hashes", "$indexVersion", "$token"),
                hashes, indexVersion, id);
            DeleteIndexes(connection, transaction, id, previous);
            InsertIndexes(IndexInsert(connection, transaction), id, indexes);
            return true;
        }, cancellationToken);

    Task IPersonStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        var (connection, transaction, id) = (SqliteErasure.Of(erasure).Connection, SqliteErasure.Of(erasure).Transaction, Id(token));
        if (!ReadIndexHashes(connection, transaction, id, null, out var hashes))
        {
            return 0;
        }

        DeleteIndexes(connection, transaction, id, hashes);
        return Execute(Command(connection, transaction, "DELETE FROM users WHERE token = @token;", "@token"), id);
    }, cancellationToken);

    /// <summary>The hash list and lowest key version of a person's entries, for their row.</summary>
    private static (byte[]? Hashes, long? Version) IndexColumns(IReadOnlyList<IndexEntry> indexes)
    {
        if (indexes.Count == 0)
        {
            return (null, null);
        }

        var hashes = new byte[indexes.Count * IndexHashSize];
        var lowest = int.MaxValue;
        for (var i = 0; i < indexes.Count; i++)
        {
            if (indexes[i].Hash.Length != IndexHashSize)
            {
                throw new ArgumentException($"Index hashes are {IndexHashSize} bytes.", nameof(indexes));
            }

            indexes[i].Hash.CopyTo(hashes, i * IndexHashSize);
            lowest = Math.Min(lowest, indexes[i].KeyVersion);
        }

        return (hashes, lowest);
    }

    /// <summary>Reads a person's hash list, if the person exists (at <paramref name="expectedVersion"/> when given).</summary>
    private static bool ReadIndexHashes(SqliteConnection connection, SqliteTransaction transaction, byte[] token, long? expectedVersion, out byte[]? hashes)
    {
        var select = expectedVersion is null
            ? Command(connection, transaction, "SELECT index_hashes FROM users WHERE token = $token;", "$token")
            : Command(connection, transaction, "SELECT index_hashes FROM users WHERE token = $token AND version = $expected;", "$token", "$expected");
        select.Parameters[0].Value = token;
        if (expectedVersion is { } expected)
        {
            select.Parameters[1].Value = expected;
        }

        using var reader = select.ExecuteReader();
        hashes = null;
        if (!reader.Read())
        {
            return false;
        }

        hashes = reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0);
        return true;
    }

    /// <summary>Deletes the entries a person's hash list names (each still the person's: the token is checked too).</summary>
    private static void DeleteIndexes(SqliteConnection connection, SqliteTransaction transaction, byte[] token, byte[]? hashes)
    {
        if (hashes is null)
        {
            return;
        }

        if (hashes.Length % IndexHashSize != 0)
        {
            throw new VaultCryptoException("A person's list of index entries is damaged.");
        }

        var delete = Command(connection, transaction, "DELETE FROM user_indexes WHERE hash = $hash AND token = $token;", "$hash", "$token");
        for (var offset = 0; offset < hashes.Length; offset += IndexHashSize)
        {
            Execute(delete, hashes.AsSpan(offset, IndexHashSize).ToArray(), token);
        }
    }

    /// <summary>The erasure's own end: no data key, no person (nothing is written then).</summary>
    internal bool EndPerson(SqliteErasure erasure, byte[] token, long forgottenAt, AuditRecord audit)
    {
        var (connection, transaction) = (erasure.Connection, erasure.Transaction);
        if (Execute(Command(connection, transaction, "DELETE FROM data_keys WHERE owner = @token;", "@token"), token) == 0)
        {
            return false;
        }

        Execute(Command(connection, transaction, "INSERT OR REPLACE INTO tombstones (token, forgotten_at) VALUES ($token, $at);", "$token", "$at"), token, forgottenAt);
        AuditWriter(connection, transaction).Append(audit, audit.Subject == new Guid(token) ? token : null);
        return true;
    }

    private static SqliteCommand IndexInsert(SqliteConnection connection, SqliteTransaction transaction) =>
        Command(connection, transaction, "INSERT INTO user_indexes (hash, kind, token, key_version) VALUES ($hash, $kind, $token, $version);", "$hash", "$kind", "$token", "$version");

    private static void InsertIndexes(SqliteCommand insert, byte[] token, IReadOnlyList<IndexEntry> indexes)
    {
        foreach (var index in indexes)
        {
            try
            {
                Execute(insert, index.Hash, (long)index.Kind, token, (long)index.KeyVersion);
            }
            catch (SqliteException ex) when (IsUniqueViolation(ex))
            {
                throw new DuplicateIndexException(index.Kind.ToString().ToLowerInvariant());
            }
        }
    }

    /// <summary>Reads the one person the prepared <paramref name="select"/> finds by <paramref name="key"/>.</summary>
    private static StoredPerson? ReadUser(SqliteCommand select, byte[] key)
    {
        select.Parameters[0].Value = key;
        using var reader = select.ExecuteReader();
        return reader.Read()
            ? StoredPersonRow.Read(reader)
            : null;
    }
}
