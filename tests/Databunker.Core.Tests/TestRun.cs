using System.Diagnostics;
using Databunker.Core.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Tests;

/// <summary>
/// For every test of the assembly (it sits in the root namespace): empties the folder of test vaults
/// before and after the run, and when no PostgreSQL server is named
/// (<c>DATABUNKER_TEST_POSTGRES</c>) but PostgreSQL is installed, starts a throwaway cluster for the run
/// with <c>.ci/postgres.sh</c> and stops it afterwards.
/// </summary>
[SetUpFixture]
public sealed class TestRun
{
    private string? _clusterDirectory;
    private string? _clusterBin;

    private static string Vaults => Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults");

    [OneTimeSetUp]
    public void Before()
    {
        Clean();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DATABUNKER_TEST_POSTGRES")))
        {
            StartCluster();
        }
    }

    [OneTimeTearDown]
    public void After()
    {
        Clean();
        if (_clusterDirectory is not null)
        {
            Bash($"PG_TEST_DIR='{_clusterDirectory}' PG_TEST_BIN='{_clusterBin}'; postgres_stop");
        }
    }

    private static void Clean()
    {
        SqliteConnection.ClearAllPools();
        TestStore.PostgreSql.CleanUp();
        if (Directory.Exists(Vaults))
        {
            Directory.Delete(Vaults, recursive: true);
        }
    }

    private void StartCluster()
    {
        // The watcher that postgres.sh starts stops the cluster when this process ends, even when the run is
        // cancelled or killed and OneTimeTearDown never runs.
        var output = Bash($"export POSTGRES_NO_INSTALL=1 DATABUNKER_TEST_OWNER_PID={Environment.ProcessId}; " +
            "postgres_start >&2 && printf '%s\\n%s\\n%s\\n' \"$DATABUNKER_TEST_POSTGRES\" \"$PG_TEST_DIR\" \"$PG_TEST_BIN\"");
        var lines = output?.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines is not { Length: 3 })
        {
            TestContext.Progress.WriteLine("PostgreSQL is not installed: the PostgreSQL suites are skipped (bash .ci/run installs and starts it).");
            return;
        }

        Environment.SetEnvironmentVariable("DATABUNKER_TEST_POSTGRES", lines[0]);
        _clusterDirectory = lines[1];
        _clusterBin = lines[2];
        TestContext.Progress.WriteLine($"Started a throwaway PostgreSQL cluster for this run ({lines[0]}).");
    }

    /// <summary>Runs <paramref name="script"/> after sourcing .ci/postgres.sh; its standard output, or null if it failed.</summary>
    internal static string? Bash(string script)
    {
        var root = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, ".ci", "postgres.sh")))
        {
            root = root.Parent;
        }

        if (root is null || !File.Exists("/bin/bash"))
        {
            return null;
        }

        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root.FullName };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"source .ci/postgres.sh; {script}");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : null;
    }
}
