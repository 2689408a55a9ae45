using System.Diagnostics;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Samples the process's memory on a thread of its own (so that a busy thread pool does not delay it): the working
/// set, the managed heap as allocated now (<see cref="GC.GetTotalMemory(bool)"/>, garbage included) and the heap size
/// the last collection saw (<see cref="GCMemoryInfo.HeapSizeBytes"/>), and on Linux the working set's two parts: the
/// process's own memory (<c>RssAnon</c>: managed heap, native allocations, SQLite's page caches) and mapped files
/// (<c>RssFile</c>: shared libraries, and SQLite's memory-mapped database pages, counted once per connection that maps
/// them although they are one copy in the page cache). Keeps the peaks and the last sample.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly TimeSpan _period;

    private MemorySampler(TimeSpan period)
    {
        _period = period;
        Sample();
        _thread = new Thread(Run) { IsBackground = true, Name = "memory sampler" };
        _thread.Start();
    }

    public long PeakWorkingSet { get; private set; }

    public long PeakHeap { get; private set; }

    public long PeakGcHeapSize { get; private set; }

    /// <summary>The most working set that was the process's own memory; 0 where <c>/proc/self/status</c> does not tell.</summary>
    public long PeakAnonymous { get; private set; }

    /// <summary>The most working set that mapped files took; 0 where <c>/proc/self/status</c> does not tell.</summary>
    public long PeakFileBacked { get; private set; }

    public long LastWorkingSet { get; private set; }

    public long LastHeap { get; private set; }

    public static MemorySampler Start(TimeSpan period) => new(period);

    /// <summary>The working set and the managed heap now.</summary>
    public static (long WorkingSet, long Heap) Now()
    {
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
    }

    /// <summary>Stops sampling, after one last sample.</summary>
    public void Stop()
    {
        if (!_stop.IsSet)
        {
            _stop.Set();
            _thread.Join();
            Sample();
        }
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
        _process.Dispose();
    }

    private void Run()
    {
        while (!_stop.Wait(_period))
        {
            Sample();
        }
    }

    private void Sample()
    {
        _process.Refresh();
        LastWorkingSet = _process.WorkingSet64;
        LastHeap = GC.GetTotalMemory(forceFullCollection: false);
        PeakWorkingSet = Math.Max(PeakWorkingSet, LastWorkingSet);
        PeakHeap = Math.Max(PeakHeap, LastHeap);
        PeakGcHeapSize = Math.Max(PeakGcHeapSize, GC.GetGCMemoryInfo().HeapSizeBytes);
        var (anonymous, fileBacked) = Resident();
        PeakAnonymous = Math.Max(PeakAnonymous, anonymous);
        PeakFileBacked = Math.Max(PeakFileBacked, fileBacked);
    }

    /// <summary>The <c>RssAnon</c> and <c>RssFile</c> lines of <c>/proc/self/status</c>, in bytes; zeros elsewhere than on Linux.</summary>
    private static (long Anonymous, long FileBacked) Resident()
    {
        long anonymous = 0, fileBacked = 0;
        if (OperatingSystem.IsLinux())
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anonymous = Kilobytes(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    fileBacked = Kilobytes(line);
                }
            }
        }

        return (anonymous, fileBacked);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
}
