using System.Runtime.CompilerServices;
using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Privacy;
using Databunker.Core.Profiles;

namespace Databunker.Core;

/// <summary>
/// Moves personal data that an application's own database holds into the vault (consolidation): each source row becomes a
/// person, in batches, and is given a token derived from the import's name and the row's id. A run that stops (a crash,
/// a kill, a cancellation) is run again with the same name and the same rows: the rows made before are found and skipped,
/// so every row ends as exactly one person, and a person forgotten since is never made again. Two rows with one email (or
/// login, phone, custom value) are reported, not merged: the first stays, the second is left out.
/// </summary>
[Diagnostics.Instrumented("import")]
public interface IVaultImporter
{
    /// <summary>
    /// Imports <paramref name="rows"/>, in batches of <see cref="ImportOptions.BatchSize"/>, each batch one transaction,
    /// and hands each batch's results to <paramref name="batchDone"/> once the batch is committed (to write each row's
    /// token somewhere, or to report the rows left out). A row's app data is written after its person, only where the
    /// person has no document for that application yet, so a run again never overwrites newer data.
    /// </summary>
    /// <param name="rows">The source rows; their ids must be stable from one run to the next.</param>
    /// <param name="options">The import's name, batch size, and whether it is a dry run.</param>
    /// <param name="batchDone">Called with each batch's results, in the order of <paramref name="rows"/>; optional. The import goes on when it returns.</param>
    /// <param name="cancellationToken">Stops between batches; a batch is committed whole or not at all.</param>
    /// <returns>How many rows came to each outcome.</returns>
    /// <exception cref="ArgumentException">The options or a row's id are not valid.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; run the import again to resume.</exception>
    Task<ImportSummary> ImportAsync(
        IAsyncEnumerable<ImportRow> rows, ImportOptions options, Func<IReadOnlyList<ImportResult>, CancellationToken, Task>? batchDone = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-reads the person (and app data) of every row and compares it with the row, so that the source may be cleared only
    /// where the vault holds the same. Each read is audited for the vault's own purpose, <see cref="Purposes.DataProtection"/>.
    /// </summary>
    /// <param name="rows">The source rows, as given to <see cref="ImportAsync"/>.</param>
    /// <param name="options">The import's name (the batch size sets how many rows are compared at a time).</param>
    /// <param name="batchDone">Called with each batch's verdicts, in the order of <paramref name="rows"/>; optional.</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    /// <returns>How many rows came to each verdict.</returns>
    /// <exception cref="ArgumentException">The options or a row's id are not valid.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed.</exception>
    Task<ImportVerificationSummary> VerifyAsync(
        IAsyncEnumerable<ImportRow> rows, ImportOptions options, Func<IReadOnlyList<ImportVerification>, CancellationToken, Task>? batchDone = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The tokens an import gives these source rows, whether or not it has made them yet: how rows of another table that
    /// refer to an imported row (an order's customer id) find its person, for example to tokenize their values for them.
    /// </summary>
    /// <param name="importName">The import's name (<see cref="ImportOptions.Name"/>).</param>
    /// <param name="sourceIds">The rows' ids in the source.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tokens, in the order of <paramref name="sourceIds"/>.</returns>
    /// <exception cref="ArgumentException">The name or an id is not valid.</exception>
    Task<IReadOnlyList<Guid>> GetTokensAsync(string importName, IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default);
}

/// <summary>One source row: its id in the source and what it holds, mapped to a profile and app data.</summary>
/// <param name="SourceId">The row's id in the source (its primary key, or its line): stable from one run to the next, at most 1,000 characters.</param>
/// <param name="Profile">The person's profile, a JSON object, as for <see cref="IPersonalDataVault.CreatePersonAsync"/>.</param>
public sealed record ImportRow(string SourceId, JsonElement Profile)
{
    /// <summary>Documents for registered applications (<see cref="AppDataOptions.Register"/>), by application name; none when <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, JsonElement>? AppData { get; init; }

    /// <summary>Names the row's id, never what it holds.</summary>
    public override string ToString() => $"ImportRow {{ SourceId = {SourceId} }}";
}

/// <summary>Options of one import.</summary>
public sealed class ImportOptions
{
    /// <summary>
    /// The import's name, which with each row's id makes its token: run again under the same name to resume. A second
    /// import of the same rows under another name would make them again. 1 to 200 characters.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>How many rows one transaction creates; 1 to <see cref="DatabunkerOptions.MaxBatchItems"/>.</summary>
    /// <value>1,000.</value>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Check every row (the vault's input checks, duplicates in the batch and in the vault) and write nothing.</summary>
    public bool DryRun { get; init; }
}

/// <summary>What became of a row.</summary>
public enum ImportOutcome
{
    /// <summary>The row is now a person (in a dry run: would be).</summary>
    Created,

    /// <summary>An earlier run made the row's person (who may have been forgotten since): nothing was written.</summary>
    AlreadyImported,

    /// <summary>
    /// Another row of the import, or a stored person, holds one of the row's indexed values (<see cref="ImportResult.Index"/>),
    /// or the row's id was given twice (<c>id</c>): left out, not merged.
    /// </summary>
    Duplicate,

    /// <summary>The vault refused the row's profile or one of its app documents (<see cref="ImportResult.Reason"/>): left out.</summary>
    Refused,
}

/// <summary>A row's result.</summary>
/// <param name="SourceId">The row's id in the source.</param>
/// <param name="Token">The person's token: the one made, the one made before, or for a row left out the one it would get.</param>
/// <param name="Outcome">What became of the row.</param>
public sealed record ImportResult(string SourceId, Guid Token, ImportOutcome Outcome)
{
    /// <summary>For a duplicate, the index whose value is taken (<c>login</c>, <c>email</c>, <c>phone</c>, <c>custom</c>), or <c>id</c>.</summary>
    public string? Index { get; init; }

    /// <summary>For a duplicate, the token of the person (or earlier row) that holds the value.</summary>
    public Guid? HeldBy { get; init; }

    /// <summary>For a refused row, the vault's reason; it names no value.</summary>
    public string? Reason { get; init; }
}

/// <summary>How many rows of an import came to each outcome.</summary>
/// <param name="Created">Rows made persons (in a dry run: that would be).</param>
/// <param name="AlreadyImported">Rows an earlier run made.</param>
/// <param name="Duplicates">Rows left out as duplicates.</param>
/// <param name="Refused">Rows the vault refused.</param>
public sealed record ImportSummary(long Created, long AlreadyImported, long Duplicates, long Refused)
{
    /// <summary>Rows left out: duplicates and refused.</summary>
    public long LeftOut => Duplicates + Refused;
}

/// <summary>How many rows of a verify came to each verdict.</summary>
/// <param name="Same">Rows the vault holds as they are.</param>
/// <param name="Differs">Rows whose person differs.</param>
/// <param name="Missing">Rows with no person.</param>
public sealed record ImportVerificationSummary(long Same, long Differs, long Missing);

/// <summary>How a row compares with what the vault holds.</summary>
public enum ImportVerdict
{
    /// <summary>The person's profile and every app document of the row are as the row has them.</summary>
    Same,

    /// <summary>The person is there, but their profile or an app document differs from the row (changed since, or not written).</summary>
    Differs,

    /// <summary>The row has no person: left out (a duplicate, refused), not imported yet, or forgotten since.</summary>
    Missing,
}

/// <summary>A row's verdict.</summary>
/// <param name="SourceId">The row's id in the source.</param>
/// <param name="Token">The row's token.</param>
/// <param name="Verdict">How the row compares with the vault.</param>
public sealed record ImportVerification(string SourceId, Guid Token, ImportVerdict Verdict);

/// <summary>The importer; it lives at the root, where the modules are composed, as it writes profiles and app data.</summary>
internal sealed class VaultImporter(PersonalDataVault profiles, IPersonalDataVault vault, IAppDataManager appData, Microsoft.Extensions.Options.IOptions<DatabunkerOptions> vaultOptions) : IVaultImporter
{
    private const int MaxNameLength = 200;
    private const int MaxSourceIdLength = 1000;

    public async Task<ImportSummary> ImportAsync(
        IAsyncEnumerable<ImportRow> rows, ImportOptions options, Func<IReadOnlyList<ImportResult>, CancellationToken, Task>? batchDone = null, CancellationToken cancellationToken = default)
    {
        Check(rows, options);
        var run = new ImportRunState();
        var counts = new long[Enum.GetValues<ImportOutcome>().Length];
        await foreach (var batch in BatchesAsync(rows, options.BatchSize, cancellationToken).ConfigureAwait(false))
        {
            // A row whose app data the vault would refuse is refused whole, before its person is made.
            var (tokens, outcomes) = await profiles.ImportBatchAsync(
                options.Name, batch.ConvertAll(r => r.SourceId), batch.ConvertAll(r => r.Profile), batch.ConvertAll(AppDataRefusal), options.DryRun, run, cancellationToken).ConfigureAwait(false);
            var results = new List<ImportResult>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var outcome = outcomes[i];
                if (!options.DryRun && outcome.Outcome is ImportOutcome.Created or ImportOutcome.AlreadyImported && batch[i].AppData is { Count: > 0 } documents)
                {
                    await WriteAppDataAsync(tokens[i], documents, cancellationToken).ConfigureAwait(false);
                }

                counts[(int)outcome.Outcome]++;
                results.Add(new ImportResult(batch[i].SourceId, tokens[i], outcome.Outcome) { Index = outcome.Index, HeldBy = outcome.HeldBy, Reason = outcome.Reason });
            }

            if (batchDone is not null)
            {
                await batchDone(results, cancellationToken).ConfigureAwait(false);
            }
        }

        return new ImportSummary(
            counts[(int)ImportOutcome.Created], counts[(int)ImportOutcome.AlreadyImported], counts[(int)ImportOutcome.Duplicate], counts[(int)ImportOutcome.Refused]);
    }

    /// <summary>Why the vault would refuse one of the row's app documents, or <see langword="null"/>: an application not registered, or a document not an object or too large.</summary>
    private string? AppDataRefusal(ImportRow row)
    {
        foreach (var (app, document) in row.AppData ?? new Dictionary<string, JsonElement>())
        {
            if (!vaultOptions.Value.AppData.Apps.TryGetValue(app, out var registration))
            {
                return $"The application {app} is not registered (AppDataOptions.Register).";
            }

            try
            {
                ProfileCodec.Validate(document, registration.MaxDocumentBytes, nameof(row), "document");
            }
            catch (VaultInputException ex)
            {
                return ex.Message;
            }
        }

        return null;
    }

    public async Task<ImportVerificationSummary> VerifyAsync(
        IAsyncEnumerable<ImportRow> rows, ImportOptions options, Func<IReadOnlyList<ImportVerification>, CancellationToken, Task>? batchDone = null, CancellationToken cancellationToken = default)
    {
        Check(rows, options);
        var counts = new long[Enum.GetValues<ImportVerdict>().Length];
        await foreach (var batch in BatchesAsync(rows, options.BatchSize, cancellationToken).ConfigureAwait(false))
        {
            var tokens = await profiles.ImportTokensAsync(options.Name, batch.ConvertAll(r => r.SourceId), cancellationToken).ConfigureAwait(false);
            var verdicts = new List<ImportVerification>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var verdict = await VerdictAsync(batch[i], tokens[i], cancellationToken).ConfigureAwait(false);
                counts[(int)verdict]++;
                verdicts.Add(new ImportVerification(batch[i].SourceId, tokens[i], verdict));
            }

            if (batchDone is not null)
            {
                await batchDone(verdicts, cancellationToken).ConfigureAwait(false);
            }
        }

        return new ImportVerificationSummary(counts[(int)ImportVerdict.Same], counts[(int)ImportVerdict.Differs], counts[(int)ImportVerdict.Missing]);
    }

