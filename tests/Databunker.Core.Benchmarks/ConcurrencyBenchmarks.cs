using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The vault on SQLite under 1, 2, 4 and 8 concurrent tasks, on 10,000 stored persons: audited get by email and
/// create. BenchmarkDotNet's mean over <see cref="Operations"/> calls gives the throughput; each call's latency is
/// also taken, and the p50, p99 and longest call of the last ten iterations are printed as a table row
/// (<c>// latency (ms): ...</c> in the run's log; the longest create is the checkpoint-stall row: a checkpoint
/// that stalls a committing call shows there).
/// </summary>
[MemoryDiagnoser]
public class ConcurrencyBenchmarks
{
    private const int Stored = 10_000;
    private const int Operations = 2_000;
    private readonly List<double> _latencies = [];
    private BenchStore _store = null!;
    private ServiceProvider _services = null!;
    private IPersonalDataVault _vault = null!;
    private int _next;
    private string _operation = string.Empty;

    [Params(1, 2, 4, 8)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _store = BenchStore.Create(BenchStore.Sqlite);
        (_services, _vault) = await _store.OpenVaultAsync();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            await _vault.CreateUsersAsync(chunk.Select(VaultBenchmarks.Profile));
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

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task GetByEmail() => RunAsync(async i => await _vault.GetUserAsync(UserLookup.ByEmail(VaultBenchmarks.Email(i % Stored))));

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task Create() => RunAsync(async _ => await _vault.CreateUserAsync(VaultBenchmarks.Profile(Interlocked.Increment(ref _next))));

    private async Task RunAsync(Func<int, Task> operation)
    {
        var perTask = Operations / Tasks;
        var timings = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var mine = new double[perTask];
            for (var n = 0; n < perTask; n++)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(t * perTask + n);
                mine[n] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            return mine;
        })));

        // Only the latest calls count: the warm-up iterations' are dropped as the window moves on.
        lock (_latencies)
        {
            foreach (var mine in timings)
            {
                _latencies.AddRange(mine);
            }

            if (_latencies.Count > Operations * 10)
            {
                _latencies.RemoveRange(0, _latencies.Count - Operations * 10);
            }
        }
    }

    private void Report()
    {
        if (_latencies.Count == 0)
        {
            return;
        }

        var sorted = _latencies.Order().ToArray();
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"| {_operation} | {Tasks} | {sorted[(int)(sorted.Length * 0.50)]:F3} | {sorted[(int)(sorted.Length * 0.99)]:F3} | {sorted[^1]:F3} | {sorted.Length} |");
        Console.WriteLine($"// latency (ms): {line}");
    }

    [IterationSetup(Target = nameof(GetByEmail))]
    public void NameGet() => _operation = "get by email, audited";

    [IterationSetup(Target = nameof(Create))]
    public void NameCreate() => _operation = "create";
}
