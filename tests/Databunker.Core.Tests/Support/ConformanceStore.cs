namespace Databunker.Core.Tests.Support;

/// <summary>The stores the conformance fixtures run against, named for the fixtures' arguments.</summary>
public static class ConformanceStore
{
    public const string SqliteFile = "sqlite-file";

    public const string SqliteMemory = "sqlite-memory";

    /// <summary>A storage of the tests' own over SQLite, built on the public SPI only (<see cref="Storage.CountingStorage"/>).</summary>
    public const string Counting = "counting-over-sqlite";

    public static IDatabunkerBuilder Use(IDatabunkerBuilder builder, string store) => store switch
    {
        SqliteFile => TestStore.Sqlite.Use(builder, TestStore.Sqlite.NewDatabase()),
        SqliteMemory => builder.UseSqlite("Data Source=:memory:"),
        Counting => UseCounting(builder),
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "Unknown store."),
    };

    private static IDatabunkerBuilder UseCounting(IDatabunkerBuilder builder)
    {
        var path = TestStore.Sqlite.NewDatabase();
        return builder.UseStorage(sp => Storage.CountingStorage.OverSqlite(sp, $"Data Source={path}"));
    }
}
