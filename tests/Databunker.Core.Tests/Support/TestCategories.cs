namespace Databunker.Core.Tests.Support;

/// <summary>
/// Test categories besides the store names: <c>dotnet test --filter "TestCategory!=slow"</c> leaves the long
/// suites out of a quick local run; CI runs everything and counts per category.
/// </summary>
public static class TestCategories
{
    /// <summary>Suites that take tens of seconds: crash, concurrency, shutdown and scale.</summary>
    public const string Slow = "slow";

    /// <summary>Faults a vault must survive: a full disk, a database server that goes away mid-transaction.</summary>
    public const string Faults = "faults";

    /// <summary>Mixed load against a model for a while (<c>DATABUNKER_SOAK_MINUTES</c> per provider, default 1.5).</summary>
    public const string Soak = "soak";
}
