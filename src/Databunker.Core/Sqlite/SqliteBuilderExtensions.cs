using Databunker.Core.Sqlite;
using Microsoft.Data.Sqlite;

namespace Databunker.Core;

/// <summary>Chooses the embedded SQLite storage.</summary>
public static class SqliteBuilderExtensions
{
    /// <summary>Stores the vault in a SQLite database: a file (<c>Data Source=vault.db</c>) or <c>Data Source=:memory:</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string with a Data Source.</param>
    /// <param name="configure">Sets the other <see cref="SqliteStorageOptions"/>; optional.</param>
    /// <exception cref="ArgumentException">The connection string is empty, malformed or has no Data Source.</exception>
    public static IDatabunkerBuilder UseSqlite(this IDatabunkerBuilder builder, string connectionString, Action<SqliteStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        string? dataSource;
        try
        {
            dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new ArgumentException("The SQLite connection string is malformed.", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(dataSource))
        {
            throw new ArgumentException("The SQLite connection string has no Data Source: give a file path or :memory:.", nameof(connectionString));
        }

        builder.Services.Configure<SqliteStorageOptions>(o =>
        {
            o.ConnectionString = connectionString;
            configure?.Invoke(o);
        });
        builder.Services.AddOptionsWithValidateOnStart<SqliteStorageOptions, SqliteStorageOptionsValidator>();
        return builder.UseStorage<SqliteVaultStorage>();
    }
}
