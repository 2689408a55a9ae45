namespace Databunker.Core.Tests.Support;

/// <summary>The checked-out repository the tests run from, for tests that read its source or docs.</summary>
public static class Repository
{
    /// <summary>The folder that holds <c>Databunker.Core.sln</c>, above the test's output folder.</summary>
    public static string Root()
    {
        for (var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Databunker.Core.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Databunker.Core.sln) is not above the test folder.");
    }
}
