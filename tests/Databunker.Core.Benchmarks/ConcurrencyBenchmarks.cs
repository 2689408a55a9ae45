using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The vault on SQLite under 1, 2, 4 and 8 concurrent tasks, on 10,000 stored persons: audited get by email and
/// create. BenchmarkDotNet's mean over the calls of an invocation (<see cref="Gets"/> or <see cref="Creates"/>, about
/// half a second each) gives the throughput; each call's latency is
/// also taken, and the p50, p99 and longest call of the last <see cref="Kept"/> calls are printed as a table row
/// (<c>// latency (ms): ...</c> in the run's log; the longest create is the checkpoint-stall row: a checkpoint
/// that stalls a committing call shows there).
/// <para>
/// Each call is one work item on the thread pool, as a request is in ASP.NET Core: a task yields before every
/// call, and the call's latency runs from that moment, so it includes the wait for a thread. On SQLite a call
/// completes without ever yielding; a task that looped without yielding would hold its thread for the whole
/// invocation, and the figures would measure how fast the pool injects threads, not the vault.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class ConcurrencyBenchmarks
{
    private const int Stored = 10_000;
    private const int Gets = 20_000;
    private const int Creates = 2_000;
    private const int Kept = 20_000;
    private readonly Latencies _latencies = new(Kept);
    private BenchStore _store = null!;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private int _next;
    private string _operation = string.Empty;

    [Params(1, 2, 4, 8)]
    public int Tasks { get; set; }

    [GlobalSetup(Target = nameof(GetByEmail))]
    public Task SetupGet()
    {
        _operation = "get by email, audited";
        return SetupAsync();
    }

    [GlobalSetup(Target = nameof(Create))]
    public Task SetupCreate()
    {
        _operation = "create";
        return SetupAsync();
    }

    private async Task SetupAsync()
    {
        _store = BenchStore.Create(BenchStore.Sqlite);
        (_services, _vault) = await _store.OpenVaultAsync();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            await _vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile));
        }

        _next = Stored;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Report();
        _services.Dispose();
        _store.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Gets)]
    public Task GetByEmail() => _latencies.RunAsync(Tasks, Gets, async (_, i) => await _vault.GetPersonAsync(PersonLookup.ByEmail(VaultBenchmarks.Email(i % Stored))));

    [Benchmark(OperationsPerInvoke = Creates)]
    public Task Create() => _latencies.RunAsync(Tasks, Creates, async (_, _) => await _vault.CreatePersonAsync(VaultBenchmarks.Profile(Interlocked.Increment(ref _next))));

    private void Report() => _latencies.Report(_operation, Tasks.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
