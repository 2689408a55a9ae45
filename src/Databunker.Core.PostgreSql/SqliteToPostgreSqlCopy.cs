using System.Globalization;
using Microsoft.Data.Sqlite;
using NpgsqlTypes;

namespace Databunker.Core.PostgreSql;

/// <summary>
/// Moves a SQLite vault into PostgreSQL for a host that outgrows one machine. Rows, wrapped keys, blind
/// indexes, expirations, tokens, app data, sessions, share links, the privacy catalogue, the consent ledger and the audit trail are copied byte for byte: nothing is decrypted, and
/// no key is needed. Afterwards the PostgreSQL vault opens with the master key (and key versions) the
/// SQLite vault used.
/// </summary>
public static class SqliteToPostgreSqlCopy
{
    /// <summary>The SQLite schema version whose tables this copy reads (a test holds it to Databunker.Core's latest).</summary>
    internal const int SqliteSchemaVersion = 19;

    private static readonly (string Table, (string Name, NpgsqlDbType Type)[] Columns)[] Tables =
    [
        ("system_keys", [("name", NpgsqlDbType.Text), ("key_version", NpgsqlDbType.Text), ("wrapped", NpgsqlDbType.Bytea), ("created_at", NpgsqlDbType.Bigint)]),
        ("users", [("token", NpgsqlDbType.Bytea), ("profile", NpgsqlDbType.Bytea), ("version", NpgsqlDbType.Bigint), ("created_at", NpgsqlDbType.Bigint), ("updated_at", NpgsqlDbType.Bigint)]),
        ("data_keys", [("owner", NpgsqlDbType.Bytea), ("key_version", NpgsqlDbType.Text), ("wrapped", NpgsqlDbType.Bytea)]),
        ("user_indexes", [("hash", NpgsqlDbType.Bytea), ("kind", NpgsqlDbType.Integer), ("token", NpgsqlDbType.Bytea), ("key_version", NpgsqlDbType.Integer)]),
        ("tombstones", [("token", NpgsqlDbType.Bytea), ("forgotten_at", NpgsqlDbType.Bigint)]),
        ("audit_events", [("id", NpgsqlDbType.Bigint), ("at", NpgsqlDbType.Bigint), ("actor", NpgsqlDbType.Text), ("operation", NpgsqlDbType.Text), ("subject", NpgsqlDbType.Bytea), ("outcome", NpgsqlDbType.Text), ("details", NpgsqlDbType.Bytea), ("seq", NpgsqlDbType.Bigint), ("link", NpgsqlDbType.Bytea)]),
        ("audit_chain", [("id", NpgsqlDbType.Integer), ("first_seq", NpgsqlDbType.Bigint), ("first_prev", NpgsqlDbType.Bytea)]),
        ("expirations", [("token", NpgsqlDbType.Bytea), ("state", NpgsqlDbType.Integer), ("due_at", NpgsqlDbType.Bigint), ("retain_hash", NpgsqlDbType.Bytea), ("delete_hash", NpgsqlDbType.Bytea), ("binding", NpgsqlDbType.Bytea), ("claim_id", NpgsqlDbType.Bytea), ("claimed_until", NpgsqlDbType.Bigint), ("started_at", NpgsqlDbType.Bigint), ("updated_at", NpgsqlDbType.Bigint)]),
        ("tokens", [("token_hash", NpgsqlDbType.Bytea), ("value", NpgsqlDbType.Bytea), ("deterministic", NpgsqlDbType.Bytea), ("sealed_token", NpgsqlDbType.Bytea), ("owner", NpgsqlDbType.Bytea), ("expires_at", NpgsqlDbType.Bigint), ("created_at", NpgsqlDbType.Bigint), ("scope", NpgsqlDbType.Text)]),
        ("app_data", [("owner", NpgsqlDbType.Bytea), ("app", NpgsqlDbType.Text), ("data", NpgsqlDbType.Bytea), ("version", NpgsqlDbType.Bigint), ("updated_at", NpgsqlDbType.Bigint), ("expires_at", NpgsqlDbType.Bigint)]),
        ("sessions", [("id_hash", NpgsqlDbType.Bytea), ("handle", NpgsqlDbType.Bytea), ("owner", NpgsqlDbType.Bytea), ("data", NpgsqlDbType.Bytea), ("label", NpgsqlDbType.Bytea), ("version", NpgsqlDbType.Bigint), ("created_at", NpgsqlDbType.Bigint), ("last_seen_at", NpgsqlDbType.Bigint), ("idle_ms", NpgsqlDbType.Bigint), ("absolute_at", NpgsqlDbType.Bigint), ("expires_at", NpgsqlDbType.Bigint)]),
        ("share_links", [("token_hash", NpgsqlDbType.Bytea), ("handle", NpgsqlDbType.Bytea), ("owner", NpgsqlDbType.Bytea), ("recipient", NpgsqlDbType.Bytea), ("fields", NpgsqlDbType.Bytea), ("created_at", NpgsqlDbType.Bigint), ("expires_at", NpgsqlDbType.Bigint), ("max_reads", NpgsqlDbType.Bigint), ("reads_left", NpgsqlDbType.Bigint), ("revoked_at", NpgsqlDbType.Bigint)]),
        ("privacy_notices", [("name", NpgsqlDbType.Text), ("version", NpgsqlDbType.Integer), ("content_hash", NpgsqlDbType.Bytea), ("text", NpgsqlDbType.Text), ("published_at", NpgsqlDbType.Bigint)]),
        ("privacy_catalog", [("id", NpgsqlDbType.Integer), ("hash", NpgsqlDbType.Bytea), ("changed_at", NpgsqlDbType.Bigint)]),
        ("consent_events", [("id", NpgsqlDbType.Bigint), ("owner", NpgsqlDbType.Bytea), ("activity", NpgsqlDbType.Text), ("decision", NpgsqlDbType.Integer), ("method", NpgsqlDbType.Integer), ("source", NpgsqlDbType.Text), ("notice", NpgsqlDbType.Text), ("notice_version", NpgsqlDbType.Integer), ("notice_hash", NpgsqlDbType.Bytea), ("at", NpgsqlDbType.Bigint), ("expires_at", NpgsqlDbType.Bigint), ("evidence", NpgsqlDbType.Bytea), ("seq", NpgsqlDbType.Bigint), ("link", NpgsqlDbType.Bytea)]),
        ("consent_chain", [("id", NpgsqlDbType.Integer), ("legacy_through", NpgsqlDbType.Bigint), ("pending_through", NpgsqlDbType.Bigint)]),
        ("consent_heads", [("owner", NpgsqlDbType.Bytea), ("seq", NpgsqlDbType.Bigint), ("mac", NpgsqlDbType.Bytea)]),
        ("pending_consents", [("id", NpgsqlDbType.Bigint), ("index_hash", NpgsqlDbType.Bytea), ("activity", NpgsqlDbType.Text), ("decision", NpgsqlDbType.Integer), ("method", NpgsqlDbType.Integer), ("source", NpgsqlDbType.Text), ("notice", NpgsqlDbType.Text), ("notice_version", NpgsqlDbType.Integer), ("notice_hash", NpgsqlDbType.Bytea), ("at", NpgsqlDbType.Bigint), ("expires_at", NpgsqlDbType.Bigint), ("evidence", NpgsqlDbType.Bytea), ("link", NpgsqlDbType.Bytea)]),
        ("purpose_states", [("owner", NpgsqlDbType.Bytea), ("activity", NpgsqlDbType.Text), ("ended_at", NpgsqlDbType.Bigint), ("used_at", NpgsqlDbType.Bigint)]),
        ("field_retention", [("owner", NpgsqlDbType.Bytea), ("due_at", NpgsqlDbType.Bigint)]),
        ("privacy_requests", [("id", NpgsqlDbType.Bytea), ("owner", NpgsqlDbType.Bytea), ("type", NpgsqlDbType.Integer), ("regime", NpgsqlDbType.Integer), ("state", NpgsqlDbType.Integer), ("version", NpgsqlDbType.Bigint), ("activity", NpgsqlDbType.Text), ("received_at", NpgsqlDbType.Bigint), ("acknowledge_by", NpgsqlDbType.Bigint), ("acknowledged_at", NpgsqlDbType.Bigint), ("due_at", NpgsqlDbType.Bigint), ("extended", NpgsqlDbType.Boolean), ("verify_by", NpgsqlDbType.Bigint), ("verified_at", NpgsqlDbType.Bigint), ("code_hash", NpgsqlDbType.Bytea), ("code_expires_at", NpgsqlDbType.Bigint), ("code_attempts", NpgsqlDbType.Integer), ("codes_sent", NpgsqlDbType.Integer), ("decided_at", NpgsqlDbType.Bigint), ("decided_by", NpgsqlDbType.Text), ("closed_at", NpgsqlDbType.Bigint), ("outcome", NpgsqlDbType.Text), ("overdue_at", NpgsqlDbType.Bigint), ("wake_at", NpgsqlDbType.Bigint), ("sealed", NpgsqlDbType.Bytea)]),
    ];

