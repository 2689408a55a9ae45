using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Databunker.Tool.Scan;

/// <summary>How a scan reads: how many rows of each table (all with <see cref="Full"/>), and the country a national phone number is read for.</summary>
internal sealed record ScanOptions(int SampleRows, bool Full, string Region, DateOnly Today);

/// <summary>How confident a finding is.</summary>
internal enum ScanConfidence
{
    /// <summary>The column's name says so, or half its values or more are of the kind.</summary>
    Medium,

    /// <summary>Nine in ten of its values or more are of the kind, or its name and its values agree.</summary>
    High,
}

/// <summary>One column that holds personal data: what, how many of the values read are of that kind, a masked example, and why.</summary>
internal sealed record ColumnFinding(string Table, string Column, PersonalDataKind Kind, long Examined, long Matched, ScanConfidence Confidence, string? Sample, string Reason);

/// <summary>One table: its rows (on PostgreSQL, when sampling, the planner's estimate), how many the scan read, and why it could not be read, if it could not.</summary>
internal sealed record TableScan(string Table, long Rows, long Examined, string? Skipped = null);

/// <summary>What a scan found.</summary>
internal sealed record ScanReport(IReadOnlyList<TableScan> Tables, IReadOnlyList<ColumnFinding> Findings)
{
    /// <summary>Whether some table was read only in part.</summary>
    public bool Sampled => Tables.Any(t => t.Skipped is null && t.Examined < t.Rows);

    /// <summary>The tables that could not be read: the scan cannot say they hold no personal data.</summary>
    public IEnumerable<TableScan> Skipped => Tables.Where(t => t.Skipped is not null);
}

/// <summary>Where a scan is: tables done of all, and rows read in the current one.</summary>
internal sealed record ScanProgress(string Table, int TablesDone, int Tables, long RowsRead);

/// <summary>
/// Reads an application's database (SQLite or PostgreSQL, read-only) table by table and column by column, and reports
/// which columns hold personal data. Values are looked at one by one and never kept: a finding carries counts and one
/// masked example.
/// </summary>
internal static class DatabaseScanner
{
    /// <summary>Scans the SQLite database of <paramref name="connectionString"/>, opened read-only (a missing file is an error, never created).</summary>
    public static Task<ScanReport> ScanSqliteAsync(string connectionString, ScanOptions options, IProgress<ScanProgress>? progress, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly };
        if (builder.DataSource is "" or ":memory:" || !File.Exists(builder.DataSource))
        {
            throw new ArgumentException($"The SQLite database {builder.DataSource} does not exist.");
        }

