using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The persons role: profiles, data keys and blind-index entries.</summary>
internal sealed partial class PostgreSqlVaultStorage : IPersonStore
{
    private const string InsertIndex = "INSERT INTO user_indexes (hash, kind, token, key_version) VALUES ($1, $2, $3, $4);";

    /// <summary>
    /// One batch, one round trip: one person's rows as plain INSERTs, or every person's profile, data key and index rows
    /// as one multi-row INSERT each; their audit events as one append. All of them or, on a taken index, none.
    /// </summary>
    public Task CreatePersonsAsync(IReadOnlyList<NewPerson> users, CancellationToken cancellationToken) => users.Count == 0
        ? Task.CompletedTask
        : AuditedBatchAsync(
            (batch, audit) =>
            {
                if (users is [var user])
                {
                    var token = Id(user.Token);
                    Add(batch, "INSERT INTO users (token, profile, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3);", token, user.Profile, user.CreatedAt);
                    Add(batch, "INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($1, $2, $3);", token, user.DataKey.KeyVersion, user.DataKey.Ciphertext);
                    AddIndexes(batch, token, user.Indexes);
                    if (user.FieldsDueAt is { } due)
                    {
                        Add(batch, "INSERT INTO field_retention (owner, due_at) VALUES ($1, $2);", token, due);
                    }

                    audit.Add(batch, user.Audit);
                    return;
                }

                var tokens = users.Select(u => Id(u.Token)).ToArray();
                Add(batch, "INSERT INTO users (token, profile, version, created_at, updated_at) SELECT t, p, 1, c, c FROM unnest($1::bytea[], $2::bytea[], $3::bigint[]) AS u(t, p, c);",
                    tokens, users.Select(u => u.Profile).ToArray(), users.Select(u => u.CreatedAt).ToArray());
                Add(batch, "INSERT INTO data_keys (owner, key_version, wrapped) SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[]);",
                    tokens, users.Select(u => u.DataKey.KeyVersion).ToArray(), users.Select(u => u.DataKey.Ciphertext).ToArray());
                var indexes = users.SelectMany((u, i) => u.Indexes.Select(x => (Token: tokens[i], Index: x))).ToArray();
                if (indexes.Length > 0)
                {
                    Add(batch, "INSERT INTO user_indexes (hash, kind, token, key_version) SELECT * FROM unnest($1::bytea[], $2::int[], $3::bytea[], $4::int[]);",
                        indexes.Select(x => x.Index.Hash).ToArray(), indexes.Select(x => (int)x.Index.Kind).ToArray(), indexes.Select(x => x.Token).ToArray(), indexes.Select(x => x.Index.KeyVersion).ToArray());
                }

                var dues = users.Select((u, i) => (Token: tokens[i], Due: u.FieldsDueAt)).Where(d => d.Due is not null).ToArray();
                if (dues.Length > 0)
                {
                    Add(batch, "INSERT INTO field_retention (owner, due_at) SELECT * FROM unnest($1::bytea[], $2::bigint[]);",
                        dues.Select(d => d.Token).ToArray(), dues.Select(d => d.Due!.Value).ToArray());
                }

                audit.AddAll(batch, users.Select(u => u.Audit).ToArray());
            },
            (_, _) => Task.FromResult(true),
            batch => ExecuteIndexWritesAsync(batch, users.SelectMany(u => u.Indexes), null, cancellationToken),
            cancellationToken);

    /// <summary>
    /// The read and its event as one statement, one round trip, one snapshot: the event is appended only if the person is
    /// there (and the hash points to them); otherwise the caller appends the one that fits.
    /// </summary>
    public Task<AuditedRead<StoredPerson>> GetPersonAuditedAsync(Guid owner, byte[]? hash, AuditRecord audit, CancellationToken cancellationToken)
    {
        var token = Id(owner);
        return hash is null
            ? ReadAuditedAsync(StoredPersonRow.Select + "WHERE u.token = $1;", [token],
                audit, "TRUE", StoredPersonRow.Read, cancellationToken)
            : ReadAuditedAsync(StoredPersonRow.Select + "JOIN user_indexes i ON i.token = u.token WHERE i.hash = $1 AND i.token = $2;", [hash, token],
                audit, "TRUE", StoredPersonRow.Read, cancellationToken);
    }

