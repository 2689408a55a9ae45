using System.Diagnostics;
using System.Globalization;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// Runs calls on concurrent tasks as requests run in ASP.NET Core (each call a work item of its own: the task yields
/// before it, and its latency runs from that moment, so it includes the wait for a thread), and keeps the latencies of
/// the last <paramref name="kept"/> calls for a <c>// latency (ms): ...</c> row with their p50, p99 and longest.
/// </summary>
internal sealed class Latencies(int kept)
{
    private readonly List<double> _latencies = [];

    /// <summary>Runs <paramref name="operations"/> calls spread over <paramref name="tasks"/> tasks; a call gets its task and its number.</summary>
    public async Task RunAsync(int tasks, int operations, Func<int, int, Task> operation)
    {
        var perTask = operations / tasks;
        var timings = await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var mine = new double[perTask];
            for (var n = 0; n < perTask; n++)
            {
                var start = Stopwatch.GetTimestamp();
                await Task.Yield();
                await operation(t, (t * perTask) + n);
                mine[n] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            return mine;
        })));

        // Only the latest calls count: the warm-up's are dropped as the window moves on.
        lock (_latencies)
        {
            foreach (var mine in timings)
            {
                _latencies.AddRange(mine);
            }

            if (_latencies.Count > kept)
            {
                _latencies.RemoveRange(0, _latencies.Count - kept);
            }
        }
    }

    /// <summary>The p50 and p99 of the latencies kept, in milliseconds.</summary>
    public (double P50, double P99) Percentiles()
    {
        var sorted = _latencies.Order().ToArray();
        return sorted.Length == 0 ? (0, 0) : (sorted[(int)(sorted.Length * 0.50)], sorted[(int)(sorted.Length * 0.99)]);
    }

    /// <summary>Prints the row: <paramref name="operation"/>, <paramref name="shape"/>, p50, p99, longest, calls.</summary>
    public void Report(string operation, string shape)
    {
        if (_latencies.Count == 0)
        {
            return;
        }

        var sorted = _latencies.Order().ToArray();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// latency (ms): | {operation} | {shape} | {sorted[(int)(sorted.Length * 0.50)]:F3} | {sorted[(int)(sorted.Length * 0.99)]:F3} | {sorted[^1]:F3} | {sorted.Length} |"));
    }
}
