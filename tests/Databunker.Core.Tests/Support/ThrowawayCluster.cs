using System.Globalization;
using Npgsql;

namespace Databunker.Core.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of one fixture's own (<c>.ci/postgres.sh</c>, its own folder and port, never the run's
/// shared server), which the fault suite stops and starts again under load. It commits synchronously, so
/// that an acknowledged commit survives an immediate stop; it is stopped and removed on disposal, and by
/// the script's watcher when the test process dies first.
/// </summary>
public sealed class ThrowawayCluster : IDisposable
{
    private readonly string _environment;
    private bool _halted;

    private ThrowawayCluster(string connectionString, string directory, string bin, string port)
    {
        ConnectionString = connectionString;
        Directory = directory;
        _environment = $"PG_TEST_DIR='{directory}' PG_TEST_BIN='{bin}' PG_TEST_PORT='{port}' PG_TEST_OPTIONS='{Options}'";
    }

    private const string Options = "-c synchronous_commit=on";

    /// <summary>An Npgsql connection string to the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>The cluster's folder.</summary>
    public string Directory { get; }

    /// <summary>A new cluster, or an ignored (in CI: failed) test when PostgreSQL is not installed.</summary>
    public static ThrowawayCluster Start()
    {
        var output = TestRun.Bash(
            $"export POSTGRES_NO_INSTALL=1 DATABUNKER_TEST_OWNER_PID={Environment.ProcessId} PG_TEST_OPTIONS='{Options}'; " +
            "export DATABUNKER_TEST_POSTGRES_PORT=$(postgres_free_port 25432); " +
            "postgres_start >&2 && printf '%s\\n%s\\n%s\\n%s\\n' \"$DATABUNKER_TEST_POSTGRES\" \"$PG_TEST_DIR\" \"$PG_TEST_BIN\" \"$PG_TEST_PORT\"");
        var lines = output?.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines is not { Length: 4 })
        {
            const string Why = "PostgreSQL is not installed: no throwaway cluster for the fault suite (bash .ci/run installs it).";
            if (Environment.GetEnvironmentVariable("DATABUNKER_REQUIRE_POSTGRES") == "1")
            {
                Assert.Fail(Why);
            }

            Assert.Ignore(Why);
        }

        return new ThrowawayCluster(lines![0], lines[1], lines[2], lines[3]);
    }

    /// <summary>The connection string of <paramref name="database"/> on this cluster.</summary>
    public string Of(string database) => new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    /// <summary>Stops the server, as an operator (<c>fast</c>: sessions ended) or a crash (<c>immediate</c>) would.</summary>
    public void Halt(string mode)
    {
        Run($"postgres_halt {mode}");
        _halted = true;
    }

    /// <summary>Starts the server again on the same port and data.</summary>
    public void Resume()
    {
        Run("postgres_run");
        _halted = false;
    }

    /// <summary>Starts the server again if a test halted it and did not get as far as starting it.</summary>
    public void EnsureRunning()
    {
        if (_halted)
        {
            Resume();
        }
    }

    /// <summary>Runs SQL against <paramref name="database"/> as the cluster's superuser.</summary>
    public void Sql(string database, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Of(database)) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        TestRun.Bash($"{_environment}; postgres_stop");
    }

    private void Run(string script)
    {
        if (TestRun.Bash($"{_environment}; {script}") is null)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"'{script}' failed on the cluster in {Directory}."));
        }
    }
}
