using BenchmarkDotNet.Running;
using Databunker.Core.Benchmarks;

// dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- --filter '*'
// The PostgreSQL benchmarks need a server: DATABUNKER_BENCH_POSTGRES (or DATABUNKER_TEST_POSTGRES), an
// Npgsql connection string. Without one they are left out, and the run says so.
var types = typeof(VaultBenchmarks).Assembly.GetExportedTypes()
    .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
    .ToList();
if (PostgreSqlBenchmarks.Server is null)
{
    types.Remove(typeof(PostgreSqlBenchmarks));
    Console.WriteLine("No PostgreSQL server named (DATABUNKER_BENCH_POSTGRES): the PostgreSQL benchmarks are left out.");
}

BenchmarkSwitcher.FromTypes([.. types]).Run(args);
