using System.Security.Cryptography;
using Databunker.Tool;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Tests.Tool;

/// <summary>What the tool's tests share: running a command in-process, a new vault with its key, and a few SQL helpers for an application's SQLite database.</summary>
internal static class ToolSupport
{
    /// <summary>Runs a command as the tool would, its output and error stream captured; <paramref name="terminal"/> when the output is a terminal.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(bool terminal, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DatabunkerTool.RunAsync(args, output, error, terminal, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(false, args);

    public static Task<(int Code, string Output, string Error)> RunTerminalAsync(params string[] args) => RunAsync(true, args);

    /// <summary>A new folder of the test's, with a vault made by <c>init</c> and its master key in a file readable by its owner only.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task<(string Folder, string Vault, string Key)> NewVaultAsync(string prefix)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var vault = Path.Combine(folder, "vault.db");
        var key = Path.Combine(folder, "master.key");
        await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var init = await RunAsync("init", "--sqlite", $"Data Source={vault}", "--key-file", key);
        init.Code.Should().Be(0, init.Error);
        return (folder, vault, key);
    }

    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        return connection;
    }

    /// <summary>Runs SQL on a database file, then lets go of its pooled connections, as an application between two commands would.</summary>
    public static void Execute(string path, string sql)
    {
        using (var connection = Open(path))
        {
            Execute(connection, sql);
        }

        SqliteConnection.ClearAllPools();
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
