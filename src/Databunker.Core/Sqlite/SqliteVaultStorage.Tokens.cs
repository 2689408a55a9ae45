using Dapper;

namespace Databunker.Core.Sqlite;

/// <summary>The tokens role.</summary>
internal sealed partial class SqliteVaultStorage : ITokenStore
{
    public Task<IReadOnlyList<TokenAddOutcome>> AddTokensAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken) =>
        Write((connection, transaction) =>
        {
            // Most calls name no owner: no LINQ or set for them (it was a tenth of a tokenize's allocations).
            Guid? checkedOwner = null;
            foreach (var token in tokens)
            {
                if (token.Person is not { } owner || owner == checkedOwner)
                {
                    continue;
                }

                RequirePerson(connection, owner);

                checkedOwner = owner;
            }

            var findDeterministic = SqliteStatement.For(connection, "SELECT sealed_token, expires_at FROM tokens WHERE deterministic = ?1;");
            var deleteDeterministic = SqliteStatement.For(connection, "DELETE FROM tokens WHERE deterministic = ?1;");
            var insert = SqliteStatement.For(connection,
                "INSERT OR IGNORE INTO tokens (token_hash, value, deterministic, sealed_token, owner, expires_at, created_at, scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);");
            var outcomes = new TokenAddOutcome[tokens.Count];
            for (var i = 0; i < tokens.Count; i++)
            {
                var token = tokens[i];
                if (token.DeterministicHash is { } deterministic)
                {
                    using (var found = findDeterministic.Bind(1, deterministic).Query())
                    {
                        if (found.Next() && (found.IsNull(1) || found.Int64(1) > now))
                        {
                            outcomes[i] = TokenAddOutcome.Existing(found.Bytes(0));
                            continue;
                        }
                    }

                    deleteDeterministic.Bind(1, deterministic).Execute();
                }

                insert.Bind(1, token.TokenHash).Bind(2, token.Value).Bind(3, token.DeterministicHash).Bind(4, token.SealedToken).Bind(6, token.ExpiresAt).Bind(7, token.CreatedAt).Bind(8, token.Scope);
                if (token.Person is { } tokenOwner)
                {
                    insert.Bind(5, tokenOwner);
                }
                else
                {
                    insert.BindNull(5);
                }

                outcomes[i] = insert.Execute() == 0 ? TokenAddOutcome.HashTaken : TokenAddOutcome.Added;
            }

            // The chain's head moves once per call.
            var writer = AuditWriter(connection);
            for (var i = 0; i < audit.Count; i++)
            {
                if (i >= outcomes.Length || outcomes[i] != TokenAddOutcome.HashTaken)
                {
                    writer.Add(audit[i]);
                }
            }

            writer.MoveHead();

            return (IReadOnlyList<TokenAddOutcome>)outcomes;
        }, cancellationToken);

    /// <summary>Only the read, as for persons (<see cref="GetPersonAuditedAsync"/>).</summary>
    public async Task<AuditedRead<StoredToken>> GetTokenAuditedAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) =>
        new((await GetTokensAsync([tokenHash], now, cancellationToken).ConfigureAwait(false))[0], false);

    public Task<IReadOnlyList<StoredToken?>> GetTokensAsync(IReadOnlyList<byte[]> tokenHashes, long now, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();

        // One SELECT is its own snapshot; several share one read transaction, so that they see the same state.
        using var transaction = tokenHashes.Count > 1 ? connection.BeginTransaction(deferred: true) : null;
        var select = SqliteStatement.For(connection, StoredTokenRow.Select + "WHERE t.token_hash = ?1 AND (t.expires_at IS NULL OR t.expires_at > ?2);");
        var found = new StoredToken?[tokenHashes.Count];
        for (var i = 0; i < tokenHashes.Count; i++)
        {
            using var rows = select.Bind(1, tokenHashes[i]).Bind(2, now).Query();
            if (rows.Next())
            {
                found[i] = new StoredToken(
                    rows.Bytes(0),
                    rows.IsNull(1) ? null : rows.Guid(1),
                    rows.IsNull(2) ? null : rows.Int64(2),
                    rows.IsNull(3) ? null : new WrappedKey(rows.Text(3), rows.Bytes(4)),
                    rows.IsNull(5) ? null : rows.Text(5));
            }
        }

        transaction?.Commit();
        return (IReadOnlyList<StoredToken?>)found;
    }, cancellationToken);

    public Task<bool> DeleteTokenAsync(byte[] tokenHash, AuditRecord audit, CancellationToken cancellationToken) =>
        Write((connection, _) =>
        {
            var row = connection.QuerySingleOrDefault<TokenOwnerRow>("DELETE FROM tokens WHERE token_hash = @tokenHash RETURNING owner;", new { tokenHash });
            AuditWriter(connection).Append(audit with
            {
                Person = row?.Owner is { } owner ? new Guid(owner) : null,
                Outcome = row is null ? AuditOutcomes.NotFound : audit.Outcome,
            });
            return row is not null;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredTokenSeal>> GetTokenSealsAsync(byte[]? afterHash, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<StoredTokenSeal>)connection.Query<TokenSealRow>(
            $"{TokenSealRow.Select} WHERE t.token_hash > @after ORDER BY t.token_hash LIMIT @limit;", new { after = afterHash ?? [], limit }).Select(r => r.ToSeal()).ToList();
    }, cancellationToken);

    public Task<IReadOnlyList<StoredTokenSeal>> GetPersonTokensAsync(Guid owner, byte[]? afterHash, int limit, CancellationToken cancellationToken) => Run(() =>
    {
        using var connection = _connections.Open();
        return (IReadOnlyList<StoredTokenSeal>)connection.Query<TokenSealRow>(
                $"{TokenSealRow.Select} WHERE t.owner = @owner AND t.token_hash > @after ORDER BY t.token_hash LIMIT @limit;", new { owner = Id(owner), after = afterHash ?? [], limit })
            .Select(r => r.ToSeal()).ToList();
    }, cancellationToken);

    public Task<int> ReplaceTokenSealsAsync(IReadOnlyList<TokenSealReplacement> replacements, CancellationToken cancellationToken) =>
        Write((connection, _) => replacements.Sum(r => connection.Execute(
            "UPDATE tokens SET value = @Value, sealed_token = COALESCE(@SealedToken, sealed_token) WHERE token_hash = @TokenHash AND value = @PreviousValue;",
            new { r.Value, r.SealedToken, r.TokenHash, r.PreviousValue })), cancellationToken);

    public Task<int> DeleteExpiredTokensAsync(long now, int limit, CancellationToken cancellationToken) =>
        Write((connection, _) => connection.Execute(
            "DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= @now LIMIT @limit);", new { now, limit }), cancellationToken);

    public Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken) => audit.Count == 1
        ? AppendAuditAsync(audit[0], cancellationToken)
        : Write((connection, transaction) =>
        {
            if (audit.Count > 0)
            {
                AuditWriter(connection).AppendAll(audit);
            }

            return audit.Count;
        }, cancellationToken);

    internal sealed record TokenOwnerRow(byte[]? Owner);

    Task ITokenStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        Run(() => SqliteErasure.Of(erasure).Execute("DELETE FROM tokens WHERE owner = @token;", Id(owner)), cancellationToken);
}
