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

/// <summary>One table: its rows, and how many of them the scan read.</summary>
internal sealed record TableScan(string Table, long Rows, long Examined);

/// <summary>What a scan found.</summary>
internal sealed record ScanReport(IReadOnlyList<TableScan> Tables, IReadOnlyList<ColumnFinding> Findings)
{
    /// <summary>Whether some table was read only in part.</summary>
    public bool Sampled => Tables.Any(t => t.Examined < t.Rows);
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
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c default_transaction_read_only=on", ApplicationName = "databunker scan" };
        return ScanAsync(new NpgsqlConnection(builder.ConnectionString), PostgreSql, options, progress, cancellationToken);
    }

    private static readonly Dialect Sqlite = new(
        "SELECT name, NULL FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;",
        "SELECT name FROM pragma_table_info($table) ORDER BY cid;",
        static (schema, table) => Quote(table));

    private static readonly Dialect PostgreSql = new(
        "SELECT table_name, table_schema FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' ORDER BY table_schema, table_name;",
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position;",
        static (schema, table) => $"{Quote(schema!)}.{Quote(table)}");

    private sealed record Dialect(string Tables, string Columns, Func<string?, string, string> Name);

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
            var columns = new List<string>();
            await using (var list = Command(connection, dialect.Columns, ("table", name), ("schema", schema)))
            await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    columns.Add(reader.GetString(0));
                }
            }

            var quoted = dialect.Name(schema, name);
            long rows;
            await using (var count = Command(connection, $"SELECT COUNT(*) FROM {quoted};"))
            {
                rows = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            var tallies = columns.Select(c => new ColumnTally(shown, c)).ToArray();
            long examined = 0;
            if (columns.Count > 0)
            {
                var limit = options.Full ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" LIMIT {options.SampleRows}");
                await using var select = Command(connection, $"SELECT {string.Join(", ", columns.Select(Quote))} FROM {quoted}{limit};");
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    for (var i = 0; i < tallies.Length; i++)
                    {
                        tallies[i].Add(reader.IsDBNull(i) ? null : reader.GetValue(i), options);
                    }

                    if (++examined % 10_000 == 0)
                    {
                        progress?.Report(new ScanProgress(shown, t, tables.Count, examined));
                    }
                }
            }

            scans.Add(new TableScan(shown, rows, examined));
            findings.AddRange(tallies.Select(c => c.Verdict()).OfType<ColumnFinding>());
            progress?.Report(new ScanProgress(shown, t + 1, tables.Count, examined));
        }

        return new ScanReport(scans, findings);
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
        private string? _firstText;

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
            _firstText ??= text;
            if (_byName == PersonalDataKind.DateOfBirth && PersonalDataDetectors.IsBirthDate(value, options.Today))
            {
                _birthDates++;
            }

            var shown = text ?? Convert.ToString(value, CultureInfo.InvariantCulture);
            if (shown is null || value is DateTime or DateOnly or DateTimeOffset or bool or Guid)
            {
                return;
            }

            if (PersonalDataDetectors.Classify(shown, text is not null, options.Region) is { } kind)
            {
                _matched[(int)kind]++;
                _examples[(int)kind] ??= shown;
            }
        }

        public ColumnFinding? Verdict()
        {
            var best = PersonalDataDetectors.ValueKinds.MaxBy(k => _matched[(int)k]);
            var matched = _matched[(int)best];
            if (_present > 0 && matched * 2 >= _present && matched >= Math.Min(3, _present))
            {
                var confidence = matched * 10 >= _present * 9 ? ScanConfidence.High : ScanConfidence.Medium;
                return new ColumnFinding(table, column, best, _present, matched, confidence, PersonalDataDetectors.Mask(_examples[(int)best]!), "values");
            }

            return _byName switch
            {
                PersonalDataKind.DateOfBirth when _present > 0 && _birthDates * 2 >= _present =>
                    new ColumnFinding(table, column, PersonalDataKind.DateOfBirth, _present, _birthDates, ScanConfidence.High, null, "column name and values"),
                { } kind => new ColumnFinding(table, column, kind, _present, 0, ScanConfidence.Medium, _firstText is null ? null : PersonalDataDetectors.Mask(_firstText), "column name"),
                null => null,
            };
        }
    }
}