    public async Task<IReadOnlyList<Guid>> GetTokensAsync(string importName, IReadOnlyList<string> sourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        CheckName(importName, nameof(importName));
        if (sourceIds.Any(id => string.IsNullOrEmpty(id) || id.Length > MaxSourceIdLength))
        {
            throw new ArgumentException($"A source id is 1 to {MaxSourceIdLength} characters.", nameof(sourceIds));
        }

        return await profiles.ImportTokensAsync(importName, sourceIds, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ImportVerdict> VerdictAsync(ImportRow row, Guid token, CancellationToken cancellationToken)
    {
        var person = await vault.GetPersonForPurposeAsync(PersonLookup.ByToken(token), Purposes.DataProtection, cancellationToken).ConfigureAwait(false);
        if (person is null)
        {
            return ImportVerdict.Missing;
        }

        if (!JsonElement.DeepEquals(person.Profile, row.Profile))
        {
            return ImportVerdict.Differs;
        }

        foreach (var (app, document) in row.AppData ?? new Dictionary<string, JsonElement>())
        {
            var stored = await appData.GetForPurposeAsync(token, app, Purposes.DataProtection, cancellationToken).ConfigureAwait(false);
            if (stored is null || !JsonElement.DeepEquals(stored.Data, document))
            {
                return ImportVerdict.Differs;
            }
        }

        return ImportVerdict.Same;
    }

    /// <summary>Writes each document the person has none of yet: a run again leaves one written since as it is.</summary>
    private async Task WriteAppDataAsync(Guid token, IReadOnlyDictionary<string, JsonElement> documents, CancellationToken cancellationToken)
    {
        foreach (var (app, document) in documents)
        {
            try
            {
                await appData.PutAsync(token, app, document, expectedVersion: 0, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is VersionConflictException or PersonNotFoundException)
            {
                // There already (a run before this one wrote it), or the person was forgotten since.
            }
        }
    }

    private void Check(IAsyncEnumerable<ImportRow> rows, ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        CheckName(options.Name, nameof(options));

        if (options.BatchSize < 1 || options.BatchSize > vaultOptions.Value.MaxBatchItems)
        {
            throw new ArgumentException($"An import's batch size is 1 to {vaultOptions.Value.MaxBatchItems} (DatabunkerOptions.MaxBatchItems), not {options.BatchSize}.", nameof(options));
        }
    }

    private static void CheckName(string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            throw new ArgumentException($"An import's name is 1 to {MaxNameLength} characters, not blank.", paramName);
        }
    }

    private static async IAsyncEnumerable<List<ImportRow>> BatchesAsync(IAsyncEnumerable<ImportRow> rows, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<ImportRow>(size);
        var line = 0L;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            line++;
            if (row is null || string.IsNullOrEmpty(row.SourceId) || row.SourceId.Length > MaxSourceIdLength)
            {
                throw new ArgumentException($"Row {line} of the import has no id, or one longer than {MaxSourceIdLength} characters.", nameof(rows));
            }

            batch.Add(row);
            if (batch.Count == size)
            {
                yield return batch;
                batch = new List<ImportRow>(size);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>Registers the importer.</summary>
    public static void Register(IServiceCollection services) => Diagnostics.Instrumented.AddVaultImporter<VaultImporter>(services);
}
