using System.CommandLine;
using System.Globalization;
using Databunker.Core;
using Databunker.Tool.Import;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Tool;

/// <summary>
/// <c>databunker import</c>: moves the personal data of an application's own database (a table or query of SQLite or
/// PostgreSQL, a CSV or JSON Lines file) into the vault, a person per row, resumable, with a verify before the source is
/// cleared. Exit codes: 0 every row is in the vault (and, with --verify, the same there); 1 a row was left out (a
/// duplicate, refused) or differs; 2 the input is wrong or a database could not be read or written.
/// </summary>
internal static partial class DatabunkerTool
{
    private static Command ImportCommand(TextWriter output, TextWriter error, bool terminal)
    {
        var vault = new VaultOptions();
        var name = new Option<string>("--name") { Description = "The import's name: run the same command with the same name to resume after a stop; its rows are never made twice.", Required = true };
        var fromSqlite = new Option<string?>("--from-sqlite") { Description = "The application's SQLite database (Data Source=app.db), read-only unless --write-back or --null-source." };
        var fromPostgreSql = new ConnectionStringOption("from-postgresql", "the application's PostgreSQL connection string");
        var fromCsv = new Option<FileInfo?>("--from-csv") { Description = "A CSV file with a header line." };
        var fromJsonLines = new Option<FileInfo?>("--from-jsonl") { Description = "A JSON Lines file: a JSON object a line." };
        var table = new Option<string?>("--table") { Description = "The table whose rows are imported (schema.table on PostgreSQL)." };
        var query = new Option<string?>("--query") { Description = "A SELECT whose rows are imported, instead of --table (then nothing is written back)." };
        var id = new Option<string>("--id") { Description = "The column (or JSON member) holding each row's unique id, which makes its token.", DefaultValueFactory = _ => "id" };
        var map = new Option<string[]>("--map") { Description = "column=field: a profile member (email, name, address/street), or app:NAME/member for app data. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var batch = new Option<int>("--batch") { Description = "Rows per transaction.", DefaultValueFactory = _ => 1000 };
        var mapping = new Option<FileInfo?>("--mapping") { Description = "Write source_id,token for every row in the vault to this CSV file." };
        var writeBack = new Option<string?>("--write-back") { Description = "Add this column to --table and write each row's token into it." };
        var verify = new Option<bool>("--verify") { Description = "Then re-read every imported person and compare it with its row." };
        var nullSource = new Option<bool>("--null-source") { Description = "After the verify, set the mapped columns to NULL in each row the vault holds the same (implies --verify)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every row (the vault's checks, duplicates) and write nothing." };
        var command = new Command("import", "Move personal data from an application's database or a file into the vault: a person per row, in batches, resumable, duplicates reported.")
        {
            name, fromSqlite, fromCsv, fromJsonLines, table, query, id, map, batch, mapping, writeBack, verify, nullSource, dryRun,
        };
        fromPostgreSql.AddTo(command);
        vault.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var progress = new ProgressWriter(error, terminal);
            try
            {
                var sources = new[] { result.GetValue(fromSqlite) is not null, fromPostgreSql.IsGiven(result), result.GetValue(fromCsv) is not null, result.GetValue(fromJsonLines) is not null };
                if (sources.Count(s => s) != 1)
                {
                    throw new ArgumentException($"Name the source with exactly one of --from-sqlite, {fromPostgreSql.Names}, --from-csv and --from-jsonl.");
                }

                var columns = ColumnMap.Parse(result.GetValue(map) ?? []);
                var settings = new ImportSettings(
                    result.GetValue(name)!, result.GetValue(id)!, result.GetValue(batch), result.GetValue(mapping)?.FullName, result.GetValue(writeBack),
                    result.GetValue(verify) || result.GetValue(nullSource), result.GetValue(nullSource), result.GetValue(dryRun));
                settings.Check(columns);
                var writes = settings.WriteBack is not null || settings.NullSource;
                if (!sources[0] && !sources[1] && (writes || result.GetValue(table) is not null || result.GetValue(query) is not null))
                {
                    throw new ArgumentException("--table, --query, --write-back and --null-source are for a database source.");
                }

                await using var services = vault.Open(result, b => b.Services.Configure<DatabunkerOptions>(o =>
                {
                    foreach (var app in columns.Targets.Select(t => t.App).OfType<string>().Distinct(StringComparer.Ordinal))
                    {
                        o.AppData.Register(app);
                    }
                }), create: false);
                await using ImportSource source = sources[0] || sources[1]
                    ? await SqlImportSource.OpenAsync(
                        sources[0] ? result.GetValue(fromSqlite)! : fromPostgreSql.Read(result)!, sources[1], result.GetValue(table), result.GetValue(query),
                        settings.Id, columns, writes && !settings.DryRun, cancellationToken).ConfigureAwait(false)
                    : sources[2]
                        ? new CsvImportSource(Existing(result.GetValue(fromCsv)!), settings.Id, columns)
                        : new JsonLinesImportSource(Existing(result.GetValue(fromJsonLines)!), settings.Id, columns);
                var run = new ImportRun(services.GetRequiredService<IVaultImporter>(), source, settings, output, progress);
                var code = await run.ImportAsync(cancellationToken).ConfigureAwait(false);
                if (settings.Verify && !settings.DryRun)
                {
                    code = Math.Max(code, await run.VerifyAsync(cancellationToken).ConfigureAwait(false));
                }

                return code;
            }
            catch (OperationCanceledException)
            {
                progress.Finish();
                await error.WriteLineAsync("Stopped. Every batch committed is in the vault: run the same command again to go on from there.").ConfigureAwait(false);
                return Refused;
            }
            catch (Exception ex) when (ex is DatabunkerException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                progress.Finish();
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return Refused;
            }
            catch (System.Data.Common.DbException ex)
            {
                // By its code only: a server's message may quote a value of the row. A connection's or SQLite's own message
                // names the host or the file, which the operator needs.
                progress.Finish();
                var code = ex switch
                {
                    Npgsql.PostgresException postgres => " " + postgres.SqlState,
                    Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException => ": " + ex.Message,
                    _ => string.Empty,
                };
                await error.WriteLineAsync($"The source database could not be read or written ({ex.GetType().Name}{code}). Run the same command again to go on.").ConfigureAwait(false);
                return Refused;
            }
        });
        return command;
    }

    private static string Existing(FileInfo file) =>
        file.Exists ? file.FullName : throw new ArgumentException($"The file {file.FullName} does not exist.");
}