        return ScanAsync(new SqliteConnection(builder.ConnectionString), Sqlite, options, progress, cancellationToken);
    }

    /// <summary>Scans the PostgreSQL database of <paramref name="connectionString"/> in read-only transactions: every schema but the system's.</summary>
    public static Task<ScanReport> ScanPostgreSqlAsync(string connectionString, ScanOptions options, IProgress<ScanProgress>? progress, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "databunker scan" };
        return ScanAsync(new NpgsqlConnection(builder.ConnectionString), PostgreSql, options, progress, cancellationToken);
    }

    private static readonly Dialect Sqlite = new(
        "SELECT name, NULL FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;",
        "SELECT name FROM pragma_table_info($table) ORDER BY cid;",
        static (schema, table) => Quote(table),
        Quote,
        "SELECT COUNT(*) FROM {0};");

    // Every value is read as text: a column of a type the driver cannot map (PostGIS, a NaN numeric, a date out of .NET's
    // range) is read all the same, and a date of birth parses from its text. A partition is read through its parent.
    private static readonly Dialect PostgreSql = new(
        "SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition "
            + "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY n.nspname, c.relname;",
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = $schema AND c.relname = $table AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;",
        static (schema, table) => $"{Quote(schema!)}.{Quote(table)}",
        static column => $"{Quote(column)}::text",
        "SELECT GREATEST(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = '{0}'::regclass;");

    /// <summary>How a database names its tables and columns, reads a column, and counts (or, on PostgreSQL, estimates) a table's rows.</summary>
    private sealed record Dialect(string Tables, string Columns, Func<string?, string, string> Name, Func<string, string> Read, string Count);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<ScanReport> ScanAsync(DbConnection connection, Dialect dialect, ScanOptions options, IProgress<ScanProgress>? progress, CancellationToken cancellationToken)
    {
        await using var _ = connection;
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var tables = new List<(string Name, string? Schema)>();
        await using (var list = Command(connection, dialect.Tables))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tables.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        var scans = new List<TableScan>();
        var findings = new List<ColumnFinding>();
        for (var t = 0; t < tables.Count; t++)
        {
            var (name, schema) = tables[t];
            var shown = schema is null or "public" ? name : $"{schema}.{name}";
            try
            {
                var (scan, found) = await ScanTableAsync(connection, dialect, name, schema, shown, options, examined => progress?.Report(new ScanProgress(shown, t, tables.Count, examined)), cancellationToken).ConfigureAwait(false);
                scans.Add(scan);
                findings.AddRange(found);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidCastException or OverflowException or FormatException or NotSupportedException)
            {
                // One table the scan may not read (no SELECT grant, a virtual table whose module is not loaded) does not
                // end the scan; the report names it. Only the error's kind and code: a message may quote a value.
                scans.Add(new TableScan(shown, 0, 0, ex switch
                {
                    PostgresException postgres => $"{ex.GetType().Name} {postgres.SqlState}",
                    SqliteException sqlite => $"{ex.GetType().Name} {sqlite.SqliteErrorCode}",
                    _ => ex.GetType().Name,
                }));
            }

            progress?.Report(new ScanProgress(shown, t + 1, tables.Count, scans[^1].Examined));
        }

        return new ScanReport(scans, findings);
    }

    /// <summary>Reads one table (in a read-only transaction on PostgreSQL) and returns what its columns hold.</summary>
    private static async Task<(TableScan Scan, IEnumerable<ColumnFinding> Findings)> ScanTableAsync(
        DbConnection connection, Dialect dialect, string name, string? schema, string shown, ScanOptions options, Action<long> progress, CancellationToken cancellationToken)
    {
        await using var transaction = connection is NpgsqlConnection ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        if (transaction is not null)
        {
            await using var readOnly = Command(connection, "SET TRANSACTION READ ONLY;");
            readOnly.Transaction = transaction;
            await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var columns = new List<string>();
        await using (var list = Command(connection, dialect.Columns, ("table", name), ("schema", schema)))
        {
            list.Transaction = transaction;
            await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                columns.Add(reader.GetString(0));
            }
        }

        var quoted = dialect.Name(schema, name);
        long? counted = null;
        if (!options.Full)
        {
            await using var count = Command(connection, string.Format(CultureInfo.InvariantCulture, dialect.Count, connection is NpgsqlConnection ? quoted.Replace("'", "''", StringComparison.Ordinal) : quoted));
            count.Transaction = transaction;
            counted = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        var tallies = columns.Select(c => new ColumnTally(shown, c)).ToArray();
        long examined = 0;
        if (columns.Count > 0)
        {
            var limit = options.Full ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" LIMIT {options.SampleRows}");
            await using var select = Command(connection, $"SELECT {string.Join(", ", columns.Select(dialect.Read))} FROM {quoted}{limit};");
            select.Transaction = transaction;
            select.CommandTimeout = 0; // a full pass over a large table takes what it takes; Ctrl-C cancels it
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < tallies.Length; i++)
                {
                    tallies[i].Add(reader.IsDBNull(i) ? null : reader.GetValue(i), options);
                }

                if (++examined % 10_000 == 0)
                {
                    progress(examined);
                }
            }
        }

        return (new TableScan(shown, Math.Max(counted ?? examined, examined), examined), tallies.Select(c => c.Verdict()).OfType<ColumnFinding>().ToList());
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, string? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters.Where(p => sql.Contains("$" + p.Name, StringComparison.Ordinal)))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = connection is NpgsqlConnection ? name : "$" + name;
            parameter.Value = value ?? (object)DBNull.Value;
            command.Parameters.Add(parameter);
        }

        if (connection is NpgsqlConnection)
        {
            // Npgsql takes named parameters as @name.
            command.CommandText = parameters.Aggregate(sql, (text, p) => text.Replace("$" + p.Name, "@" + p.Name, StringComparison.Ordinal));
        }

        return command;
    }

    /// <summary>One column's counts as its values go by: how many held something, how many of each kind, one example of each (masked when reported).</summary>
    private sealed class ColumnTally(string table, string column)
    {
        private readonly PersonalDataKind? _byName = PersonalDataDetectors.FromColumnName(table, column);
        private readonly long[] _matched = new long[Enum.GetValues<PersonalDataKind>().Length];
        private readonly string?[] _examples = new string?[Enum.GetValues<PersonalDataKind>().Length];
        private long _present;
        private long _birthDates;
        private long _phoneDigits;
        private long _tokens;
        private long _emailsInText;
        private string? _emailInText;

        public void Add(object? value, ScanOptions options)
        {
            if (value is null or byte[])
            {
                return; // a blob is no readable text: an application's ciphertext, an image
            }

            var text = value as string;
            if (text is { Length: 0 } || (text is not null && string.IsNullOrWhiteSpace(text)))
            {
                return;
            }

            _present++;
            if (value is Guid || (text is not null && (Guid.TryParse(text, out _) || PersonalDataDetectors.IsVaultToken(text, options.Region))))
            {
                _tokens++; // a person's token, or a value's, where the data was: what the column holds once it moved to the vault
                return;
            }

            if (_byName == PersonalDataKind.DateOfBirth && PersonalDataDetectors.IsBirthDate(value, options.Today))
            {
                _birthDates++;
            }

            var shown = text ?? Convert.ToString(value, CultureInfo.InvariantCulture);
            if (shown is null || value is DateTime or DateOnly or DateTimeOffset or bool or Guid)
            {
                return;
            }

            if (_byName == PersonalDataKind.Phone && PersonalDataDetectors.IsPhoneDigits(shown))
            {
                _phoneDigits++;
            }

            if (PersonalDataDetectors.Classify(shown, text is not null, options.Region) is { } kind)
            {
                _matched[(int)kind]++;
                _examples[(int)kind] ??= shown;
            }
            else if (text is not null && PersonalDataDetectors.FindEmail(text) is { } email)
            {
                _emailsInText++;
                _emailInText ??= email;
            }
        }

        public ColumnFinding? Verdict()
        {
            // Personal values of any kinds (a contact column of emails and phones) count together; the commonest names it.
            var best = PersonalDataDetectors.ValueKinds.MaxBy(k => _matched[(int)k]);
            var matched = PersonalDataDetectors.ValueKinds.Sum(k => _matched[(int)k]);
            if (_present > 0 && matched * 2 >= _present && matched >= Math.Min(3, _present))
            {
                var confidence = matched * 10 >= _present * 9 ? ScanConfidence.High : ScanConfidence.Medium;
                return new ColumnFinding(table, column, best, _present, matched, confidence, PersonalDataDetectors.Mask(_examples[(int)best]!), "values");
            }

            // Free text that carries email addresses (notes, comments, JSON): a few are enough, whatever the share.
            if (_emailsInText > 0 && _emailsInText >= Math.Min(3, _present))
            {
                return new ColumnFinding(table, column, PersonalDataKind.Email, _present, _emailsInText, ScanConfidence.Medium, PersonalDataDetectors.Mask(_emailInText!), "values (inside text)");
            }

            // By its name: only a column that holds something, and not only tokens. No example: a name's or an address's
            // shape, or a date's digits, would say too much.
            return _byName switch
            {
                _ when _present == _tokens => null,
                PersonalDataKind.DateOfBirth when _birthDates * 2 >= _present =>
                    new ColumnFinding(table, column, PersonalDataKind.DateOfBirth, _present, _birthDates, ScanConfidence.High, null, "column name and values"),
                PersonalDataKind.Phone when _phoneDigits * 2 >= _present =>
                    new ColumnFinding(table, column, PersonalDataKind.Phone, _present, _phoneDigits, ScanConfidence.High, null, "column name and values"),
                { } kind => new ColumnFinding(table, column, kind, _present, 0, ScanConfidence.Medium, null, "column name"),
                null => null,
            };
        }
    }
}
