using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Consolidation's import (issue 33) beside the bulk create it is measured against: the same rows (one million unless
/// <c>DATABUNKER_BENCH_IMPORT_ROWS</c> says otherwise) into a new SQLite vault, once by <see cref="IVaultImporter"/> in
/// batches of 1,000 (each row's token derived from its id, the batch's known tokens looked up, duplicates checked) and
/// once by <see cref="IPersonalDataVault.CreatePersonsAsync"/> in calls of 1,000. Each invocation is one whole load.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3, invocationCount: 1)]
[MemoryDiagnoser]
public class ImportBenchmarks
{
    private const int Batch = 1000;
    private static readonly int Rows = Environment.GetEnvironmentVariable("DATABUNKER_BENCH_IMPORT_ROWS") is { Length: > 0 } rows
        ? int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture)
        : 1_000_000;

    private string _folder = string.Empty;
    private ServiceProvider _services = null!;

    [IterationSetup]
    public void NewVault()
    {
        _folder = Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var services = new ServiceCollection();
        services.AddDatabunker(o => o.DefaultActor = "bench")
            .UseSqlite($"Data Source={Path.Combine(_folder, "vault.db")}")
            .UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _services = services.BuildServiceProvider();
        _services.GetRequiredService<IVaultAdministration>().InitializeAsync().GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void DropVault()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> BulkCreate()
    {
        var vault = _services.GetRequiredService<IPersonalDataVault>();
        var made = 0;
        foreach (var chunk in Enumerable.Range(0, Rows).Chunk(Batch))
        {
            made += (await vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile))).Count;
        }

        return made;
    }

    [Benchmark]
    public async Task<int> Import()
    {
        var summary = await _services.GetRequiredService<IVaultImporter>().ImportAsync(SourceRows(), new ImportOptions { Name = "bench", BatchSize = Batch });
        return summary.Created == Rows ? Rows : throw new InvalidOperationException($"The import made {summary.Created} of {Rows} persons.");
    }

    private static async IAsyncEnumerable<ImportRow> SourceRows([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < Rows; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ImportRow(i.ToString(System.Globalization.CultureInfo.InvariantCulture), VaultBenchmarks.Profile(i));
        }

        await Task.CompletedTask;
    }
}
