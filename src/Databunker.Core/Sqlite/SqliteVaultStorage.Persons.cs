using Dapper;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>The persons role: profiles, data keys and blind-index entries.</summary>
internal sealed partial class SqliteVaultStorage : IPersonStore
{
    private const string DeleteIndexes = "DELETE FROM user_indexes WHERE token = @token;";

    /// <summary>Everything of a person's that forgetting deletes, the profile first; each takes <c>@token</c>.</summary>
    public Task CreatePersonsAsync(IReadOnlyList<NewPerson> users, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var insertUser = Command(connection, transaction,
                "INSERT INTO users (token, profile, version, created_at, updated_at) VALUES ($token, $profile, 1, $at, $at);",
                "$token", "$profile", "$at");
            var insertKey = Command(connection, transaction,
                "INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($token, $version, $wrapped);",
                "$token", "$version", "$wrapped");
            var insertIndex = IndexInsert(connection, transaction);
            var auditWriter = AuditWriter(connection, transaction);
            foreach (var user in users)
            {
                var token = Id(user.Token);
                Execute(insertUser, token, user.Profile, user.CreatedAt);
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
            var update = Command(connection, transaction,
                "UPDATE users SET profile = $profile, version = version + 1, updated_at = $at WHERE token = $token AND version = $expected;",
                "$profile", "$at", "$token", "$expected");
            if (Execute(update, change.Profile, change.UpdatedAt, token, change.ExpectedVersion) == 0)
            {
                var exists = Command(connection, transaction, "SELECT COUNT(*) FROM users WHERE token = $token;", "$token");
                exists.Parameters[0].Value = token;
                return (long)exists.ExecuteScalar()! > 0 ? UpdateOutcome.VersionConflict : UpdateOutcome.NotFound;
            }

            Execute(Command(connection, transaction, DeleteIndexes, "@token"), token);
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
            "WHERE u.token > $after AND EXISTS (SELECT 1 FROM user_indexes i WHERE i.token = u.token AND i.key_version < $version) ORDER BY u.token LIMIT $limit;";
        select.Parameters.AddWithValue("$after", after is { } a ? Id(a) : Array.Empty<byte>());
        select.Parameters.AddWithValue("$version", keyVersion);
        select.Parameters.AddWithValue("$limit", limit);
        return (IReadOnlyList<StoredPerson>)ReadAll(select, StoredPersonRow.Read);
    }, cancellationToken);

    public Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = Id(token);
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE token = @id AND version = @expectedVersion;", new { id, expectedVersion }, transaction) == 0)
            {
                return false;
            }

            Execute(Command(connection, transaction, DeleteIndexes, "@token"), id);
            InsertIndexes(IndexInsert(connection, transaction), id, indexes);
            return true;
        }, cancellationToken);

    Task IPersonStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute("DELETE FROM users WHERE token = @token;", Id(token)) + SqliteErasure.Of(erasure).Execute(DeleteIndexes, Id(token)), cancellationToken);

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
