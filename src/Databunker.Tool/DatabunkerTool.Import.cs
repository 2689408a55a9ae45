using System.CommandLine;
using System.Globalization;
using Databunker.Core;
using Databunker.Tool.Import;
using Microsoft.Extensions.DependencyInjection;
using nietras.SeparatedValues;

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
        var credential = new Option<string[]>("--credential") { Description = "column=app:NAME/member: as --map, and the member is named in the document's $credentials, so that an export, the privacy portal, the DPO console and share links withhold it (a password hash, a security stamp). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var batch = new Option<int>("--batch") { Description = "Rows per transaction.", DefaultValueFactory = _ => 1000 };
        var mapping = new Option<FileInfo?>("--mapping") { Description = "Write source_id,token for every row in the vault to this CSV file." };
        var writeBack = new Option<string?>("--write-back") { Description = "Add this column to --table and write each row's token into it." };
        var verify = new Option<bool>("--verify") { Description = "Then re-read every imported person and compare it with its row." };
        var nullSource = new Option<bool>("--null-source") { Description = "After the verify, set the mapped columns to NULL in each row the vault holds the same (implies --verify)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every row (the vault's checks, duplicates) and write nothing." };
        var command = new Command("import", "Move personal data from an application's database or a file into the vault: a person per row, in batches, resumable, duplicates reported.")
        {
            name, fromSqlite, fromCsv, fromJsonLines, table, query, id, map, credential, batch, mapping, writeBack, verify, nullSource, dryRun,
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

                var columns = ColumnMap.Parse(result.GetValue(map) ?? [], result.GetValue(credential) ?? []);
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
            catch (Exception ex) when (Failure(ex) is { } message)
            {
                progress.Finish();
                await error.WriteLineAsync(message).ConfigureAwait(false);
                return Refused;
            }
        });
        return command;
    }

    private static Command TokenizeCommand(TextWriter output, TextWriter error, bool terminal)
    {
        var vault = new VaultOptions();
        var fromSqlite = new Option<string?>("--from-sqlite") { Description = "The application's SQLite database (Data Source=app.db)." };
        var fromPostgreSql = new ConnectionStringOption("from-postgresql", "the application's PostgreSQL connection string");
        var table = new Option<string>("--table") { Description = "The table whose columns are tokenized (schema.table on PostgreSQL).", Required = true };
        var id = new Option<string>("--id") { Description = "The table's unique id column.", DefaultValueFactory = _ => "id" };
        var columns = new Option<string[]>("--column") { Description = "A column whose values become tokens, written into COLUMN_token; the value is set to NULL. Repeatable.", Required = true, AllowMultipleArgumentsPerToken = false };
        var scope = new Option<string>("--scope") { Description = "The tokens' scope, as the privacy catalogue's purposes declare it (address, card).", Required = true };
        var owner = new Option<string>("--owner") { Description = "The column holding the id of each row's person in an import (an order's user_id).", Required = true };
        var ownerImport = new Option<string>("--owner-import") { Description = "The name of the import that made those persons.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Rows per page.", DefaultValueFactory = _ => 1000 };
        var command = new Command("tokenize", "Replace the values of columns that belong to imported persons (an order's address) by tokens the person owns, resumable.")
        {
            fromSqlite, table, id, columns, scope, owner, ownerImport, batch,
        };
        fromPostgreSql.AddTo(command);
        vault.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var progress = new ProgressWriter(error, terminal);
            try
            {
                if ((result.GetValue(fromSqlite) is null) == !fromPostgreSql.IsGiven(result))
                {
                    throw new ArgumentException($"Name the application's database with exactly one of --from-sqlite and {fromPostgreSql.Names}.");
                }

                var settings = new TokenizeSettings(
                    result.GetValue(table)!, result.GetValue(id)!, result.GetValue(columns)!.Distinct(StringComparer.Ordinal).ToList(), result.GetValue(scope)!,
                    result.GetValue(owner)!, result.GetValue(ownerImport)!, result.GetValue(batch));
                if (settings.Batch is < 1 or > 10_000)
                {
                    throw new ArgumentException("--batch is 1 to 10,000.");
                }

                if (settings.Columns.Contains(settings.Id, StringComparer.Ordinal) || settings.Columns.Contains(settings.Owner, StringComparer.Ordinal))
                {
                    throw new ArgumentException("--column names a column whose values become tokens: not the id or the owner column.");
                }

                var postgreSql = fromPostgreSql.IsGiven(result);
                await using var services = vault.Open(result, null, create: false);
                await using var connection = Sql.Connect(postgreSql ? fromPostgreSql.Read(result)! : result.GetValue(fromSqlite)!, postgreSql, writes: true, "databunker tokenize");
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var run = new ColumnTokenizer(
                    connection, services.GetRequiredService<IVaultImporter>(), services.GetRequiredService<Databunker.Core.Tokenization.ITokenizer>(), settings, output, progress);
                return await run.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && Failure(ex) is { } message)
            {
                progress.Finish();
                await error.WriteLineAsync(message).ConfigureAwait(false);
                return Refused;
            }
            catch (OperationCanceledException)
            {
                progress.Finish();
                await error.WriteLineAsync("Stopped. Every page committed is done: run the same command again to go on from there.").ConfigureAwait(false);
                return Refused;
            }
        });
        return command;
    }

    /// <summary>
    /// The message for a failure of an import or tokenize run, or <see langword="null"/> for one that is not theirs to
    /// report. A database's by its code only: a server's message may quote a value of the row. A connection's or SQLite's
    /// own message names the host or the file, which the operator needs.
    /// </summary>
    private static string? Failure(Exception ex) => ex switch
    {
        DatabunkerException or ArgumentException or IOException or UnauthorizedAccessException => ex.Message,
        Npgsql.PostgresException postgres => $"The application's database could not be read or written ({ex.GetType().Name} {postgres.SqlState}). Run the same command again to go on.",
        Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException => $"The application's database could not be read or written ({ex.GetType().Name}: {ex.Message}). Run the same command again to go on.",
        System.Data.Common.DbException => $"The application's database could not be read or written ({ex.GetType().Name}). Run the same command again to go on.",
        _ => null,
    };

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
/// <param name="Changed">Persons created, or rows found the same.</param>
internal sealed record ImportProgress(string Stage, long Done, long Total, long Rows, long Changed);

