namespace Databunker.Core.Tests.Support;

/// <summary>The stores the conformance fixtures run against, named for the fixtures' arguments.</summary>
public static class ConformanceStore
{
    public const string SqliteFile = "sqlite-file";

    public const string SqliteMemory = "sqlite-memory";

    public const string PostgreSql = "postgresql";

    public static IDatabunkerBuilder Use(IDatabunkerBuilder builder, string store) => store switch
    {
        SqliteFile => TestStore.Sqlite.Use(builder, TestStore.Sqlite.NewDatabase()),
        SqliteMemory => builder.UseSqlite("Data Source=:memory:"),
        PostgreSql => TestStore.PostgreSql.Use(builder, TestStore.PostgreSql.NewDatabase()),
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "Unknown store."),
    };
}
