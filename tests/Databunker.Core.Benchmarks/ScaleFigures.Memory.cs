using System.Diagnostics;

namespace Databunker.Core.Benchmarks;

/// <summary>The memory of a host that holds many persons and serves gets by email from several tasks.</summary>
internal sealed partial class ScaleFigures
{
    private const string MemoryHeader =
        "| Store | Persons | Tasks | Seconds | Gets/s | Start working set MB | Max working set MB | Final working set MB | Max own (RssAnon) MB | Max file-mapped (RssFile) MB | Start heap MB | Max heap MB | Final heap MB |";

    /// <summary>
    /// The host starts again on the filled vault (a new service provider, the filler's garbage collected), then
    /// <c>--memory-tasks</c> tasks get random persons by email for <c>--memory-seconds</c>, the memory sampled every second.
    /// </summary>
    private async Task MeasureMemoryAsync()
    {
        await _services!.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        (_services, _vault) = await _store!.OpenVaultAsync();
        var persons = _persons;
        Collect();
        var (startWorkingSet, startHeap) = MemorySampler.Now();
        Progress($"{Store}: {persons:N0} persons, {_options.MemoryTasks} tasks getting by email for {_options.MemorySeconds} s");
        long gets = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(_options.MemorySeconds));
        using var sampler = MemorySampler.Start(TimeSpan.FromSeconds(1));
        var started = Stopwatch.GetTimestamp();
        var readers = Enumerable.Range(0, _options.MemoryTasks).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                _ = await _vault.GetPersonAsync(PersonLookup.ByEmail(VaultBenchmarks.Email(random.Next(persons))))
                    ?? throw new InvalidOperationException("A stored person was not found by email.");
                Interlocked.Increment(ref gets);
            }
        }));
        await Task.WhenAll(readers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        sampler.Stop();
        Row(MemoryHeader,
            $"| {Store} | {persons:N0} | {_options.MemoryTasks} | {seconds:N0} | {gets / seconds:N0} | {startWorkingSet / Megabyte:N0} | {sampler.PeakWorkingSet / Megabyte:N0} | {sampler.LastWorkingSet / Megabyte:N0} | {sampler.PeakAnonymous / Megabyte:N0} | {sampler.PeakFileBacked / Megabyte:N0} | {startHeap / Megabyte:N1} | {sampler.PeakHeap / Megabyte:N1} | {sampler.LastHeap / Megabyte:N1} |");
    }
}
