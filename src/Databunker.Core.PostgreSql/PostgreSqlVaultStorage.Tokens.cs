using Dapper;

namespace Databunker.Core.PostgreSql;

/// <summary>The tokens role.</summary>
internal sealed partial class PostgreSqlVaultStorage : ITokenStore
{
    /// <summary>
    /// Owners are locked FOR SHARE, so that a concurrent forget waits and then deletes the new tokens too.
    /// An insert that yields to an existing row was either a token collision (a new token is drawn) or
    /// another instance storing the same deterministic token first (its token is returned).
    /// </summary>
    public Task<IReadOnlyList<TokenAddOutcome>> AddTokensAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken) =>
        audit.Count == tokens.Count && tokens.All(t => t.DeterministicHash is null && t.Person is null)
            ? AddRandomTokensAsync(tokens, audit, now, cancellationToken)
            : AddTokensOneByOneAsync(tokens, audit, now, cancellationToken);

    /// <summary>
    /// Random tokens without an owner, the common case: the rows (one plain INSERT, or one multi-row INSERT for many) and
    /// their events in one batch, one round trip. A token drawn twice (of 2^144) fails the batch, and the tokens go one
    /// by one instead, where a taken hash gets a new token.
    /// </summary>
    private async Task<IReadOnlyList<TokenAddOutcome>> AddRandomTokensAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken)
    {
        try
        {
            return await AuditedBatchAsync<IReadOnlyList<TokenAddOutcome>>(
                (batch, chain) =>
                {
                    if (tokens is [var token])
                    {
                        Add(batch, "INSERT INTO tokens (token_hash, value, created_at, expires_at, scope) VALUES ($1, $2, $3, $4::bigint, $5::text);", token.TokenHash, token.Value, token.CreatedAt, token.ExpiresAt, token.Scope);
                    }
                    else
                    {
                        Add(batch, "INSERT INTO tokens (token_hash, value, created_at, expires_at, scope) SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bigint[], $4::bigint[], $5::text[]);",
                            tokens.Select(t => t.TokenHash).ToArray(), tokens.Select(t => t.Value).ToArray(), tokens.Select(t => t.CreatedAt).ToArray(), tokens.Select(t => t.ExpiresAt).ToArray(),
                            tokens.Select(t => t.Scope).ToArray());
                    }

                    chain.AddAll(batch, audit);
                },
                (_, _) => Task.FromResult<IReadOnlyList<TokenAddOutcome>>([.. tokens.Select(_ => TokenAddOutcome.Added)]),
                null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (IsUniqueViolation(ex) && ex.ConstraintName == "tokens_pkey")
        {
            return await AddTokensOneByOneAsync(tokens, audit, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<IReadOnlyList<TokenAddOutcome>> AddTokensOneByOneAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            var owners = tokens.Where(t => t.Person is not null).Select(t => Id(t.Person!.Value)).DistinctBy(Convert.ToHexString).ToArray();
            if (owners.Length > 0 && (long)(await ScalarAsync(connection, transaction,
                    "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE token = ANY($1) FOR SHARE) locked;", cancellationToken, [owners]).ConfigureAwait(false))! != owners.Length)
            {
                throw new PersonNotFoundException();
            }

            var outcomes = new TokenAddOutcome[tokens.Count];
            for (var i = 0; i < tokens.Count; i++)
            {
                var token = tokens[i];
                if (token.DeterministicHash is { } deterministic)
                {
                    if (await FindDeterministicAsync(connection, transaction, deterministic, now, cancellationToken).ConfigureAwait(false) is { } found)
                    {
                        outcomes[i] = TokenAddOutcome.Existing(found);
                        continue;
                    }

                    // Only an expired one: a live one that another instance committed since the look-up stays, and wins below.
                    await ExecuteAsync(connection, transaction, "DELETE FROM tokens WHERE deterministic = $1 AND expires_at <= $2;",
                        cancellationToken, deterministic, now).ConfigureAwait(false);
                }

                {
                    var inserted = await ExecuteAsync(connection, transaction,
                        "INSERT INTO tokens (token_hash, value, deterministic, sealed_token, owner, expires_at, created_at, scope) " +
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING;",
                        cancellationToken, token.TokenHash, token.Value, token.DeterministicHash, token.SealedToken,
                        token.Person is { } o ? Id(o) : null, token.ExpiresAt, token.CreatedAt, token.Scope).ConfigureAwait(false);
                    outcomes[i] = inserted == 1 ? TokenAddOutcome.Added
                        : token.DeterministicHash is { } raced && await FindDeterministicAsync(connection, transaction, raced, now, cancellationToken).ConfigureAwait(false) is { } theirs
                            ? TokenAddOutcome.Existing(theirs)
                            : TokenAddOutcome.HashTaken;
                }
            }

            if (audit.Count > 0)
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                for (var i = 0; i < audit.Count; i++)
                {
                    if (i >= outcomes.Length || outcomes[i] != TokenAddOutcome.HashTaken)
                    {
                        chain.Add(batch, audit[i]);
                    }
                }

                if (batch.BatchCommands.Count > 0)
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return (IReadOnlyList<TokenAddOutcome>)outcomes;
        }, cancellationToken);

    /// <summary>The read and, for a live token without an owner, its event, as one statement: one round trip.</summary>
    public Task<AuditedRead<StoredToken>> GetTokenAuditedAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        ReadAuditedAsync($"{StoredTokenRow.Select}WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2);", [tokenHash, now],
            audit, "r.owner IS NULL", reader => StoredTokenRow.Read(reader, 0), cancellationToken);

    /// <summary>
    /// One query for all the hashes: a detokenize of many values is one round trip. One hash is looked up
    /// by equality: with <c>= ANY($1)</c> the server cannot tell how long the array is and seemed to plan the
    /// prepared statement afresh each time; the lookup took 200 to 440 us by hand against 130 to 150.
    /// </summary>
    public async Task<IReadOnlyList<StoredToken?>> GetTokensAsync(IReadOnlyList<byte[]> tokenHashes, long now, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (tokenHashes.Count == 1)
        {
            await using var one = Command(connection, null,
                $"{StoredTokenRow.Select}WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2);", tokenHashes[0], now);
            await using var reader = await one.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return [await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? StoredTokenRow.Read(reader, 0)
                : null];
        }

        await using var select = Command(connection, null,
            $"{StoredTokenRow.Select.Replace("SELECT ", "SELECT t.token_hash, ", StringComparison.Ordinal)}WHERE t.token_hash = ANY($1) AND (t.expires_at IS NULL OR t.expires_at > $2);",
            tokenHashes.ToArray(), now);
        var rows = new Dictionary<string, StoredToken>(StringComparer.Ordinal);
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows[Convert.ToHexString((byte[])reader.GetValue(0))] = StoredTokenRow.Read(reader, 1);
            }
        }

        var found = new StoredToken?[tokenHashes.Count];
        for (var i = 0; i < found.Length; i++)
        {
            found[i] = rows.GetValueOrDefault(Convert.ToHexString(tokenHashes[i]));
        }

        return found;
    }

    public Task<bool> DeleteTokenAsync(byte[] tokenHash, AuditRecord audit, CancellationToken cancellationToken) =>
        AuditedWriteAsync(async (connection, transaction, chain) =>
        {
            await using var delete = Command(connection, transaction, "DELETE FROM tokens WHERE token_hash = $1 RETURNING owner;", tokenHash);
            var deleted = false;
            Guid? owner = null;
            await using (var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    deleted = true;
                    owner = reader.IsDBNull(0) ? null : new Guid((byte[])reader.GetValue(0));
                }
            }

            await chain.AppendAsync(audit with
            {
                Person = owner,
                Outcome = deleted ? audit.Outcome : AuditOutcomes.NotFound,
            }, cancellationToken).ConfigureAwait(false);
            return deleted;
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredTokenSeal>> GetPersonTokensAsync(Guid owner, byte[]? afterHash, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TokenSealRow>(
            $"{TokenSealRow.Select} WHERE t.owner = @owner AND t.token_hash > @after ORDER BY t.token_hash LIMIT @limit;",
            new { owner = Id(owner), after = afterHash ?? [], limit, cancellationToken }).ConfigureAwait(false);
        return rows.Select(r => r.ToSeal()).ToList();
    }

    public async Task<IReadOnlyList<StoredTokenSeal>> GetTokenSealsAsync(byte[]? afterHash, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TokenSealRow>(
            $"{TokenSealRow.Select} WHERE t.token_hash > @after ORDER BY t.token_hash LIMIT @limit;", new { after = afterHash ?? [], limit, cancellationToken }).ConfigureAwait(false);
        return rows.Select(r => r.ToSeal()).ToList();
    }

    public Task<int> ReplaceTokenSealsAsync(IReadOnlyList<TokenSealReplacement> replacements, CancellationToken cancellationToken) =>
        replacements.Count == 0
            ? Task.FromResult(0)
            : WriteAsync(async (connection, transaction) =>
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var r in replacements)
                {
                    Add(batch, "UPDATE tokens SET value = $1, sealed_token = COALESCE($2::bytea, sealed_token) WHERE token_hash = $3 AND value = $4;",
                        r.Value, r.SealedToken, r.TokenHash, r.PreviousValue);
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return batch.BatchCommands.Cast<NpgsqlBatchCommand>().Sum(c => c.RecordsAffected);
            }, cancellationToken);

    public async Task<int> DeleteExpiredTokensAsync(long now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED);",
            cancellationToken, now, limit).ConfigureAwait(false);
    }

    private static async Task<byte[]?> FindDeterministicAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, byte[] deterministic, long now, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction,
            "SELECT sealed_token FROM tokens WHERE deterministic = $1 AND (expires_at IS NULL OR expires_at > $2);",
            cancellationToken, deterministic, now).ConfigureAwait(false) as byte[];

    Task ITokenStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        PostgreSqlErasure.Of(erasure).Add("DELETE FROM tokens WHERE owner = $1;", Id(owner));
}