/// <summary>
/// One run of <c>databunker import</c>: the import pass, then the verify pass. Each pass gives the importer every row of
/// the source as one stream (so that an id given twice is found wherever the second falls) and takes each committed
/// batch's results, in the same order, in its callback: it writes their mapping lines and tokens back, or clears rows.
/// </summary>
internal sealed class ImportRun(IVaultImporter importer, ImportSource source, ImportSettings settings, TextWriter output, ProgressWriter progress)
{
    private readonly Queue<SourceRow> _pending = new();
    private long _rows;
    private long _empty;
    private readonly List<string> _emptyRows = [];

    public async Task<int> ImportAsync(CancellationToken cancellationToken)
    {
        var options = new ImportOptions { Name = settings.Name, BatchSize = settings.Batch, DryRun = settings.DryRun };
        var counts = new Dictionary<ImportOutcome, long>();
        var left = new List<string>();
        var earlier = settings.Mapping is { } existing && File.Exists(existing) ? ReadMapping(existing) : null;
        var partial = settings.Mapping is null ? null : settings.Mapping + ".partial";
        var mapping = partial is null ? null : new StreamWriter(new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None), new System.Text.UTF8Encoding(false));
        try
        {
            if (mapping is not null)
            {
                await mapping.WriteLineAsync("source_id,token").ConfigureAwait(false);
            }

            if (settings.WriteBack is { } column && source is SqlImportSource table && !settings.DryRun)
            {
                await table.AddTokenColumnAsync(column, cancellationToken).ConfigureAwait(false);
            }

            // The importer hands over a batch's results once it is committed: write its tokens back then.
            var written = new List<(object Key, Guid Token)>();
            await importer.ImportAsync(RowsAsync(cancellationToken), options, async (batch, token) =>
            {
                foreach (var imported in batch)
                {
                    var row = _pending.Dequeue();
                    counts[imported.Outcome] = counts.GetValueOrDefault(imported.Outcome) + 1;
                    switch (imported.Outcome)
                    {
                        case ImportOutcome.Created or ImportOutcome.AlreadyImported:
                            if (mapping is not null)
                            {
                                await mapping.WriteLineAsync($"{Csv(imported.SourceId)},{imported.Token}").ConfigureAwait(false);
                            }

                            if (row.Key is { } key)
                            {
                                written.Add((key, imported.Token));
                            }

                            break;
                        case ImportOutcome.Duplicate:
                            left.Add(imported.Index == "id"
                                ? $"Row {imported.SourceId}: its id is given twice; only the first row with it counts."
                                : $"Row {imported.SourceId}: duplicate {imported.Index}, held by person {imported.HeldBy}; left out, not merged.");
                            break;
                        case ImportOutcome.Refused:
                            left.Add($"Row {imported.SourceId}: refused: {imported.Reason}");
                            break;
                    }
                }

                await FlushAsync(written, "imported", token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);

            progress.Finish();
            if (mapping is not null)
            {
                // A row cleared by an earlier run holds nothing now: its line of the earlier mapping stays.
                foreach (var id in _emptyRows)
                {
                    if (earlier?.GetValueOrDefault(id) is { } token)
                    {
                        await mapping.WriteLineAsync($"{Csv(id)},{token}").ConfigureAwait(false);
                    }
                }

                await mapping.FlushAsync(cancellationToken).ConfigureAwait(false);
                ((FileStream)mapping.BaseStream).Flush(flushToDisk: true);
                await mapping.DisposeAsync().ConfigureAwait(false);
                mapping = null;
                File.Move(partial!, settings.Mapping!, overwrite: true);
            }
        }
        finally
        {
            if (mapping is not null)
            {
                await mapping.DisposeAsync().ConfigureAwait(false);
            }
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
            $"Read {_rows} row(s): {verb} {created} person(s), {already} already in the vault, {duplicates} duplicate(s) and {refused} refused left out, {_empty} with nothing to import.")).ConfigureAwait(false);
        return duplicates + refused > 0 ? 1 : 0;

        async Task FlushAsync(List<(object Key, Guid Token)> tokens, string stage, CancellationToken token)
        {
            if (settings.WriteBack is { } back && !settings.DryRun && tokens.Count > 0)
            {
                await source.WriteBackAsync(back, tokens, token).ConfigureAwait(false);
            }

            tokens.Clear();
            progress.Report(new ImportProgress(stage, source.Done, source.Total, _rows, counts.GetValueOrDefault(ImportOutcome.Created)));
        }
    }

