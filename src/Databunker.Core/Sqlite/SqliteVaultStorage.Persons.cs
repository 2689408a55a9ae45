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
            var insertUser = SqliteStatement.For(connection,
                "INSERT INTO users (token, profile, version, created_at, updated_at, index_hashes, index_version) VALUES (?1, ?2, 1, ?3, ?3, ?4, ?5);");
            var insertKey = SqliteStatement.For(connection, "INSERT INTO data_keys (owner, key_version, wrapped) VALUES (?1, ?2, ?3);");
            var insertIndex = IndexInsert(connection);
            Span<byte> token = stackalloc byte[16];
            foreach (var user in users)
            {
                user.Token.TryWriteBytes(token);
                BindIndexColumns(insertUser.Bind(1, (ReadOnlySpan<byte>)token).Bind(2, user.Profile).Bind(3, user.CreatedAt), 4, user.Indexes).Execute();
                insertKey.Bind(1, (ReadOnlySpan<byte>)token).Bind(2, user.DataKey.KeyVersion).Bind(3, user.DataKey.Ciphertext).Execute();
                InsertIndexes(insertIndex, token, user.Indexes);
                LowerFieldRetention(connection, token, user.FieldsDueAt);
            }

            // The events after the rows: the chain's head moves once per call, not once per person.
            var audit = AuditWriter(connection);
            foreach (var user in users)
            {
                audit.Add(user.Audit);
            }

            audit.MoveHead();
            return true;
        }, cancellationToken);

    /// <summary>Only the read: a read's event is cheaper in the reads' group commit here than in a write transaction of its own with the read.</summary>
    public async Task<AuditedRead<StoredPerson>> GetPersonAuditedAsync(Guid owner, byte[]? hash, AuditRecord audit, CancellationToken cancellationToken)
    {
        var person = hash is null
            ? await GetPersonAsync(owner, cancellationToken).ConfigureAwait(false)
            : await GetPersonByIndexAsync(hash, cancellationToken).ConfigureAwait(false);
        return new AuditedRead<StoredPerson>(person?.Token == owner ? person : null, false);
    }

    public Task<StoredPerson?> GetPersonAsync(Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ReadUser(SqliteStatement.For(connection, StoredPersonRow.Select + "WHERE u.token = ?1;").Bind(1, token));
    }, cancellationToken);

    public Task<StoredPerson?> GetPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return ReadUser(SqliteStatement.For(connection, StoredPersonRow.Select + "JOIN user_indexes i ON i.token = u.token WHERE i.hash = ?1;").Bind(1, hash));
    }, cancellationToken);

    public Task<Guid?> FindPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        using var rows = SqliteStatement.For(connection, "SELECT token FROM user_indexes WHERE hash = ?1;").Bind(1, hash).Query();
        return rows.Next() ? rows.Guid(0) : (Guid?)null;
    }, cancellationToken);

    public Task<IReadOnlyCollection<Guid>> FindKnownTokensAsync(IReadOnlyList<Guid> tokens, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        var find = SqliteStatement.For(connection, "SELECT EXISTS (SELECT 1 FROM users WHERE token = ?1) OR EXISTS (SELECT 1 FROM tombstones WHERE token = ?1);");
        var known = new List<Guid>();
        foreach (var token in tokens)
        {
            using var rows = find.Bind(1, token).Query();
            if (rows.Next() && rows.Int64(0) != 0)
            {
                known.Add(token);
            }
        }

        return (IReadOnlyCollection<Guid>)known;
    }, cancellationToken);

    public Task<UpdateOutcome> UpdatePersonAsync(PersonChange change, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var token = Id(change.Token);
            if (!ReadIndexHashes(connection, token, change.ExpectedVersion, out var previous))
            {
                using var exists = SqliteStatement.For(connection, "SELECT 1 FROM users WHERE token = ?1;").Bind(1, token).Query();
                return exists.Next() ? UpdateOutcome.VersionConflict : UpdateOutcome.NotFound;
            }

            var update = SqliteStatement.For(connection,
                "UPDATE users SET profile = ?1, version = version + 1, updated_at = ?2, index_hashes = ?3, index_version = ?4 WHERE token = ?5;");
            BindIndexColumns(update.Bind(1, change.Profile).Bind(2, change.UpdatedAt), 3, change.Indexes).Bind(5, token).Execute();
            DeleteIndexes(connection, token, previous);
            InsertIndexes(IndexInsert(connection), token, change.Indexes);
            LowerFieldRetention(connection, token, change.FieldsDueAt);
            AuditWriter(connection).Append(change.Audit);
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
        return (IReadOnlyList<StoredPerson>)connection.Query<PersonRow>(
                StoredPersonRow.Select + "WHERE u.token > @after AND u.index_version < @keyVersion ORDER BY u.token LIMIT @limit;",
                new { after = after is { } a ? Id(a) : [], keyVersion, limit })
            .Select(r => r.ToPerson()).ToList();
    }, cancellationToken);

    public Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            var id = Id(token);
            if (!ReadIndexHashes(connection, id, expectedVersion, out var previous))
            {
                return false;
            }

            BindIndexColumns(SqliteStatement.For(connection, "UPDATE users SET index_hashes = ?1, index_version = ?2 WHERE token = ?3;"), 1, indexes).Bind(3, id).Execute();
            DeleteIndexes(connection, id, previous);
            InsertIndexes(IndexInsert(connection), id, indexes);
            return true;
        }, cancellationToken);

    Task IPersonStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) => Run(() =>
    {
        var (connection, id) = (SqliteErasure.Of(erasure).Connection, Id(token));
        if (!ReadIndexHashes(connection, id, null, out var hashes))
        {
            return 0;
        }

        DeleteIndexes(connection, id, hashes);
        DeleteFieldRetention(connection, id);
        return SqliteStatement.For(connection, "DELETE FROM users WHERE token = ?1;").Bind(1, id).Execute();
    }, cancellationToken);

    /// <summary>
    /// Binds a person's hash list (their entries' hashes, 32 bytes each) and the lowest key version among them to
    /// parameters <paramref name="first"/> and the one after it.
    /// </summary>
    private static SqliteStatement BindIndexColumns(SqliteStatement statement, int first, IReadOnlyList<IndexEntry> indexes)
    {
        if (indexes.Count == 0)
        {
            return statement.BindNull(first).BindNull(first + 1);
        }

        var length = indexes.Count * IndexHashSize;
        var rented = length <= 256 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        var hashes = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            var lowest = int.MaxValue;
            for (var i = 0; i < indexes.Count; i++)
            {
                if (indexes[i].Hash.Length != IndexHashSize)
                {
                    throw new ArgumentException($"Index hashes are {IndexHashSize} bytes.", nameof(indexes));
                }

                indexes[i].Hash.CopyTo(hashes[(i * IndexHashSize)..]);
                lowest = Math.Min(lowest, indexes[i].KeyVersion);
            }

            return statement.Bind(first, (ReadOnlySpan<byte>)hashes).Bind(first + 1, lowest);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Reads a person's hash list, if the person exists (at <paramref name="expectedVersion"/> when given).</summary>
    private static bool ReadIndexHashes(SqliteConnection connection, byte[] token, long? expectedVersion, out byte[]? hashes)
    {
        var select = expectedVersion is { } expected
            ? SqliteStatement.For(connection, "SELECT index_hashes FROM users WHERE token = ?1 AND version = ?2;").Bind(2, expected)
            : SqliteStatement.For(connection, "SELECT index_hashes FROM users WHERE token = ?1;");
        using var rows = select.Bind(1, token).Query();
        hashes = null;
        if (!rows.Next())
        {
            return false;
        }

        hashes = rows.BytesOrNull(0);
        return true;
    }

    /// <summary>Deletes the entries a person's hash list names (each still the person's: the token is checked too).</summary>
    private static void DeleteIndexes(SqliteConnection connection, byte[] token, byte[]? hashes)
    {
        if (hashes is null)
        {
            return;
        }

        if (hashes.Length % IndexHashSize != 0)
        {
            throw new VaultCryptoException("A person's list of index entries is damaged.");
        }

        var delete = SqliteStatement.For(connection, "DELETE FROM user_indexes WHERE hash = ?1 AND token = ?2;");
        for (var offset = 0; offset < hashes.Length; offset += IndexHashSize)
        {
            delete.Bind(1, hashes.AsSpan(offset, IndexHashSize)).Bind(2, token).Execute();
        }
    }

    /// <summary>The erasure's own end: no data key, no person (nothing is written then).</summary>
    internal bool EndPerson(SqliteErasure erasure, byte[] token, long forgottenAt, AuditRecord audit)
    {
        var connection = erasure.Connection;
        if (SqliteStatement.For(connection, "DELETE FROM data_keys WHERE owner = ?1;").Bind(1, token).Execute() == 0)
        {
            return false;
        }

        SqliteStatement.For(connection, "INSERT OR REPLACE INTO tombstones (token, forgotten_at) VALUES (?1, ?2);").Bind(1, token).Bind(2, forgottenAt).Execute();
        AuditWriter(connection).Append(audit);
        return true;
    }

    private static SqliteStatement IndexInsert(SqliteConnection connection) =>
        SqliteStatement.For(connection, "INSERT INTO user_indexes (hash, kind, token, key_version) VALUES (?1, ?2, ?3, ?4);");

    private static void InsertIndexes(SqliteStatement insert, ReadOnlySpan<byte> token, IReadOnlyList<IndexEntry> indexes)
    {
        foreach (var index in indexes)
        {
            try
            {
                insert.Bind(1, index.Hash).Bind(2, (long)index.Kind).Bind(3, token).Bind(4, (long)index.KeyVersion).Execute();
            }
            catch (SqliteException ex) when (IsUniqueViolation(ex))
            {
                throw new DuplicateIndexException(index.Kind.ToString().ToLowerInvariant());
            }
        }
    }

    /// <summary>Reads the one person the bound <paramref name="select"/> (of <see cref="StoredPersonRow.Select"/>) finds.</summary>
    private static StoredPerson? ReadUser(SqliteStatement select)
    {
        using var rows = select.Query();
        return rows.Next()
            ? new StoredPerson(rows.Guid(0), rows.Bytes(1), new WrappedKey(rows.Text(5), rows.Bytes(6)), rows.Int64(2), rows.Int64(3), rows.Int64(4))
            : null;
    }
}
