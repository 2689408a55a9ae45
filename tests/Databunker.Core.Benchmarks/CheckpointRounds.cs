using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Creates on SQLite vaults that differ only in <c>SqliteStorageOptions.JournalSizeLimit</c>, in interleaved rounds in
/// one process: each round runs a block of creates on each vault in turn, so that the disk's slow minutes fall on all of
/// them alike (BenchmarkDotNet's runs, minutes apart, moved a create by a fifth from run to run). Writers never pause
/// within a block, so passive checkpoints never catch up there and the log starts over only at the writers' gate.
/// <c>dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- checkpoint-rounds 16,64,128,4096</c>
/// (limits in MiB; 4096 lets a block's log grow without a restart). A second argument of <c>bulk</c> runs each block as
/// 20 bulk creates of 1,000 persons (one commit each, about 4 MiB of log) instead of 2,000 single creates.
/// </summary>
internal static class CheckpointRounds
{
    private const int Rounds = 12;
    private const int WarmUpRounds = 2;
    private const int Block = 2000;
    private const int BulkBlock = 20;
    private const int BulkSize = 1000;

    public static async Task RunAsync(string[] args)
    {
        var limits = (args is [var list, ..] ? list : "16,64,128,4096").Split(',').Select(m => long.Parse(m, CultureInfo.InvariantCulture)).ToList();
        var bulk = args is [_, "bulk", ..];
        var (calls, unit) = bulk ? (BulkBlock, $"ms a bulk create of {BulkSize}") : (Block, "us a create");
        var vaults = new List<(long Limit, ServiceProvider Services, IPersonalDataVault Vault, string Log)>();
        foreach (var limit in limits)
        {
            var place = Path.Combine(Path.GetTempPath(), "databunker-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(place);
            var services = new ServiceCollection();
            services.AddDatabunker(o => o.DefaultActor = "bench")
                .UseSqlite($"Data Source={Path.Combine(place, "vault.db")}", o => o.JournalSizeLimit = limit * 1024 * 1024)
                .UseMasterKey(RandomNumberGenerator.GetBytes(32));
            var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();
            var vault = provider.GetRequiredService<IPersonalDataVault>();
            foreach (var chunk in Enumerable.Range(0, 10_000).Chunk(1000))
            {
                await vault.CreatePersonsAsync(chunk.Select(VaultBenchmarks.Profile));
            }

            vaults.Add((limit, provider, vault, Path.Combine(place, "vault.db-wal")));
        }

        var next = 1_000_000;
        var sums = new double[vaults.Count];
        var totals = new TimeSpan[vaults.Count];
        Console.WriteLine(bulk
            ? $"{Rounds} rounds of {BulkBlock} bulk creates of {BulkSize} on each vault, in turn; the first {WarmUpRounds} not counted."
            : $"{Rounds} rounds of {Block} creates on each vault, in turn; the first {WarmUpRounds} not counted.");
        for (var round = 0; round < Rounds; round++)
        {
            // The order alternates, so that no vault always follows the same one.
            for (var k = 0; k < vaults.Count; k++)
            {
                var index = round % 2 == 0 ? k : vaults.Count - 1 - k;
                var (limit, _, vault, log) = vaults[index];
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < calls; i++)
                {
                    if (bulk)
                    {
                        await vault.CreatePersonsAsync(Enumerable.Range(next, BulkSize).Select(VaultBenchmarks.Profile));
                        next += BulkSize;
                    }
                    else
                    {
                        await vault.CreatePersonAsync(VaultBenchmarks.Profile(next++));
                    }
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                totals[index] += elapsed;
                var perCreate = bulk ? elapsed.TotalMilliseconds / calls : elapsed.TotalMicroseconds / calls;
                if (round >= WarmUpRounds)
                {
                    sums[index] += perCreate;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round,2}  limit {limit,5} MiB  {perCreate,6:F1} {unit}  log file {new FileInfo(log).Length >> 20} MiB"));
            }
        }

        // A log that was not copied is not work saved, only work left: closing the last connection checkpoints it. So each
        // vault is closed in turn, timed, and that time is spread over every call of every round with the rounds' own.
        foreach (var (k, vault) in vaults.Index())
        {
            var started = Stopwatch.GetTimestamp();
            await vault.Services.DisposeAsync();
            var closing = Stopwatch.GetElapsedTime(started);
            var all = totals[k] + closing;
            var perCall = bulk ? all.TotalMilliseconds / (Rounds * calls) : all.TotalMicroseconds / (Rounds * calls);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mean  limit {vault.Limit,5} MiB  {sums[k] / (Rounds - WarmUpRounds),6:F1} {unit}; closing {closing.TotalSeconds:F1} s, so over every round with the close {perCall,6:F1}"));
        }
    }
}
