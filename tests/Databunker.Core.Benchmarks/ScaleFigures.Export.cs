using System.Diagnostics;
using Databunker.Core.Export;
using Databunker.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>The subject-access export of one person with a long audit trail: its time and the memory it takes.</summary>
internal sealed partial class ScaleFigures
{
    private const string ExportHeader =
        "| Store | Audit events | Run | Time ms | Export MB | Allocated MB | Start working set MB | Peak working set MB | Peak heap MB | Peak GC heap size MB |";

    /// <summary>
    /// On a vault of its own: one person, <c>--events</c> audit events about them appended in batches of 10,000, then
    /// the export written to a stream that only counts, twice (cold, then warm), memory sampled every 10 ms.
    /// </summary>
    private async Task MeasureExportAsync()
    {
        using var store = BenchStore.Create(Store);
        var (services, vault) = await store.OpenVaultAsync();
        await using (services)
        {
            var person = await vault.CreatePersonAsync(VaultBenchmarks.Profile(0));
            var audit = services.GetRequiredService<IAuditStore>();
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var appended = 0; appended < _options.Events;)
            {
                var count = Math.Min(Chunk, _options.Events - appended);
                await audit.AppendAuditAsync(
                    [.. Enumerable.Range(appended, count).Select(i => new AuditRecord(0, at + i, "bench", AuditOperations.PersonGet, person, AuditOutcomes.Success, null))],
                    CancellationToken.None);
                appended += count;
                if (appended % ProgressEvery == 0 || appended == _options.Events)
                {
                    Progress($"{Store}: {appended:N0} audit events appended");
                }
            }

            var exporter = services.GetRequiredService<IPersonExporter>();
            foreach (var run in (string[])["cold", "warm"])
            {
                Collect();
                var (startWorkingSet, _) = MemorySampler.Now();
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                await using var destination = new CountingStream();
                using var sampler = MemorySampler.Start(TimeSpan.FromMilliseconds(10));
                var started = Stopwatch.GetTimestamp();
                await exporter.ExportAsync(person, destination);
                var elapsed = Stopwatch.GetElapsedTime(started);
                sampler.Stop();
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                Row(ExportHeader,
                    $"| {Store} | {_options.Events:N0} | {run} | {elapsed.TotalMilliseconds:N0} | {destination.Length / Megabyte:N1} | {allocated / Megabyte:N1} | {startWorkingSet / Megabyte:N0} | {sampler.PeakWorkingSet / Megabyte:N0} | {sampler.PeakHeap / Megabyte:N1} | {sampler.PeakGcHeapSize / Megabyte:N1} |");
            }
        }
    }

    /// <summary>A stream that keeps nothing and counts what is written to it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _length += count;
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
