using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Databunker.Tool.Scan;

namespace Databunker.Tool;

/// <summary>
/// <c>databunker scan</c>: finds the personal data an application's own database still holds, outside the vault. Exit
/// codes: 0 none found, 1 found (a CI job keeps it out with this), 2 the database could not be read or the input is wrong.
/// </summary>
internal static partial class DatabunkerTool
{
    private static Command ScanCommand(TextWriter output, TextWriter error, bool terminal)
    {
        var sqlite = new Option<string?>("--sqlite") { Description = "The application's SQLite database (Data Source=app.db), opened read-only." };
        var postgreSql = new ConnectionStringOption("postgresql", "the application's PostgreSQL connection string (read in read-only transactions)");
        var full = new Option<bool>("--full") { Description = "Read every row of every table instead of a sample." };
        var sample = new Option<int>("--sample") { Description = "Rows read from each table, unless --full.", DefaultValueFactory = _ => 10_000 };
        var region = new Option<string>("--region") { Description = "The country a national phone number (without +) is read for, as two letters (ISO 3166).", DefaultValueFactory = _ => "US" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var ignore = new Option<string[]>("--ignore") { Description = "A column to leave out of the verdict, as table.column (repeatable): one known and accepted.", AllowMultipleArgumentsPerToken = false };
        var scan = new Command("scan", "Find personal data (emails, phone numbers, card numbers, IBANs, IP addresses, dates of birth, names, addresses) in an application's database, outside the vault.")
        {
            sqlite, full, sample, region, json, ignore,
        };
        postgreSql.AddTo(scan);
        scan.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var file = result.GetValue(sqlite);
                if ((file is null) == !postgreSql.IsGiven(result))
                {
                    throw new ArgumentException($"Name the database with exactly one of --sqlite and --postgresql (or {postgreSql.Names}).");
                }

                var rows = result.GetValue(sample);
                var country = result.GetValue(region)!.ToUpperInvariant();
                if (rows < 1)
                {
                    throw new ArgumentException("--sample must be 1 or more.");
                }

                if (country.Length != 2 || !PhoneNumbers.PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(country))
                {
                    throw new ArgumentException($"--region {country} is not a country code libphonenumber knows (for example GB, DE, US).");
                }

                var options = new ScanOptions(rows, result.GetValue(full), country, DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime));

                // The report goes to the output, the progress to the error stream: a pipe or a file gets the report alone.
                var progress = new ProgressWriter(error, terminal);
                var report = file is not null
                    ? await DatabaseScanner.ScanSqliteAsync(file, options, progress, cancellationToken).ConfigureAwait(false)
                    : await DatabaseScanner.ScanPostgreSqlAsync(postgreSql.Read(result)!, options, progress, cancellationToken).ConfigureAwait(false);
                progress.Finish();
                var ignored = new HashSet<string>(result.GetValue(ignore) ?? [], StringComparer.Ordinal);
                report = report with { Findings = [.. report.Findings.Where(f => !ignored.Contains($"{f.Table}.{f.Column}"))] };
                if (result.GetValue(json))
                {
                    await WriteScanJsonAsync(report, output).ConfigureAwait(false);
                }
                else
                {
                    await WriteScanTableAsync(report, options, output).ConfigureAwait(false);
                }

                if (report.Findings.Count > 0)
                {
                    return Failed;
                }

                // Nothing found, but a table that could not be read may hold anything: not a pass.
                foreach (var skipped in report.Skipped)
                {
                    await error.WriteLineAsync($"The table {skipped.Table} could not be read ({skipped.Skipped}).").ConfigureAwait(false);
                }

                return report.Skipped.Any() ? Refused : 0;
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return Refused;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever else went wrong is no finding (1): the database could not be read. A server's error by its code
                // only, as for a table: its message may quote a value. A connection's or SQLite's own message names the
                // host or the file ("Failed to connect to ...", "unable to open database file"), which the operator needs.
                var code = ex switch
                {
                    Npgsql.PostgresException postgres => " " + postgres.SqlState,
                    Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException => ": " + ex.Message,
                    _ => string.Empty,
                };
                await error.WriteLineAsync($"The database could not be read ({ex.GetType().Name}{code}).").ConfigureAwait(false);
                return Refused;
            }
        });
        return scan;
    }

    private static async Task WriteScanTableAsync(ScanReport report, ScanOptions options, TextWriter output)
    {
        string[] header = ["Table", "Column", "Holds", "Read", "Matched", "Confidence", "Example", "Found by"];
        var lines = report.Findings.Select(f => new[]
        {
            f.Table, f.Column, f.Kind.ToString(), f.Examined.ToString(CultureInfo.InvariantCulture), f.Matched.ToString(CultureInfo.InvariantCulture),
            f.Confidence.ToString().ToLowerInvariant(), f.Sample ?? "-", f.Reason,
        }).ToList();
        if (lines.Count > 0)
        {
            var widths = header.Select((h, i) => lines.Select(l => l[i].Length).Append(h.Length).Max()).ToArray();
            foreach (var line in lines.Prepend(header))
            {
                await output.WriteLineAsync(string.Join("  ", line.Select((cell, i) => i is 3 or 4 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd()).ConfigureAwait(false);
            }
        }

        foreach (var skipped in report.Skipped)
        {
            await output.WriteLineAsync($"Not read: {skipped.Table} ({skipped.Skipped}).").ConfigureAwait(false);
        }

        var read = report.Tables.Sum(t => t.Examined);
        var how = report.Sampled ? string.Create(CultureInfo.InvariantCulture, $" (up to {options.SampleRows} a table; --full reads every row)") : string.Empty;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Read {read} row(s) of {report.Tables.Count} table(s){how}: {report.Findings.Count} column(s) hold personal data outside the vault.")).ConfigureAwait(false);
    }

    private static async Task WriteScanJsonAsync(ScanReport report, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("sampled", report.Sampled);
            writer.WriteStartArray("tables");
            foreach (var table in report.Tables)
            {
                writer.WriteStartObject();
                writer.WriteString("table", table.Table);
                writer.WriteNumber("rows", table.Rows);
                writer.WriteNumber("read", table.Examined);
                if (table.Skipped is { } why)
                {
                    writer.WriteString("notRead", why);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("findings");
            foreach (var finding in report.Findings)
            {
                writer.WriteStartObject();
                writer.WriteString("table", finding.Table);
                writer.WriteString("column", finding.Column);
                writer.WriteString("holds", JsonNamingPolicy.CamelCase.ConvertName(finding.Kind.ToString()));
                writer.WriteNumber("read", finding.Examined);
                writer.WriteNumber("matched", finding.Matched);
                writer.WriteString("confidence", finding.Confidence.ToString().ToLowerInvariant());
                writer.WriteString("example", finding.Sample);
                writer.WriteString("foundBy", finding.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
    }
}
