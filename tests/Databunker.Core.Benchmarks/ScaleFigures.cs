using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The scale figures of docs/benchmarks.md (issue 28), measured by hand rather than by BenchmarkDotNet, because a
/// vault of ten million persons is filled once and measured as it grows:
/// <c>dotnet run -c Release --project tests/Databunker.Core.Benchmarks -- scale --store sqlite --sizes 100000,1000000</c>.
/// Each part prints a Markdown table to stdout, a row at a time; progress goes to stderr.
/// <list type="bullet">
/// <item><c>grow</c>: get by email and create latencies, and bytes per person, at each size of one growing vault.</item>
/// <item><c>memory</c>: the working set of a host holding <c>--memory-persons</c> persons under read load.</item>
/// <item><c>due</c>: a due-work pass forgetting <c>--due</c> persons, beside a floor.</item>
/// <item><c>export</c>: the export of one person with <c>--events</c> audit events: time and memory.</item>
/// </list>
/// </summary>
internal sealed partial class ScaleFigures : IAsyncDisposable
{
    private const int Chunk = 10_000;
    private const int ProgressEvery = 100_000;
    private const double Megabyte = 1024 * 1024;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private readonly ScaleOptions _options;
    private readonly HashSet<string> _headed = [];
    private BenchStore? _store;
    private ServiceProvider? _services;
    private IPersonalDataVault _vault = null!;
    private int _persons;

    private ScaleFigures(ScaleOptions options) => _options = options;

    private string Store => _options.Store;

    public static async Task RunAsync(IReadOnlyList<string> args)
    {
        ScaleOptions options;
        try
        {
            options = ScaleOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(ex.Message);
            Environment.ExitCode = 2;
            return;
        }

        var gc = GCSettings.IsServerGC ? "server" : "workstation";
        Progress($"scale figures on {options.Store}, parts {string.Join(',', options.Parts)}: .NET {Environment.Version}, {gc} GC, {Environment.ProcessorCount} processors");
        await using var figures = new ScaleFigures(options);
        await figures.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        _store?.Dispose();
    }

    private async Task RunAsync()
    {
        // One vault grows through every size, and the memory figure is taken when it holds that many persons.
        var grow = _options.Parts.Contains(ScaleOptions.Grow);
        var memory = _options.Parts.Contains(ScaleOptions.Memory);
        var targets = new SortedSet<int>(grow ? _options.Sizes : []);
        if (memory)
        {
            targets.Add(_options.MemoryPersons);
        }

        foreach (var target in targets)
        {
            await GrowToAsync(target);
            if (grow && _options.Sizes.Contains(target))
            {
                await MeasureGrowthAsync();
            }

            if (memory && target == _options.MemoryPersons)
            {
                await MeasureMemoryAsync();
            }
        }

        // The grown vault goes before the next parts, which take stores of their own.
        await DisposeAsync();
        _services = null;
        _store = null;
        if (_options.Parts.Contains(ScaleOptions.DuePart))
        {
            await MeasureDueAsync();
        }

        if (_options.Parts.Contains(ScaleOptions.Export))
        {
            await MeasureExportAsync();
        }
    }

    /// <summary>Prints a row of a table, its header first if the table has none yet, and flushes.</summary>
    private void Row(string header, FormattableString row)
    {
        if (_headed.Add(header))
        {
            var columns = header.Count(c => c == '|') - 1;
            Console.WriteLine();
            Console.WriteLine(header);
            Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", columns - 1)));
        }

        Console.WriteLine(FormattableString.Invariant(row));
        Console.Out.Flush();
    }

    private static void Progress(FormattableString message)
    {
        Console.Error.WriteLine(FormattableString.Invariant($"[{Clock.Elapsed:hh\\:mm\\:ss}] {message}"));
        Console.Error.Flush();
    }

    /// <summary>A full, compacting collection, so that a figure starts from live data only.</summary>
    private static void Collect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
