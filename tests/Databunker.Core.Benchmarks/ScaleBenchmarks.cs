using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>Get by email as the vault grows to 10,000, 100,000 and 1,000,000 persons, and the bytes each person takes on disk.</summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class ScaleBenchmarks
{
    private static readonly string Figures = Path.Combine(Path.GetTempPath(), "databunker-bench-scale");
    private string _folder = string.Empty;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private int _next;

    [Params(10_000, 100_000, 1_000_000)]
    public int Persons { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "vault.db");
        (_services, _vault) = await VaultBenchmarks.Open(path);
        for (var first = 0; first < Persons; first += 10_000)
        {
            await _vault.CreatePersonsAsync(Enumerable.Range(first, Math.Min(10_000, Persons - first)).Select(VaultBenchmarks.Profile));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        Directory.CreateDirectory(Figures);
        var bytes = new FileInfo(path).Length;
        await File.WriteAllTextAsync(Path.Combine(Figures, $"{Persons}.txt"), (bytes / (double)Persons).ToString("F0", CultureInfo.InvariantCulture));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task<PersonRecord?> Vault_GetByEmail()
    {
        _next = (_next + 7_919) % Persons;
        return _vault.GetPersonAsync(PersonLookup.ByEmail(VaultBenchmarks.Email(_next)));
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new BytesPerPerson());
    }

    /// <summary>The database file's size after the setup's checkpoint, divided by the persons in it (profile, key, index and audit rows).</summary>
    private sealed class BytesPerPerson : IColumn
    {
        public string Id => nameof(BytesPerPerson);

        public string ColumnName => "Bytes/person";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Database file bytes per stored person, all tables included";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var persons = benchmarkCase.Parameters["Persons"];
            var file = Path.Combine(Figures, $"{persons}.txt");
            return File.Exists(file) ? File.ReadAllText(file) : "?";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
