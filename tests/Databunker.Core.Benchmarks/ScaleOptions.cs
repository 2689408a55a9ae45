using System.Globalization;

namespace Databunker.Core.Benchmarks;

/// <summary>What one run of <see cref="ScaleFigures"/> measures, from its command line.</summary>
internal sealed record ScaleOptions(
    string Store,
    IReadOnlyList<int> Sizes,
    IReadOnlySet<string> Parts,
    int Gets,
    int Creates,
    int Due,
    int Events,
    int MemoryPersons,
    int MemorySeconds,
    int MemoryTasks)
{
    public const string Grow = "grow";
    public const string DuePart = "due";
    public const string Export = "export";
    public const string Memory = "memory";

    public const string Usage = """
        scale [--store sqlite|postgresql] [--sizes 100000,1000000,10000000] [--parts grow,due,export,memory]
              [--gets 20000] [--creates 2000] [--due 100000] [--events 100000]
              [--memory-persons 1000000] [--memory-seconds 30] [--memory-tasks 4]
        PostgreSQL comes from DATABUNKER_BENCH_POSTGRES (an Npgsql connection string).
        """;

    private static readonly string[] AllParts = [Grow, DuePart, Export, Memory];

    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected --name value, got '{args[i]}'.\n{Usage}");
            }

            given[args[i][2..]] = args[i + 1];
        }

        string Text(string name, string fallback) => given.Remove(name, out var value) ? value : fallback;
        int Number(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

        var store = Text("store", BenchStore.Sqlite) switch
        {
            "sqlite" => BenchStore.Sqlite,
            "postgresql" or "postgres" or "pg" => BenchStore.PostgreSql,
            var other => throw new ArgumentException($"Unknown store '{other}'.\n{Usage}"),
        };
        var sizes = Text("sizes", "100000,1000000,10000000").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).Order().Distinct().ToList();
        var parts = Text("parts", string.Join(',', AllParts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (parts.Except(AllParts).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown part '{unknown}'.\n{Usage}");
        }

        var options = new ScaleOptions(store, sizes, parts, Number("gets", 20_000), Number("creates", 2_000), Number("due", 100_000),
            Number("events", 100_000), Number("memory-persons", 1_000_000), Number("memory-seconds", 30), Number("memory-tasks", 4));
        if (given.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{given.Keys.First()}.\n{Usage}");
        }

        if (store == BenchStore.PostgreSql && BenchStore.Server is null)
        {
            throw new ArgumentException("Set DATABUNKER_BENCH_POSTGRES to an Npgsql connection string to run on PostgreSQL.");
        }

        return options;
    }
}
