namespace Databunker.Core.PostgreSql;

/// <summary>
/// Applies the embedded, ordered migration scripts (<c>NNNN_name.sql</c>) that the schema lacks, in one
/// transaction under an advisory lock, so that instances starting together migrate once; refuses a schema
/// newer than this code.
/// </summary>
internal static class PostgreSqlMigrator
{
    private const string ResourcePrefix = "Databunker.Core.PostgreSql.Migrations.";

    public static IReadOnlyList<(int Version, string Sql)> Scripts { get; } = MigrationScripts.Load(typeof(PostgreSqlMigrator).Assembly, ResourcePrefix);

    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>The version that links each person's consent decisions into a chain (<c>0015_consent_chain.sql</c>).</summary>
    public const int ConsentChainVersion = 15;

    /// <summary>The version that adds each person's consent ledger head (<c>0016_consent_heads.sql</c>); its start writes the heads under <see cref="ConsentLinkLock"/> too.</summary>
    public const int ConsentHeadsVersion = 16;

    /// <summary>
    /// The session-level advisory lock that the instance applying <see cref="ConsentChainVersion"/> takes on
    /// <c>connection</c> before it commits, and holds until it has linked the decisions from before the chain.
    /// </summary>
    public const string ConsentLinkLock = "hashtext('databunker.consent.link'), hashtext(current_schema())";

    /// <summary>
    /// Migrates; returns the versions this call applied. When it applied <see cref="ConsentChainVersion"/>, the
    /// connection holds <see cref="ConsentLinkLock"/> on return, for the caller to release once linked. Otherwise,
    /// unless <paramref name="holdsLinkLock"/> (this process applied it earlier and still links), it waits for an
    /// instance that holds that lock: it starts once the old decisions are linked.
    /// </summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlConnection connection, long now, bool holdsLinkLock, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var schema = await PostgreSqlVaultStorage.ScalarAsync(connection, transaction, "SELECT current_schema();", cancellationToken).ConfigureAwait(false) as string;
        if (schema is null)
        {
            throw new VaultConfigurationException(
                "The PostgreSQL connection's search path names no existing schema: create the schema, or set Search Path to one that exists.");
        }

        // Held to the end of the transaction: a second instance waits here, then finds the work done.
        await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction,
            "SELECT pg_advisory_xact_lock(hashtext('databunker.migrate'), hashtext(current_schema()));", cancellationToken).ConfigureAwait(false);
        await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL, applied_at bigint NOT NULL);", cancellationToken).ConfigureAwait(false);
        var current = await PostgreSqlVaultStorage.ScalarAsync(connection, transaction, "SELECT MAX(version) FROM schema_version;", cancellationToken).ConfigureAwait(false) is int v ? v : 0;
        var applied = new List<int>();
        foreach (var (version, sql) in MigrationScripts.Pending(Scripts, current, "The vault schema has version", "Databunker.Core.PostgreSql"))
        {
            if (version == ConsentChainVersion || (version == ConsentHeadsVersion && !applied.Contains(ConsentChainVersion)))
            {
                // Taken before the commit, which lets the instances waiting above go on: they wait again below.
                await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_lock({ConsentLinkLock});", cancellationToken).ConfigureAwait(false);
            }

            applied.Add(version);
            await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
            await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction,
                "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2);", cancellationToken, version, now).ConfigureAwait(false);
        }

        if (!applied.Contains(ConsentChainVersion) && !applied.Contains(ConsentHeadsVersion) && !holdsLinkLock)
        {
            await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock_shared({ConsentLinkLock});", cancellationToken).ConfigureAwait(false);
        }

        // A write that changes nothing: a read-only server or transaction refuses it here, not at the first create.
        await PostgreSqlVaultStorage.ExecuteAsync(connection, transaction, "DELETE FROM schema_version WHERE version < 0;", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }
}
