using Microsoft.Data.Sqlite;

namespace Databunker.Core.Tests.Support;

/// <summary>Empties the folder of test vaults before and after the run.</summary>
[SetUpFixture]
public sealed class TestFolders
{
    private static string Vaults => Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults");

    [OneTimeSetUp]
    public void Before() => Clean();

    [OneTimeTearDown]
    public void After() => Clean();

    private static void Clean()
    {
        SqliteConnection.ClearAllPools();
        TestStore.PostgreSql.CleanUp();
        if (Directory.Exists(Vaults))
        {
            Directory.Delete(Vaults, recursive: true);
        }
    }
}
