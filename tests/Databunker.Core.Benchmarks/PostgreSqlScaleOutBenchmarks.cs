using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Creates on PostgreSQL under concurrency, as a fleet makes them: 16 tasks on one vault instance, 8 tasks on each of
/// two instances (two service providers, two connection pools, one database), and 1 task for scale, each beside the
/// floor's 1 or 16 tasks (one connection each, <see cref="PostgreSqlFloor.CreateAsync"/>: the rows and the audit row
/// in one batch). Each call is a work item of its own, and its latency runs from the moment its task yields; the
/// p50, p99 and longest call of the last <see cref="Kept"/> calls are printed as <c>// latency (ms): ...</c> rows.
/// </summary>
public class PostgreSqlScaleOutBenchmarks
{
    private const int Stored = 10_000;
    private const int Creates = 1_000;
    private const int Kept = 5_000;
    private readonly Latencies _latencies = new(Kept);
    private BenchStore _store = null!;
    private ServiceProvider[] _services = [];
    private IPersonalDataVault[] _vaults = [];
    private PostgreSqlFloor[] _floors = [];
    private int _next;
    private string _side = string.Empty;

    /// <summary>Instances x tasks each.</summary>
    [Params("1x1", "1x16", "2x8")]
    public string Shape { get; set; } = "1x1";

    private int Instances => int.Parse(Shape.Split('x')[0], CultureInfo.InvariantCulture);

    private int Tasks => Instances * int.Parse(Shape.Split('x')[1], CultureInfo.InvariantCulture);

    [GlobalSetup(Target = nameof(Floor_Create))]
    public async Task SetupFloor()
    {
        _side = "floor";
        _store = BenchStore.Create(BenchStore.PostgreSql);
        _floors = new PostgreSqlFloor[Tasks];
        for (var i = 0; i < _floors.Length; i++)
        {
            _floors[i] = (PostgreSqlFloor)await _store.OpenFloorAsync();
        }

        _floors[0].CreateMany([.. Enumerable.Range(0, Stored).Select(i => (VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i)))]);
        _next = Stored;
        _store.Quiesce();
    }

    [GlobalSetup(Target = nameof(Vault_Create))]
    public async Task SetupVault()
    {
        _side = "vault";
        _store = BenchStore.Create(BenchStore.PostgreSql);
        _services = new ServiceProvider[Instances];
        _vaults = new IPersonalDataVault[Instances];
        for (var i = 0; i < Instances; i++)
        {
            (_services[i], _vaults[i]) = await _store.OpenVaultAsync(o => o.ReadAuditWindow = 0);
        }

        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            await _vaults[0].CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile));
        }

        _next = Stored;
        _store.Quiesce();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Report();
        foreach (var services in _services)
        {
            services.Dispose();
        }

        foreach (var floor in _floors)
        {
            floor.Dispose();
        }

        _store.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Creates)]
    public Task Floor_Create() => _latencies.RunAsync(Tasks, Creates, async (task, _) =>
    {
        var i = Interlocked.Increment(ref _next);
        await _floors[task].CreateAsync(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i));
    });

    [Benchmark(OperationsPerInvoke = Creates)]
    public Task Vault_Create() => _latencies.RunAsync(Tasks, Creates, async (task, _) =>
        await _vaults[task % Instances].CreatePersonAsync(VaultBenchmarks.Profile(Interlocked.Increment(ref _next))));

    private void Report() => _latencies.Report("create, " + _side, Shape);
}
