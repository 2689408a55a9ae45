using Dapper;
using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

internal sealed partial class SqliteVaultStorage
{
    private const string SelectUser =
        "SELECT u.token AS Token, u.profile AS Profile, u.version AS Version, u.created_at AS CreatedAt, u.updated_at AS UpdatedAt, " +
        "k.key_version AS KeyVersion, k.wrapped AS Wrapped FROM users u JOIN data_keys k ON k.owner = u.token ";

    /// <summary>Everything of a person's that forgetting deletes; each takes <c>@token</c>.</summary>
    private static readonly string[] ForgetStatements =
    [
        "DELETE FROM users WHERE token = @token;",
        "DELETE FROM data_keys WHERE owner = @token;",
        "DELETE FROM user_indexes WHERE token = @token;",
        "DELETE FROM expirations WHERE token = @token;",
        "DELETE FROM tokens WHERE owner = @token;",
    ];

    public Task CreateUsersAsync(IReadOnlyList<NewUser> users, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            using var insertUser = Command(connection, transaction,
                "INSERT INTO users (token, profile, version, created_at, updated_at) VALUES ($token, $profile, 1, $at, $at);",
                "$token", "$profile", "$at");
            using var insertKey = Command(connection, transaction,
                "INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($token, $version, $wrapped);",
                "$token", "$version", "$wrapped");
            using var insertIndex = IndexInsert(connection, transaction);
            using var insertAudit = AuditInsert(connection, transaction);
            foreach (var user in users)
            {
                var token = Id(user.Token);
                Execute(insertUser, token, user.Profile, user.CreatedAt);
                Execute(insertKey, token, user.DataKey.KeyVersion, user.DataKey.Ciphertext);
                InsertIndexes(insertIndex, token, user.Indexes);
                AppendAudit(insertAudit, user.Audit);
            }

            return true;
        }, cancellationToken);

    public Task<StoredUser?> GetUserAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ToStored(connection.QuerySingleOrDefault<UserRow>(SelectUser + "WHERE u.token = @token;", new { token = Id(token) }));
    }, cancellationToken);

    public Task<StoredUser?> GetUserByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ToStored(connection.QuerySingleOrDefault<UserRow>(
            SelectUser + "JOIN user_indexes i ON i.token = u.token WHERE i.hash = @hash;", new { hash }));
    }, cancellationToken);

    public Task<Guid?> FindTokenByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        var token = connection.ExecuteScalar<byte[]?>("SELECT token FROM user_indexes WHERE hash = @hash;", new { hash });
        return token is null ? (Guid?)null : new Guid(token);
    }, cancellationToken);

    public Task<UpdateOutcome> UpdateUserAsync(UserChange change, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var token = Id(change.Token);
            var changed = connection.Execute(
                "UPDATE users SET profile = @profile, version = version + 1, updated_at = @at WHERE token = @token AND version = @expected;",
                new { token, profile = change.Profile, at = change.UpdatedAt, expected = change.ExpectedVersion },
                transaction);
            if (changed == 0)
            {
                var exists = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE token = @token;", new { token }, transaction) > 0;
                return exists ? UpdateOutcome.VersionConflict : UpdateOutcome.NotFound;
            }

            connection.Execute("DELETE FROM user_indexes WHERE token = @token;", new { token }, transaction);
            using (var insertIndex = IndexInsert(connection, transaction))
            {
                InsertIndexes(insertIndex, token, change.Indexes);
            }

            using var insertAudit = AuditInsert(connection, transaction);
            AppendAudit(insertAudit, change.Audit);
            return UpdateOutcome.Updated;
        }, cancellationToken);

    public Task<bool> ForgetUserAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, transaction) => ForgetUser(connection, transaction, Id(token), forgottenAt, audit), cancellationToken);

    public Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM tombstones WHERE token = @token;", new { token = Id(token) }) > 0;
    }, cancellationToken);

    private static bool ForgetUser(SqliteConnection connection, SqliteTransaction transaction, byte[] token, long forgottenAt, AuditRecord audit)
    {
        var exists = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE token = @token;", new { token }, transaction) > 0;
        if (!exists)
        {
            return false;
        }

        foreach (var statement in ForgetStatements)
        {
            connection.Execute(statement, new { token }, transaction);
        }

        connection.Execute(
            "INSERT OR REPLACE INTO tombstones (token, forgotten_at) VALUES (@token, @forgottenAt);",
            new { token, forgottenAt },
            transaction);
        using var insertAudit = AuditInsert(connection, transaction);
        AppendAudit(insertAudit, audit);
        return true;
    }

    private static SqliteCommand IndexInsert(SqliteConnection connection, SqliteTransaction transaction) =>
        Command(connection, transaction, "INSERT INTO user_indexes (hash, kind, token) VALUES ($hash, $kind, $token);", "$hash", "$kind", "$token");

    private static void InsertIndexes(SqliteCommand insert, byte[] token, IReadOnlyList<IndexEntry> indexes)
    {
        foreach (var index in indexes)
        {
            try
            {
                Execute(insert, index.Hash, (long)index.Kind, token);
            }
            catch (SqliteException ex) when (IsUniqueViolation(ex))
            {
                throw new DuplicateIndexException(index.Kind.ToString().ToLowerInvariant());
            }
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static int Execute(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteNonQuery();
    }

    private static StoredUser? ToStored(UserRow? row) => row is null
        ? null
        : new StoredUser(new Guid(row.Token), row.Profile, new WrappedKey(row.KeyVersion, row.Wrapped), row.Version, row.CreatedAt, row.UpdatedAt);

    private sealed class UserRow
    {
        public byte[] Token { get; set; } = [];

        public byte[] Profile { get; set; } = [];

        public long Version { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public string KeyVersion { get; set; } = string.Empty;

        public byte[] Wrapped { get; set; } = [];
    }
}
