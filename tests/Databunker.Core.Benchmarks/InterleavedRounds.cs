using System.Diagnostics;
using System.Globalization;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The vault beside the PostgreSQL floor in interleaved rounds (<c>dotnet run ... -- rounds</c>): each round runs a
/// block of calls on one side and then the same block on the other, the order alternating from round to round, so that
/// a durable commit's cost drifting from one minute to the next (0.2 to 0.9 ms on this machine's disk) weighs on both
/// sides alike; BenchmarkDotNet runs the two minutes apart. Every call's audit event commits before it returns
/// (<see cref="DatabunkerOptions.ReadAuditWindow"/> 0). Prints one Markdown row per operation and shape: calls per
/// second of each side, the vault's share of the floor's, each side's p50 and p99 latency, and the CPU time this
/// process (the client, not the server) spent per call on each side. For a profile, <c>DATABUNKER_ROUNDS_ONLY</c> names the
/// operations to run (comma-separated, an operation or an operation and its shape, e.g. <c>tokenize,create/16</c>) and <c>DATABUNKER_ROUNDS_SIDE=vault</c> or
/// <c>floor</c> runs one side only.
/// </summary>
internal static class InterleavedRounds
{
    private const int Stored = 10_000;

    public static async Task RunAsync(int rounds, int block)
    {
        using var store = BenchStore.Create(BenchStore.PostgreSql);
        var instances = new List<(ServiceProvider Services, IPersonalDataVault Vault)>();
        for (var i = 0; i < 2; i++)
        {
            instances.Add(await store.OpenVaultAsync(o => o.ReadAuditWindow = 0));
        }

        var vault = instances[0].Vault;
        var tokenizer = instances[0].Services.GetRequiredService<ITokenizer>();
        var floors = new List<PostgreSqlFloor>();
        for (var i = 0; i < 16; i++)
        {
            floors.Add((PostgreSqlFloor)await store.OpenFloorAsync());
        }

        var floor = floors[0];
        var vaultTokens = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, Stored).Chunk(1000))
        {
            vaultTokens.AddRange(await vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile)));
        }

        floor.CreateMany([.. Enumerable.Range(0, Stored).Select(i => (VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i)))]);
        var floorTokens = Enumerable.Range(0, Stored).Select(i => floor.Create(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i + Stored))).ToArray();
        var vaultValues = (await tokenizer.TokenizeManyAsync(Enumerable.Range(0, Stored).Select(VaultBenchmarks.Value))).ToArray();
        var floorValues = Enumerable.Range(0, Stored).Select(i => floor.Tokenize(VaultBenchmarks.Value(i))).ToArray();
        store.Quiesce();
        var next = 3 * Stored;
        int Next() => Interlocked.Increment(ref next);

        Console.WriteLine("| Operation | Tasks | Floor calls/s | Vault calls/s | Vault/floor | Median of round ratios | Floor p50 ms | Floor p99 ms | Vault p50 ms | Vault p99 ms | Floor client CPU us/call | Vault client CPU us/call | Floor bytes allocated/call | Vault bytes allocated/call | Floor thread-pool items/call | Vault thread-pool items/call |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        await CompareAsync("create", "1", rounds, block, 1,
            (_, _) => FloorCreateAsync(floor, Next()),
            (_, _) => vault.CreatePersonAsync(VaultBenchmarks.Profile(Next())));
        await CompareAsync("get by email", "1", rounds, block, 1,
            (_, i) => floor.GetByEmailAsync(VaultBenchmarks.Email(i % Stored)),
            (_, i) => vault.GetPersonAsync(PersonLookup.ByEmail(VaultBenchmarks.Email(i % Stored))));
        await CompareAsync("get by token", "1", rounds, block, 1,
            (_, i) => floor.GetByTokenAsync(floorTokens[i % Stored]),
            (_, i) => vault.GetPersonAsync(PersonLookup.ByToken(vaultTokens[i % Stored])));
        await CompareAsync("tokenize", "1", rounds, block, 1,
            (_, _) => floor.TokenizeAsync(VaultBenchmarks.Value(Next())),
            (_, _) => tokenizer.TokenizeAsync(VaultBenchmarks.Value(Next())));
        await CompareAsync("detokenize", "1", rounds, block, 1,
            (_, i) => floor.DetokenizeAsync(floorValues[i % Stored]),
            (_, i) => tokenizer.DetokenizeAsync(vaultValues[i % Stored]));
        await CompareAsync("create then forget", "1", rounds, block / 2, 1,
            async (_, _) => await floor.ForgetAsync(await FloorCreateAsync(floor, Next())),
            async (_, _) => await vault.ForgetPersonAsync(PersonLookup.ByToken(await vault.CreatePersonAsync(VaultBenchmarks.Profile(Next())))));
        await CompareAsync("create", "16", rounds, block * 4, 16,
            (task, _) => FloorCreateAsync(floors[task], Next()),
            (_, _) => vault.CreatePersonAsync(VaultBenchmarks.Profile(Next())));
        await CompareAsync("create", "2 x 8", rounds, block * 4, 16,
            (task, _) => FloorCreateAsync(floors[task], Next()),
            (task, _) => instances[task % 2].Vault.CreatePersonAsync(VaultBenchmarks.Profile(Next())));

        foreach (var f in floors)
        {
            f.Dispose();
        }

        foreach (var (services, _) in instances)
        {
            await services.DisposeAsync();
        }
    }

    private static Task<Guid> FloorCreateAsync(PostgreSqlFloor floor, int i) => floor.CreateAsync(VaultBenchmarks.Profile(i), VaultBenchmarks.Email(i));

    private static async Task CompareAsync(string operation, string shape, int rounds, int block, int tasks, Func<int, int, Task> floor, Func<int, int, Task> vault)
    {
        if (Environment.GetEnvironmentVariable("DATABUNKER_ROUNDS_ONLY") is { Length: > 0 } only && !only.Split(',').Any(o => o == operation || o == $"{operation}/{shape}"))
        {
            return;
        }

        switch (Environment.GetEnvironmentVariable("DATABUNKER_ROUNDS_SIDE"))
        {
            case "vault":
                floor = vault;
                break;
            case "floor":
                vault = floor;
                break;
        }

        // A warm-up block on each side first, not counted.
        await new Latencies(block).RunAsync(tasks, block, floor);
        await new Latencies(block).RunAsync(tasks, block, vault);
        var (floorLatencies, vaultLatencies) = (new Latencies(rounds * block), new Latencies(rounds * block));
        var (floorTime, vaultTime) = (TimeSpan.Zero, TimeSpan.Zero);
        var (floorCpu, vaultCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        var (floorRounds, vaultRounds) = (new double[rounds], new double[rounds]);
        var (floorBytes, vaultBytes) = (0L, 0L);
        var (floorItems, vaultItems) = (0L, 0L);
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes();
                var items = ThreadPool.CompletedWorkItemCount;
                var start = Stopwatch.GetTimestamp();
                await (side == 0 ? floorLatencies : vaultLatencies).RunAsync(tasks, block, side == 0 ? floor : vault);
                var elapsed = Stopwatch.GetElapsedTime(start);
                process.Refresh();
                var (spent, bytes, queued) = (process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes() - allocated, ThreadPool.CompletedWorkItemCount - items);
                if (side == 0)
                {
                    (floorRounds[round], floorTime, floorCpu, floorBytes, floorItems) =
                        (elapsed.TotalSeconds, floorTime + elapsed, floorCpu + spent, floorBytes + bytes, floorItems + queued);
                }
                else
                {
                    (vaultRounds[round], vaultTime, vaultCpu, vaultBytes, vaultItems) =
                        (elapsed.TotalSeconds, vaultTime + elapsed, vaultCpu + spent, vaultBytes + bytes, vaultItems + queued);
                }
            }
        }

        var calls = rounds * (block / tasks * tasks);
        var (floorRate, vaultRate) = (calls / floorTime.TotalSeconds, calls / vaultTime.TotalSeconds);
        var (f50, f99) = floorLatencies.Percentiles();
        var (v50, v99) = vaultLatencies.Percentiles();
        // Each round's two blocks ran within the same minute or two: the median of their ratios is blind to a slow minute.
        var paired = Enumerable.Range(0, rounds).Select(r => floorRounds[r] / vaultRounds[r]).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {operation} | {shape} | {floorRate:F0} | {vaultRate:F0} | {vaultRate / floorRate:F2} | {paired[rounds / 2]:F2} | {f50:F3} | {f99:F3} | {v50:F3} | {v99:F3} | {floorCpu.TotalMicroseconds / calls:F0} | {vaultCpu.TotalMicroseconds / calls:F0} | {floorBytes / calls} | {vaultBytes / calls} | {(double)floorItems / calls:F1} | {(double)vaultItems / calls:F1} |"));
    }
}
