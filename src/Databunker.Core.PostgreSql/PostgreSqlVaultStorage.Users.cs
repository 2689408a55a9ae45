using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Npgsql;

namespace Databunker.Core.PostgreSql;

internal sealed partial class PostgreSqlVaultStorage
{
    private const string SelectUser =
        "SELECT u.token, u.profile, u.version, u.created_at, u.updated_at, k.key_version, k.wrapped FROM users u JOIN data_keys k ON k.owner = u.token ";

    private const string InsertIndex = "INSERT INTO user_indexes (hash, kind, token) VALUES ($1, $2, $3);";

    private const string InsertAudit =
        "INSERT INTO audit_events (at, actor, operation, subject, outcome, details) VALUES ($1, $2, $3, $4, $5, $6);";

    /// <summary>Everything of a person's that forgetting deletes after the profile; each takes <c>$1</c>.</summary>
    private static readonly string[] ForgetStatements =
    [
        "DELETE FROM data_keys WHERE owner = $1;",
        "DELETE FROM user_indexes WHERE token = $1;",
        "DELETE FROM expirations WHERE token = $1;",
        "DELETE FROM tokens WHERE owner = $1;",
    ];

    /// <summary>One transaction, one round trip: the rows of all the persons go as one pipelined batch.</summary>
    public Task CreateUsersAsync(IReadOnlyList<NewUser> users, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var user in users)
            {
                var token = Id(user.Token);
                Add(batch, "INSERT INTO users (token, profile, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3);", token, user.Profile, user.CreatedAt);
                Add(batch, "INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($1, $2, $3);", token, user.DataKey.KeyVersion, user.DataKey.Ciphertext);
                AddIndexes(batch, token, user.Indexes);
                AddAudit(batch, user.Audit);
            }

            await ExecuteIndexWritesAsync(batch, users.SelectMany(u => u.Indexes), null, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<StoredUser?> GetUserAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadUserAsync(connection, SelectUser + "WHERE u.token = $1;", Id(token), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredUser?> GetUserByIndexAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadUserAsync(connection, SelectUser + "JOIN user_indexes i ON i.token = u.token WHERE i.hash = $1;", hash, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Guid?> FindTokenByIndexAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT token FROM user_indexes WHERE hash = $1;", cancellationToken, hash).ConfigureAwait(false) is byte[] token
            ? new Guid(token)
            : null;
    }

    /// <summary>
    /// The version check is in the UPDATE's WHERE: an instance that updated the row first makes this one
    /// wait, then re-read the row and find another version, so one of two racing patches wins.
    /// </summary>
    public Task<UpdateOutcome> UpdateUserAsync(UserChange change, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var token = Id(change.Token);
            if (await ExecuteAsync(connection, transaction,
                    "UPDATE users SET profile = $1, version = version + 1, updated_at = $2 WHERE token = $3 AND version = $4;",
                    cancellationToken, change.Profile, change.UpdatedAt, token, change.ExpectedVersion).ConfigureAwait(false) == 0)
            {
                return await ScalarAsync(connection, transaction, "SELECT 1 FROM users WHERE token = $1;", cancellationToken, token).ConfigureAwait(false) is null
                    ? UpdateOutcome.NotFound
                    : UpdateOutcome.VersionConflict;
            }

            await using var batch = new NpgsqlBatch(connection, transaction);
            Add(batch, "DELETE FROM user_indexes WHERE token = $1;", token);
            AddIndexes(batch, token, change.Indexes);
            AddAudit(batch, change.Audit);
            await ExecuteIndexWritesAsync(batch, change.Indexes, token, cancellationToken).ConfigureAwait(false);
            return UpdateOutcome.Updated;
        }, cancellationToken);

    public Task<bool> ForgetUserAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => ForgetUserAsync(connection, transaction, Id(token), forgottenAt, audit, cancellationToken), cancellationToken);

    public async Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT 1 FROM tombstones WHERE token = $1;", cancellationToken, Id(token)).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Deletes the profile first: no profile, no person, nothing else to do. The DELETE takes the row lock,
    /// so a second instance forgetting the same person waits and then deletes nothing.
    /// </summary>
    private static async Task<bool> ForgetUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, byte[] token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken)
    {
        if (await ExecuteAsync(connection, transaction, "DELETE FROM users WHERE token = $1;", cancellationToken, token).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in ForgetStatements)
        {
            Add(batch, statement, token);
        }

        Add(batch, "INSERT INTO tombstones (token, forgotten_at) VALUES ($1, $2) ON CONFLICT (token) DO UPDATE SET forgotten_at = excluded.forgotten_at;", token, forgottenAt);
        AddAudit(batch, audit);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        batch.BatchCommands.Add(command);
    }

    private static void AddIndexes(NpgsqlBatch batch, byte[] token, IReadOnlyList<IndexEntry> indexes)
    {
        foreach (var index in indexes)
        {
            Add(batch, InsertIndex, index.Hash, (int)index.Kind, token);
        }
    }

    private static void AddAudit(NpgsqlBatch batch, AuditRecord audit) =>
        Add(batch, InsertAudit, audit.At, audit.Actor, audit.Operation, audit.Subject is { } s ? Id(s) : null, audit.Outcome, audit.Details);

    /// <summary>
    /// Runs a batch that inserts blind indexes; a taken index becomes <see cref="DuplicateIndexException"/>
    /// naming its kind. PostgreSQL does not say which statement of the batch failed (and its detail, which
    /// would, is left redacted), so after the rollback the kind is found among the batch's own hashes: one
    /// given twice, or one that another person holds.
    /// </summary>
    private static async Task ExecuteIndexWritesAsync(NpgsqlBatch batch, IEnumerable<IndexEntry> indexes, byte[]? owner, CancellationToken cancellationToken)
    {
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (IsUniqueViolation(ex) && ex.ConstraintName == "user_indexes_pkey")
        {
            var connection = batch.Connection!;
            await batch.Transaction!.RollbackAsync(cancellationToken).ConfigureAwait(false);
            var entries = indexes.ToList();
            var kind = entries.GroupBy(e => Convert.ToHexString(e.Hash)).FirstOrDefault(g => g.Count() > 1)?.First().Kind;
            if (kind is null)
            {
                await using var taken = Command(connection, null,
                    "SELECT kind FROM user_indexes WHERE hash = ANY($1) AND token <> $2 LIMIT 1;", entries.Select(e => e.Hash).ToArray(), owner ?? []);
                kind = await taken.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int found ? (LookupKind)found : null;
            }

            throw new DuplicateIndexException(kind?.ToString().ToLowerInvariant() ?? "index");
        }
    }

    private static async Task<StoredUser?> ReadUserAsync(NpgsqlConnection connection, string sql, byte[] key, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, null, sql, key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredUser(
                new Guid((byte[])reader.GetValue(0)),
                (byte[])reader.GetValue(1),
                new WrappedKey(reader.GetString(5), (byte[])reader.GetValue(6)),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4))
            : null;
    }
}