    /// <summary>
    /// Copies the SQLite vault at <paramref name="sqliteConnectionString"/> into the empty PostgreSQL schema
    /// at <paramref name="postgreSqlConnectionString"/> (creating its tables), in one PostgreSQL transaction
    /// from one consistent read of the SQLite file: a failure leaves the target as it was. Stop the hosts
    /// that write to the SQLite vault first; the SQLite file is only read.
    /// </summary>
    /// <param name="sqliteConnectionString">The source, as given to <c>UseSqlite</c>, for example <c>Data Source=vault.db</c>.</param>
    /// <param name="postgreSqlConnectionString">The target, as given to <see cref="PostgreSqlBuilderExtensions.UsePostgreSql"/>.</param>
    /// <param name="cancellationToken">Cancels the copy; nothing is committed then.</param>
    /// <returns>The rows copied per table.</returns>
    /// <exception cref="ArgumentException">A connection string is empty or malformed.</exception>
    /// <exception cref="VaultConfigurationException">
    /// The source is not a vault at this library's schema version, or the target already holds a vault.
    /// </exception>
    // The overload with the optional token shipped first; the one with progress takes every parameter (RS0027).
#pragma warning disable RS0027
    public static Task<VaultCopyReport> CopyAsync(string sqliteConnectionString, string postgreSqlConnectionString, CancellationToken cancellationToken = default) =>
        CopyAsync(sqliteConnectionString, postgreSqlConnectionString, null, cancellationToken);
#pragma warning restore RS0027

