using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Databunker.Core;
using Databunker.Core.Export;
using Databunker.Core.Keys;
using Databunker.Core.PostgreSql;
using Databunker.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Tool;

/// <summary>
/// The <c>databunker</c> command line: the operator's jobs on a vault that should not need code. Every command that
/// opens a vault takes its storage (<c>--sqlite</c> or <c>--postgresql</c>) and its master key (an environment
/// variable or a file, never the key itself on the command line, where the shell history and <c>ps</c> would keep it).
/// Exit codes: 0 done, 1 the check failed (audit chain broken), 2 the vault could not be opened or the input is wrong,
/// the command line included (an unknown option, a missing argument). Only <c>init</c> creates a vault.
/// </summary>
internal static partial class DatabunkerTool
{
    private const int Failed = 1;
    private const int Refused = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool terminal, CancellationToken cancellationToken)
    {
        var root = Build(output, error, terminal);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var parsed = root.Parse(args);
        var code = await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);

        // System.CommandLine reports a usage error (and shows the help) with 1, which this tool keeps for a failed check.
        return parsed.Errors.Count > 0 ? Refused : code;
    }

    public static RootCommand Build(TextWriter output, TextWriter error, bool terminal)
    {
        var vault = new VaultOptions();
        var root = new RootCommand("Operator's tool for a Databunker.Core vault.");

        var init = new Command("init", "Create a new, empty vault and its keys under the master key; the other commands never create one.");
        vault.AddTo(init);
        init.SetAction((result, cancellationToken) => RunAsync(result, vault, error, async services =>
        {
            await services.GetRequiredService<IVaultAdministration>().InitializeAsync(cancellationToken).ConfigureAwait(false);
            var schema = await services.GetRequiredService<IVaultStore>().GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            var where = vault.SqliteFileOf(result) is { } file ? $" in {Path.GetFullPath(file)}" : string.Empty;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Created a new vault{where} at schema version {schema}.")).ConfigureAwait(false);
            return 0;
        }, create: true));
        root.Subcommands.Add(init);

        var keyFile = new Option<FileInfo?>("--file") { Description = "Write the key (base64) to this file, readable by its owner only, instead of printing it." };
        var generate = new Command("generate", "Generate a new master key: 32 random bytes, printed as base64.") { keyFile };
        generate.SetAction(result => GenerateKey(result.GetValue(keyFile), output, error));

        var previousEnv = new Option<string?>("--previous-key-env") { Description = "The environment variable holding the previous master key (base64)." };
        var previousFile = new Option<FileInfo?>("--previous-key-file") { Description = "The file holding the previous master key." };
        var previousVersion = new Option<int>("--previous-key-version") { Description = "The version number of the previous master key.", Required = true };
        var rewrap = new Command("rewrap", "Re-wrap every key under the current master key version, with a progress display.");
        vault.AddTo(rewrap);
        rewrap.Options.Add(previousEnv);
        rewrap.Options.Add(previousFile);
        rewrap.Options.Add(previousVersion);
        rewrap.SetAction((result, cancellationToken) => RunAsync(result, vault, error, async services =>
        {
            var progress = new ProgressWriter(output, terminal);
            var done = await services.GetRequiredService<IVaultAdministration>().RewrapKeysAsync(progress, cancellationToken).ConfigureAwait(false);
            progress.Finish();
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Re-wrapped {done.Rewrapped} key(s) to master key version {done.TargetKeyVersion}; {done.Remaining} left.")).ConfigureAwait(false);
            return done.Remaining == 0 ? 0 : Failed;
        }, services => services.AddPreviousKey(result.GetValue(previousEnv), result.GetValue(previousFile), result.GetValue(previousVersion))));

        var retireVersion = new Option<int>("--version") { Description = "The master key version to retire.", Required = true };
        var retire = new Command("retire", "Retire an old master key version once no key is wrapped under it (after a rewrap).") { retireVersion };
        vault.AddTo(retire);
        retire.SetAction((result, cancellationToken) => RunAsync(result, vault, error, async services =>
        {
            var version = result.GetValue(retireVersion).ToString(CultureInfo.InvariantCulture);
            await services.GetRequiredService<IVaultAdministration>().RetireKeyVersionAsync(version, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Master key version {version} is retired: no key is wrapped under it.").ConfigureAwait(false);
            return 0;
        }));

        root.Subcommands.Add(new Command("key", "Master keys.") { generate, rewrap, retire });

        var stats = new Command("stats", "Show the vault's statistics: schema version, audit events, keys to rewrap, due-work backlog.");
        vault.AddTo(stats);
        stats.SetAction((result, cancellationToken) => RunAsync(result, vault, error, services => StatisticsAsync(services, output, cancellationToken)));

        var compact = new Command("compact", "Compact the storage, so that forgotten persons' old pages leave the disk.");
        vault.AddTo(compact);
        compact.SetAction((result, cancellationToken) => RunAsync(result, vault, error, async services =>
        {
            var complete = await services.GetRequiredService<IVaultAdministration>().CompactAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(complete ? "Compacted." : "Compacted in part: a reader held old pages; run it again later.").ConfigureAwait(false);
            return 0;
        }));

        var person = new PersonOptions();
        var exportFile = new Option<FileInfo?>("--output") { Description = "Write the export to this file (created, readable by its owner only) instead of the standard output." };
        var export = new Command("export", "Export everything the vault holds about one person, as JSON (a subject-access request).") { exportFile };
        person.AddTo(export);
        vault.AddTo(export);
        export.SetAction((result, cancellationToken) => RunAsync(result, vault, error, async services =>
        {
            var exporter = services.GetRequiredService<IPersonExporter>();
            var token = await person.FindAsync(result, services, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(exportFile) is { } file)
            {
                var stream = OwnerOnly(file.FullName);
                await using (stream.ConfigureAwait(false))
                {
                    await exporter.ExportAsync(token, stream, cancellationToken).ConfigureAwait(false);
                }

                await output.WriteLineAsync($"Exported to {file.FullName}.").ConfigureAwait(false);
                return 0;
            }

            using var buffer = new MemoryStream();
            await exporter.ExportAsync(token, buffer, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false);
            return 0;
        }));

        var verify = new Command("verify", "Verify the audit trail's hash chain from its first event to its head.");
        vault.AddTo(verify);
        verify.SetAction((result, cancellationToken) => RunAsync(result, vault, error, async services =>
        {
            var check = await services.GetRequiredService<IVaultAdministration>().VerifyAuditTrailAsync(null, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(check.IsIntact
                ? string.Create(CultureInfo.InvariantCulture, $"The audit chain is intact: {check.EventsChecked} event(s) checked, head {check.Head.Sequence}.")
                : string.Create(CultureInfo.InvariantCulture, $"The audit chain is broken at sequence {check.FirstBrokenSequence}: {check.Problem}")).ConfigureAwait(false);
            return check.IsIntact ? 0 : Failed;
        }));
        root.Subcommands.Add(new Command("audit", "The audit trail.") { verify });

        var catalogFile = new Option<FileInfo>("--catalog")
        {
            Description = "The host's privacy catalogue: its appsettings.json (the Databunker:Privacy section is read) or a JSON file of that section alone.",
            Required = true,
        };
        var minimisation = new Command(
            "minimisation",
            "Report per profile field who holds it, which purposes need it, and who holds it with no purpose or past retention.") { catalogFile };
        vault.AddTo(minimisation);
        minimisation.SetAction((result, cancellationToken) => RunAsync(
            result,
            vault,
            error,
            async services => await WriteMinimisationAsync(await services.GetRequiredService<IVaultAdministration>().GetMinimisationReportAsync(cancellationToken).ConfigureAwait(false), output).ConfigureAwait(false),
            more: builder => builder.Services.Configure<DatabunkerOptions>(o => ReadCatalog(result.GetValue(catalogFile)!, o.Privacy))));
        root.Subcommands.Add(minimisation);

        var from = new Option<string>("--from-sqlite") { Description = "The SQLite vault to copy, as a connection string (Data Source=vault.db).", Required = true };
        var to = new ConnectionStringOption("to-postgresql", "the PostgreSQL connection string of the empty target (its schema must exist)");
        var copy = new Command("copy", "Copy a SQLite vault to PostgreSQL: every row as stored, keys and audit chain included.") { from };
        to.AddTo(copy);
        copy.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var target = to.Read(result) ?? throw new ArgumentException($"Name the target with one of {to.Names}.");
                var progress = new ProgressWriter(output, terminal);
                var report = await SqliteToPostgreSqlCopy.CopyAsync(result.GetValue(from)!, target, progress, cancellationToken).ConfigureAwait(false);
                progress.Finish();
                foreach (var (table, rows) in report.RowsPerTable)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{table,-24} {rows,10}")).ConfigureAwait(false);
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Copied {report.TotalRows} row(s).")).ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ex is DatabunkerException or ArgumentException)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return Refused;
            }
        });
        root.Subcommands.Add(copy);
        root.Subcommands.Add(ScanCommand(output, error, terminal));
        root.Subcommands.Add(ImportCommand(output, error, terminal));
        root.Subcommands.Add(TokenizeCommand(output, error, terminal));
        root.Subcommands.Add(stats);
        root.Subcommands.Add(compact);
        root.Subcommands.Add(export);
        return root;
    }

    private static int GenerateKey(FileInfo? file, TextWriter output, TextWriter error)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var text = Convert.ToBase64String(key);
        CryptographicOperations.ZeroMemory(key);
        if (file is null)
        {
            output.WriteLine(text);
            return 0;
        }

        try
        {
            using var stream = OwnerOnly(file.FullName);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }
        catch (IOException ex)
        {
            error.WriteLine($"Cannot write {file.FullName}: {ex.Message} (an existing file is never overwritten).");
            return Refused;
        }

        output.WriteLine($"Wrote a new master key to {file.FullName} (owner read and write only).");
        return 0;
    }

    private static async Task<int> StatisticsAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var administration = services.GetRequiredService<IVaultAdministration>();
        await administration.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var schema = await services.GetRequiredService<IVaultStore>().GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
        var chain = await services.GetRequiredService<IAuditStore>().GetAuditChainAsync(cancellationToken).ConfigureAwait(false);
        var current = services.GetRequiredService<IKeyProvider>().CurrentKeyVersion;
        var stale = await services.GetRequiredService<IDataKeyStore>().CountDataKeysNotUnderAsync(current, cancellationToken).ConfigureAwait(false);
        var backlog = await administration.GetDueWorkBacklogAsync(cancellationToken).ConfigureAwait(false);
        var lines = new[]
        {
            $"Schema version:              {schema}",
            $"Audit events:                {chain.Events} (chained {chain.Stripes.Sum(s => s.HeadSequence)} in {chain.Stripes.Count} stripe(s))",
            $"Current master key version:  {current}",
            $"Data keys under older keys:  {stale}",
            $"Earliest due expiration:     {(backlog.EarliestDue is { } due ? due.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "none")}",
            $"Overdue by:                  {backlog.Overdue.ToString("c", CultureInfo.InvariantCulture)}",
        };
        foreach (var line in lines)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Binds the catalogue as the host's configuration binds it: the Databunker:Privacy section of an appsettings.json, or the file's root.</summary>
    private static void ReadCatalog(FileInfo file, Databunker.Core.Privacy.PrivacyCatalogOptions catalog)
    {
        if (!file.Exists)
        {
            throw new ArgumentException($"The catalogue file {file.FullName} does not exist.");
        }

        var configuration = Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder(), file.FullName, optional: false).Build();
        var section = configuration.GetSection("Databunker:Privacy");
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(section.GetChildren().Any() ? section : configuration, catalog);
    }

    /// <summary>The report as a table, then a verdict; 1 when a field is held without a purpose or past retention.</summary>
    private static async Task<int> WriteMinimisationAsync(MinimisationReport report, TextWriter output)
    {
        var width = Math.Max(5, report.Fields.Select(f => f.Field.Length).DefaultIfEmpty(0).Max());
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{"Field".PadRight(width)}  {"Persons",8}  {"No purpose",10}  {"Past retention",14}  Purposes")).ConfigureAwait(false);
        foreach (var field in report.Fields)
        {
            var purposes = field.Purposes.Count == 0 ? "(none)" : string.Join(", ", field.Purposes);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{field.Field.PadRight(width)}  {field.Persons,8}  {field.WithoutPurpose,10}  {field.PastRetention,14}  {purposes}")).ConfigureAwait(false);
        }

        var over = report.OverCollected.Count();
        var past = report.PastRetention.Count();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{report.Persons} person(s) read; {over} field(s) held though no purpose declares them; {past} field(s) held past every purpose's retention (the next due-work pass deletes them).")).ConfigureAwait(false);
        return over + past > 0 ? Failed : 0;
    }

    /// <summary>Opens the vault the options name, runs <paramref name="work"/>, and turns the library's refusals into exit code 2 with their message.</summary>
    private static async Task<int> RunAsync(
        ParseResult result, VaultOptions vault, TextWriter error, Func<IServiceProvider, Task<int>> work, Action<IDatabunkerBuilder>? more = null, bool create = false)
    {
        try
        {
            await using var services = vault.Open(result, more, create);
            return await work(services).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DatabunkerException or ArgumentException or IOException)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return Refused;
        }
    }

    private static FileStream OwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    private static void AddPreviousKey(this IDatabunkerBuilder builder, string? variable, FileInfo? file, int version)
    {
        if ((variable is null) == (file is null))
        {
            throw new ArgumentException("Give the previous master key with exactly one of --previous-key-env and --previous-key-file.");
        }

        builder.AddPreviousMasterKey(variable is not null ? MasterKeySource.FromEnvironment(variable) : MasterKeySource.FromFile(file!.FullName), version);
    }
}