/// <summary>What an import is asked to do.</summary>
internal sealed record ImportSettings(string Name, string Id, int Batch, string? Mapping, string? WriteBack, bool Verify, bool NullSource, bool DryRun)
{
    public void Check(ColumnMap columns)
    {
        if (Batch is < 1 or > 10_000)
        {
            throw new ArgumentException("--batch is 1 to 10,000.");
        }

        if (DryRun && (Mapping is not null || WriteBack is not null || NullSource))
        {
            throw new ArgumentException("--dry-run writes nothing: leave out --mapping, --write-back and --null-source.");
        }

        if (columns.Columns.Contains(Id, StringComparer.Ordinal) && NullSource)
        {
            throw new ArgumentException($"--null-source would clear the id column {Id}, which finds each row again: do not map it.");
        }

        if (WriteBack is not null && columns.Columns.Contains(WriteBack, StringComparer.Ordinal))
        {
            throw new ArgumentException($"--write-back {WriteBack} is a mapped column: name a new one for the tokens.");
        }
    }
}

/// <summary>Where an import stands, for the progress display.</summary>
/// <param name="Stage">"imported" or "verified".</param>
/// <param name="Done">How far the reading is (rows, or bytes of a file).</param>
/// <param name="Total">Its end, in the same unit.</param>
/// <param name="Rows">Rows read.</param>
internal sealed record ImportProgress(string Stage, long Done, long Total, long Rows);