    /// <summary>
    /// Copies as <see cref="CopyAsync(string, string, CancellationToken)"/> does, reporting each table once it is
    /// copied (a large vault takes minutes: the report is what an operator watches).
    /// </summary>
    /// <param name="sqliteConnectionString">The source, as given to <c>UseSqlite</c>, for example <c>Data Source=vault.db</c>.</param>
    /// <param name="postgreSqlConnectionString">The target, as given to <see cref="PostgreSqlBuilderExtensions.UsePostgreSql"/>.</param>
    /// <param name="progress">Receives a report after each table; optional.</param>
    /// <param name="cancellationToken">Cancels the copy; nothing is committed then.</param>
    /// <returns>The rows copied per table.</returns>
    /// <exception cref="ArgumentException">A connection string is empty or malformed.</exception>
    /// <exception cref="VaultConfigurationException">
    /// The source is not a vault at this library's schema version, or the target already holds a vault.
    /// </exception>
    public static async Task<VaultCopyReport> CopyAsync(string sqliteConnectionString, string postgreSqlConnectionString, IProgress<VaultCopyProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sqliteConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(postgreSqlConnectionString);
        var target = PostgreSqlBuilderExtensions.ParseConnectionString(postgreSqlConnectionString, nameof(postgreSqlConnectionString));
        SqliteConnectionStringBuilder source;
        try
        {
            source = new SqliteConnectionStringBuilder(sqliteConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new ArgumentException("The SQLite connection string is malformed.", nameof(sqliteConnectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(source.DataSource) || !File.Exists(source.DataSource))
        {
            throw new VaultConfigurationException("The SQLite vault to copy does not exist: check the Data Source.");
        }

        await using var sqlite = new SqliteConnection(source.ConnectionString);
        await sqlite.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One read transaction: every table is read from the same snapshot of the file.
        await using var read = (SqliteTransaction)await sqlite.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var version = await SourceVersionAsync(sqlite, read, cancellationToken).ConfigureAwait(false);
        if (version != SqliteSchemaVersion)
        {
            throw new VaultConfigurationException(version < SqliteSchemaVersion
                ? $"The SQLite vault has schema version {version}: open it once with this version of Databunker.Core (UseSqlite and InitializeAsync) to upgrade it, then copy."
                : $"The SQLite vault has schema version {version}, newer than the {SqliteSchemaVersion} this version of Databunker.Core.PostgreSql knows: upgrade the library.");
        }

        var storage = new PostgreSqlVaultStorage(Microsoft.Extensions.Options.Options.Create(new PostgreSqlStorageOptions { ConnectionString = target.ConnectionString }), TimeProvider.System);
        await using (storage.ConfigureAwait(false))
        {
            await storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var postgres = new NpgsqlConnection(target.ConnectionString);
        await postgres.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var write = await postgres.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Taken and then checked under a lock, so that two copies, or a copy and a starting host, cannot interleave.
        await PostgreSqlVaultStorage.ExecuteAsync(postgres, write,
            "LOCK TABLE system_keys, users, data_keys, user_indexes, tombstones, audit_events, audit_chain, expirations, tokens, app_data, sessions, share_links, privacy_notices, privacy_catalog, consent_events, consent_chain, consent_heads, privacy_requests, pending_consents IN EXCLUSIVE MODE;", cancellationToken).ConfigureAwait(false);
        if (await PostgreSqlVaultStorage.ScalarAsync(postgres, write,
                "SELECT EXISTS (SELECT 1 FROM system_keys) OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM audit_events) OR EXISTS (SELECT 1 FROM tokens);",
                cancellationToken).ConfigureAwait(false) is true)
        {
            throw new VaultConfigurationException("The PostgreSQL schema already holds a vault: copy into an empty schema.");
        }

        // The empty schema's chain rows are replaced by the source's, so that the copied trail and consent ledger still verify:
        // SQLite's one stripe becomes stripe 1, and the other stripes stay empty.
        await PostgreSqlVaultStorage.ExecuteAsync(postgres, write, "DELETE FROM audit_chain WHERE id = 1; DELETE FROM consent_chain;", cancellationToken).ConfigureAwait(false);
        var copied = new List<KeyValuePair<string, long>>();
        foreach (var (table, columns) in Tables)
        {
            copied.Add(new(table, await CopyTableAsync(sqlite, read, postgres, table, columns, cancellationToken).ConfigureAwait(false)));
            progress?.Report(new VaultCopyProgress(table, copied.Count, Tables.Length, copied.Sum(c => c.Value)));
        }

        // The identities go on after the copied ids.
        await PostgreSqlVaultStorage.ExecuteAsync(postgres, write,
            "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), COALESCE((SELECT MAX(id) FROM audit_events), 0) + 1, false);", cancellationToken).ConfigureAwait(false);
        await PostgreSqlVaultStorage.ExecuteAsync(postgres, write,
            "SELECT setval(pg_get_serial_sequence('consent_events', 'id'), COALESCE((SELECT MAX(id) FROM consent_events), 0) + 1, false);", cancellationToken).ConfigureAwait(false);
        await PostgreSqlVaultStorage.ExecuteAsync(postgres, write,
            "SELECT setval(pg_get_serial_sequence('pending_consents', 'id'), COALESCE((SELECT MAX(id) FROM pending_consents), 0) + 1, false);", cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new VaultCopyReport(copied);
    }

    private static async Task<int> SourceVersionAsync(SqliteConnection sqlite, SqliteTransaction read, CancellationToken cancellationToken)
    {
        try
        {
            await using var select = sqlite.CreateCommand();
            select.Transaction = read;
            select.CommandText = "SELECT MAX(version) FROM schema_version;";
            return Convert.ToInt32(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } v and not DBNull ? v : 0, CultureInfo.InvariantCulture);
        }
        catch (SqliteException ex)
        {
            throw new VaultConfigurationException($"The file to copy is not a Databunker.Core SQLite vault (SQLite error {ex.SqliteErrorCode}).", ex);
        }
    }

    private static async Task<long> CopyTableAsync(
        SqliteConnection sqlite, SqliteTransaction read, NpgsqlConnection postgres, string table, (string Name, NpgsqlDbType Type)[] columns, CancellationToken cancellationToken)
    {
        var list = string.Join(", ", columns.Select(c => c.Name));
        await using var select = sqlite.CreateCommand();
        select.Transaction = read;

        // SQLite's audit events are keyed by their sequence number alone (version 7); it becomes the id here.
        select.CommandText = $"SELECT {string.Join(", ", columns.Select(c => table == "audit_events" && c.Name == "id" ? "seq AS id" : c.Name))} FROM {table};";
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var import = await postgres.BeginBinaryImportAsync($"COPY {table} ({list}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (import.ConfigureAwait(false))
        {
            long rows = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < columns.Length; i++)
                {
                    if (reader.IsDBNull(i))
                    {
                        await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    switch (columns[i].Type)
                    {
                        case NpgsqlDbType.Bytea:
                            await import.WriteAsync((byte[])reader.GetValue(i), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                            break;
                        case NpgsqlDbType.Text:
                            await import.WriteAsync(reader.GetString(i), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                            break;
                        case NpgsqlDbType.Boolean:
                            await import.WriteAsync(reader.GetInt64(i) != 0, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                            break;
                        case NpgsqlDbType.Integer:
                            await import.WriteAsync(checked((int)reader.GetInt64(i)), NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                            break;
                        default:
                            await import.WriteAsync(reader.GetInt64(i), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }

                rows++;
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
    }
}
