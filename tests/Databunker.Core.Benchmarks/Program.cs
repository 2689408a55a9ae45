using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Databunker.Core.Benchmarks.VaultBenchmarks).Assembly).Run(args);
