using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Sqlite;

/// <summary>
/// Opens configured connections to the vault's SQLite database: busy timeout, <c>secure_delete</c> and
/// the chosen <c>synchronous</c> level on every connection (the pool hands back configured ones).
/// <c>:memory:</c> becomes a private shared-cache database kept alive by one connection of its own.
/// </summary>
internal sealed class SqliteConnectionFactory : IDisposable
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly SqliteConnection? _keepAlive;

    public SqliteConnectionFactory(SqliteStorageOptions options)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new VaultConfigurationException("The SQLite connection string is malformed.", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new VaultConfigurationException("The SQLite connection string has no Data Source: give a file path or :memory:.");
        }

        if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            builder.DataSource = "databunker-" + Guid.NewGuid().ToString("N");
            builder.Mode = SqliteOpenMode.Memory;
            builder.Cache = SqliteCacheMode.Shared;
            IsInMemory = true;
        }

        var timeoutMs = (long)options.BusyTimeout.TotalMilliseconds;
        builder.DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.BusyTimeout.TotalSeconds));
        _connectionString = builder.ToString();
        _pragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout={timeoutMs}; PRAGMA secure_delete=ON; PRAGMA synchronous={(options.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")};");
        DataSource = builder.DataSource;
        if (IsInMemory)
        {
            _keepAlive = Open();
        }
    }

    public bool IsInMemory { get; }

    public string DataSource { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _keepAlive?.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}
