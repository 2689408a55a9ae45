using BenchmarkDotNet.Running;
using Databunker.Core.Benchmarks;

// dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- --filter '*'
// The scale figures (ScaleFigures: a vault grown to millions, measured by hand) run instead with a first argument of
// scale: dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- scale --store sqlite --sizes 100000,1000000
// The PostgreSQL rounds (InterleavedRounds: vault and floor in alternating blocks) with a first argument of rounds:
// dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- rounds [rounds] [block]
// SQLite creates under several journal size limits, in interleaved rounds (CheckpointRounds):
// dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- checkpoint-rounds 16,64,128,4096 [bulk]
if (args is ["rounds", .. var counts])
{
    await InterleavedRounds.RunAsync(
        counts is [var r, ..] ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 10,
        counts is [_, var b, ..] ? int.Parse(b, System.Globalization.CultureInfo.InvariantCulture) : 400);
    return;
}

if (args is ["checkpoint-rounds", .. var limits])
{
    await CheckpointRounds.RunAsync(limits);
    return;
}

if (args is ["scale", .. var scale])
{
    await ScaleFigures.RunAsync(scale);
    return;
}

// The PostgreSQL benchmarks need a server: DATABUNKER_BENCH_POSTGRES (or DATABUNKER_TEST_POSTGRES), an
// Npgsql connection string. Without one they are left out, and the run says so.
var types = typeof(VaultBenchmarks).Assembly.GetExportedTypes()
    .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
    .ToList();
if (BenchStore.Server is null)
{
    Console.WriteLine("No PostgreSQL server named (DATABUNKER_BENCH_POSTGRES): the benchmarks run on SQLite only.");
}

BenchmarkSwitcher.FromTypes([.. types]).Run(args);
