using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>The growing vault: filled in chunks, and at each size the latency of gets by email and of creates.</summary>
internal sealed partial class ScaleFigures
{
    private const string GrowthHeader =
        "| Store | Persons | Get mean µs | Get p50 µs | Get p99 µs | Create mean µs | Create p50 µs | Create p99 µs | Bytes/person | Fill persons/s |";

    private double _fillRate;

    /// <summary>Fills the vault up to <paramref name="target"/> persons (emails <c>person0</c> up), reporting every 100,000.</summary>
    private async Task GrowToAsync(int target)
    {
        if (_store is null)
        {
            _store = BenchStore.Create(Store);
            (_services, _vault) = await _store.OpenVaultAsync();
        }

        var first = _persons;
        var started = Stopwatch.GetTimestamp();
        var (lastPersons, lastTime) = (_persons, started);
        while (_persons < target)
        {
            var count = Math.Min(Chunk, target - _persons);
            await _vault.CreatePersonsAsync(Enumerable.Range(_persons, count).Select(VaultBenchmarks.Profile));
            _persons += count;
            if (_persons - lastPersons >= ProgressEvery || _persons == target)
            {
                var rate = (_persons - lastPersons) / Stopwatch.GetElapsedTime(lastTime).TotalSeconds;
                Progress($"{Store}: {_persons:N0} persons, {rate:N0} persons/s over the last {_persons - lastPersons:N0}");
                (lastPersons, lastTime) = (_persons, Stopwatch.GetTimestamp());
            }
        }

        if (_persons > first)
        {
            _fillRate = (_persons - first) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }

    /// <summary>
    /// At the vault's size now: the bytes per person on disk, then random gets by email and single creates, each
    /// sequential on one task after a warm-up of a tenth as many; the creates add persons.
    /// </summary>
    private async Task MeasureGrowthAsync()
    {
        var size = _persons;
        await _services!.GetRequiredService<IVaultAdministration>().FlushAuditAsync();
        var bytes = await _store!.VaultBytesAsync();
        Progress($"{Store}: {size:N0} persons take {bytes / Megabyte:N0} MB; timing gets and creates");
        var random = new Random(size);
        async Task Get()
        {
            _ = await _vault.GetPersonAsync(PersonLookup.ByEmail(VaultBenchmarks.Email(random.Next(size))))
                ?? throw new InvalidOperationException("A stored person was not found by email.");
        }

        Task Create() => _vault.CreatePersonAsync(VaultBenchmarks.Profile(_persons++));
        await TimeAsync(_options.Gets / 10, Get);
        var gets = await TimeAsync(_options.Gets, Get);
        await TimeAsync(_options.Creates / 10, Create);
        var creates = await TimeAsync(_options.Creates, Create);
        Row(GrowthHeader,
            $"| {Store} | {size:N0} | {gets.Mean:N1} | {gets.P50:N1} | {gets.P99:N1} | {creates.Mean:N1} | {creates.P50:N1} | {creates.P99:N1} | {(double)bytes / size:N0} | {_fillRate:N0} |");
    }

    /// <summary>Runs an operation <paramref name="count"/> times, one after the other, timing each.</summary>
    private static async Task<Latencies> TimeAsync(int count, Func<Task> operation)
    {
        var micros = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return new Latencies(micros);
    }

    /// <summary>Mean and nearest-rank percentiles of a set of timings, in microseconds.</summary>
    private sealed class Latencies
    {
        public Latencies(double[] micros)
        {
            Array.Sort(micros);
            Mean = micros.Length == 0 ? 0 : micros.Average();
            P50 = Percentile(micros, 0.50);
            P99 = Percentile(micros, 0.99);
        }

        public double Mean { get; }

        public double P50 { get; }

        public double P99 { get; }

        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