    public async Task<int> VerifyAsync(CancellationToken cancellationToken)
    {
        var options = new ImportOptions { Name = settings.Name, BatchSize = settings.Batch };
        var verdicts = new Dictionary<ImportVerdict, long>();
        long cleared = 0;
        _rows = 0;
        _empty = 0;
        var same = new List<SourceRow>();
        await importer.VerifyAsync(RowsAsync(cancellationToken), options, async (batch, token) =>
        {
            foreach (var verified in batch)
            {
                var row = _pending.Dequeue();
                verdicts[verified.Verdict] = verdicts.GetValueOrDefault(verified.Verdict) + 1;
                if (verified.Verdict == ImportVerdict.Same && row.Key is not null)
                {
                    same.Add(row);
                }
            }

            cleared += await ClearAsync(same, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        progress.Finish();
        var differ = verdicts.GetValueOrDefault(ImportVerdict.Differs);
        var missing = verdicts.GetValueOrDefault(ImportVerdict.Missing);
        var clearedText = settings.NullSource ? string.Create(CultureInfo.InvariantCulture, $"; cleared the mapped columns of {cleared} row(s)") : string.Empty;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Verified {verdicts.Values.Sum()} row(s): {verdicts.GetValueOrDefault(ImportVerdict.Same)} the same in the vault, {differ} differ, {missing} not in the vault{clearedText}.")).ConfigureAwait(false);
        return differ + missing > 0 ? 1 : 0;

        async Task<long> ClearAsync(List<SourceRow> rows, CancellationToken token)
        {
            var done = 0L;
            if (settings.NullSource && rows.Count > 0)
            {
                done = await source.ClearAsync(rows, token).ConfigureAwait(false);
            }

            rows.Clear();
            progress.Report(new ImportProgress("verified", source.Done, source.Total, _rows, verdicts.GetValueOrDefault(ImportVerdict.Same)));
            return done;
        }
    }

    /// <summary>The source's rows that hold something to import, each remembered until its result comes back.</summary>
    private async IAsyncEnumerable<ImportRow> RowsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _pending.Clear();
        _emptyRows.Clear();
        await foreach (var page in source.PagesAsync(settings.Batch, cancellationToken).ConfigureAwait(false))
        {
            _rows += page.Count;
            foreach (var row in page)
            {
                if (row.Row is null)
                {
                    _empty++;
                    if (settings.Mapping is not null)
                    {
                        _emptyRows.Add(row.Id);
                    }

                    continue;
                }

                _pending.Enqueue(row);
                yield return row.Row;
            }
        }
    }

    /// <summary>An earlier run's mapping: each source id's token.</summary>
    private static Dictionary<string, string> ReadMapping(string path)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromFile(path);
        foreach (var row in reader)
        {
            tokens[row[0].ToString()] = row[1].ToString();
        }

        return tokens;
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