/// <summary>One run of <c>databunker import</c>: the import pass, then the verify pass.</summary>
internal sealed class ImportRun(IVaultImporter importer, ImportSource source, ImportSettings settings, TextWriter output, ProgressWriter progress)
{
    public async Task<int> ImportAsync(CancellationToken cancellationToken)
    {
        var options = new ImportOptions { Name = settings.Name, BatchSize = settings.Batch, DryRun = settings.DryRun };
        var counts = new Dictionary<ImportOutcome, long>();
        long rows = 0, empty = 0;
        var left = new List<string>();
        var partial = settings.Mapping is null ? null : settings.Mapping + ".partial";
        await using var mapping = partial is null ? null : new StreamWriter(partial, append: false, new System.Text.UTF8Encoding(false));
        if (mapping is not null)
        {
            await mapping.WriteLineAsync("source_id,token").ConfigureAwait(false);
        }

        if (settings.WriteBack is { } column && source is SqlImportSource table && !settings.DryRun)
        {
            await table.AddTokenColumnAsync(column, cancellationToken).ConfigureAwait(false);
        }

        await foreach (var page in source.PagesAsync(settings.Batch, cancellationToken).ConfigureAwait(false))
        {
            rows += page.Count;
            empty += page.Count(r => r.Row is null);
            var keys = Keys(page);
            var written = new List<(object Key, Guid Token)>();
            await foreach (var imported in importer.ImportAsync(page.Select(r => r.Row).OfType<ImportRow>().ToAsyncEnumerable(), options, cancellationToken).ConfigureAwait(false))
            {
                counts[imported.Outcome] = counts.GetValueOrDefault(imported.Outcome) + 1;
                switch (imported.Outcome)
                {
                    case ImportOutcome.Created or ImportOutcome.AlreadyImported:
                        if (mapping is not null)
                        {
                            await mapping.WriteLineAsync($"{Csv(imported.SourceId)},{imported.Token}").ConfigureAwait(false);
                        }

                        if (keys.GetValueOrDefault(imported.SourceId) is { } key)
                        {
                            written.Add((key, imported.Token));
                        }

                        break;
                    case ImportOutcome.Duplicate:
                        left.Add(imported.Index == "id"
                            ? $"Row {imported.SourceId}: its id is given twice; the first row was imported."
                            : $"Row {imported.SourceId}: duplicate {imported.Index}, held by person {imported.HeldBy}; left out, not merged.");
                        break;
                    case ImportOutcome.Refused:
                        left.Add($"Row {imported.SourceId}: refused: {imported.Reason}");
                        break;
                }
            }

            if (settings.WriteBack is { } back && !settings.DryRun)
            {
                await source.WriteBackAsync(back, written, cancellationToken).ConfigureAwait(false);
            }

            progress.Report(new ImportProgress("imported", source.Done, source.Total, rows));
        }

        progress.Finish();
        if (mapping is not null)
        {
            await mapping.DisposeAsync().ConfigureAwait(false);
            File.Move(partial!, settings.Mapping!, overwrite: true);
        }

        foreach (var line in left)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        var created = counts.GetValueOrDefault(ImportOutcome.Created);
        var already = counts.GetValueOrDefault(ImportOutcome.AlreadyImported);
        var duplicates = counts.GetValueOrDefault(ImportOutcome.Duplicate);
        var refused = counts.GetValueOrDefault(ImportOutcome.Refused);
        var verb = settings.DryRun ? "Dry run, nothing written: would create" : "created";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Read {rows} row(s): {verb} {created} person(s), {already} already in the vault, {duplicates} duplicate(s) and {refused} refused left out, {empty} with nothing to import.")).ConfigureAwait(false);
        return duplicates + refused > 0 ? 1 : 0;
    }

    public async Task<int> VerifyAsync(CancellationToken cancellationToken)
    {
        var options = new ImportOptions { Name = settings.Name, BatchSize = settings.Batch };
        var verdicts = new Dictionary<ImportVerdict, long>();
        long rows = 0, cleared = 0;
        await foreach (var page in source.PagesAsync(settings.Batch, cancellationToken).ConfigureAwait(false))
        {
            rows += page.Count;
            var keys = Keys(page);
            var same = new List<object>();
            await foreach (var verified in importer.VerifyAsync(page.Select(r => r.Row).OfType<ImportRow>().ToAsyncEnumerable(), options, cancellationToken).ConfigureAwait(false))
            {
                verdicts[verified.Verdict] = verdicts.GetValueOrDefault(verified.Verdict) + 1;
                if (verified.Verdict == ImportVerdict.Same && keys.GetValueOrDefault(verified.SourceId) is { } key)
                {
                    same.Add(key);
                }
            }

            if (settings.NullSource)
            {
                await source.ClearAsync(same, cancellationToken).ConfigureAwait(false);
                cleared += same.Count;
            }

            progress.Report(new ImportProgress("verified", source.Done, source.Total, rows));
        }

        progress.Finish();
        var differ = verdicts.GetValueOrDefault(ImportVerdict.Differs);
        var missing = verdicts.GetValueOrDefault(ImportVerdict.Missing);
        var clearedText = settings.NullSource ? string.Create(CultureInfo.InvariantCulture, $"; cleared the mapped columns of {cleared} row(s)") : string.Empty;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Verified {verdicts.Values.Sum()} row(s): {verdicts.GetValueOrDefault(ImportVerdict.Same)} the same in the vault, {differ} differ, {missing} not in the vault{clearedText}.")).ConfigureAwait(false);
        return differ + missing > 0 ? 1 : 0;
    }

    /// <summary>Each row's key in the database by its id (the first, where an id is given twice).</summary>
    private static Dictionary<string, object?> Keys(IReadOnlyList<SourceRow> page)
    {
        var keys = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var row in page.Where(r => r.Row is not null))
        {
            keys.TryAdd(row.Id, row.Key);
        }

        return keys;
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
