namespace Databunker.Core.Tests.Support;

/// <summary>
/// Test categories besides the store names: <c>dotnet test --filter "TestCategory!=slow"</c> leaves the long
/// suites out of a quick local run; CI runs everything and counts per category.
/// </summary>
public static class TestCategories
{
    /// <summary>Suites that take tens of seconds: crash, concurrency, shutdown and scale.</summary>
    public const string Slow = "slow";
}