    public async Task<StoredPerson?> GetPersonAsync(Guid token, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<PersonRow>(
            StoredPersonRow.Select + "WHERE u.token = @token;", new { token = Id(token), cancellationToken }).ConfigureAwait(false))?.ToPerson();
    }

    public async Task<StoredPerson?> GetPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<PersonRow>(
            StoredPersonRow.Select + "JOIN user_indexes i ON i.token = u.token WHERE i.hash = @hash;", new { hash, cancellationToken }).ConfigureAwait(false))?.ToPerson();
    }

    public async Task<Guid?> FindPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT token FROM user_indexes WHERE hash = $1;", cancellationToken, hash).ConfigureAwait(false) is byte[] token
            ? new Guid(token)
            : null;
    }

    public async Task<IReadOnlyCollection<Guid>> FindKnownTokensAsync(IReadOnlyList<Guid> tokens, CancellationToken cancellationToken)
    {
        if (tokens.Count == 0)
        {
            return [];
        }

        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection, null,
            "SELECT token FROM users WHERE token = ANY($1) UNION SELECT token FROM tombstones WHERE token = ANY($1);",
            (object)tokens.Select(Id).ToArray());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var known = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            known.Add(new Guid((byte[])reader.GetValue(0)));
        }

        return known;
    }

    /// <summary>
    /// One batch, one round trip. The version check is in the UPDATE's WHERE: an instance that updated the row first
    /// makes this one wait, then re-read the row and find another version, so one of two racing patches wins. The
    /// statements after it act only if the row now holds this update's ciphertext (its random nonce makes it unique),
    /// that is, only if this UPDATE won.
    /// </summary>
    public Task<UpdateOutcome> UpdatePersonAsync(PersonChange change, CancellationToken cancellationToken)
    {
        const string Won = "EXISTS (SELECT 1 FROM users WHERE token = $1 AND profile = $2)";
        var token = Id(change.Token);
        return AuditedBatchAsync(
            (batch, audit) =>
            {
                Add(batch, "UPDATE users SET profile = $1, version = version + 1, updated_at = $2 WHERE token = $3 AND version = $4;",
                    change.Profile, change.UpdatedAt, token, change.ExpectedVersion);
                Add(batch, $"DELETE FROM user_indexes WHERE token = $1 AND {Won};", token, change.Profile);
                if (change.Indexes.Count > 0)
                {
                    Add(batch, $"INSERT INTO user_indexes (hash, kind, token, key_version) SELECT h, k, $1, v FROM unnest($3::bytea[], $4::int[], $5::int[]) AS x(h, k, v) WHERE {Won};",
                        token, change.Profile, change.Indexes.Select(x => x.Hash).ToArray(), change.Indexes.Select(x => (int)x.Kind).ToArray(), change.Indexes.Select(x => x.KeyVersion).ToArray());
                }

                if (change.FieldsDueAt is { } due)
                {
                    Add(batch, $"INSERT INTO field_retention (owner, due_at) SELECT $1, $3 WHERE {Won} ON CONFLICT (owner) DO UPDATE SET due_at = LEAST(field_retention.due_at, excluded.due_at);",
                        token, change.Profile, due);
                }

                audit.Add(batch, change.Audit, "EXISTS (SELECT 1 FROM users WHERE token = {0} AND profile = {1})", token, change.Profile);
            },
            async (batch, audit) =>
            {
                if (batch.BatchCommands[0].RecordsAffected == 1)
                {
                    return UpdateOutcome.Updated;
                }

                audit.Undo();
                return await ScalarAsync(batch.Connection!, null, "SELECT 1 FROM users WHERE token = $1;", cancellationToken, token).ConfigureAwait(false) is null
                    ? UpdateOutcome.NotFound
                    : UpdateOutcome.VersionConflict;
            },
            batch => ExecuteIndexWritesAsync(batch, change.Indexes, token, cancellationToken),
            cancellationToken);
    }

    Task IPersonStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken)
    {
        var step = PostgreSqlErasure.Of(erasure);
        var id = Id(token);
        step.Add("DELETE FROM users WHERE token = $1;", id);
        step.Add("DELETE FROM purpose_states WHERE owner = $1;", id);
        step.Add("DELETE FROM field_retention WHERE owner = $1;", id);
        return step.Add("DELETE FROM user_indexes WHERE token = $1;", id);
    }

    public async Task<long> CountIndexesBelowAsync(int keyVersion, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_indexes WHERE key_version < @keyVersion;", new { keyVersion, cancellationToken }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredPerson>> GetPersonsWithIndexesBelowAsync(int keyVersion, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PersonRow>(
            StoredPersonRow.Select + "WHERE u.token > @after AND EXISTS (SELECT 1 FROM user_indexes i WHERE i.token = u.token AND i.key_version < @keyVersion) ORDER BY u.token LIMIT @limit;",
            new { after = after is { } a ? Id(a) : [], keyVersion, limit, cancellationToken }).ConfigureAwait(false);
        return rows.Select(r => r.ToPerson()).ToList();
    }

    /// <summary>The person's row is locked first, so that a concurrent update or forget waits for the new set, or this one finds another version.</summary>
    public Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var id = Id(token);
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM users WHERE token = $1 AND version = $2 FOR UPDATE;", cancellationToken, id, expectedVersion).ConfigureAwait(false) is null)
            {
                return false;
            }

            await using var batch = new NpgsqlBatch(connection, transaction);
            Add(batch, "DELETE FROM user_indexes WHERE token = $1;", id);
            AddIndexes(batch, id, indexes);
            await ExecuteIndexWritesAsync(batch, indexes, id, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

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
            Add(batch, InsertIndex, index.Hash, (int)index.Kind, token, index.KeyVersion);
        }
    }

    /// <summary>
    /// Runs a batch that inserts blind indexes; a taken index becomes <see cref="DuplicateIndexException"/>
    /// naming its kind. PostgreSQL does not say which statement of the batch failed (and its detail, which
    /// would, is left redacted), so after the rollback (the server's, of the batch's implicit transaction) the kind is found among the batch's own hashes: one
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
            if (batch.Transaction is { } transaction)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            }

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
}
