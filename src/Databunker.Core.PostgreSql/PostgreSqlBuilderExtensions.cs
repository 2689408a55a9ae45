using Databunker.Core.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core;

/// <summary>Chooses the PostgreSQL storage.</summary>
public static class PostgreSqlBuilderExtensions
{
    /// <summary>
    /// Stores the vault in PostgreSQL, which every instance of the host reaches: the switch from
    /// <c>UseSqlite(...)</c> is this one call. <see cref="IVaultAdministration.InitializeAsync"/> creates or
    /// upgrades the tables in the first schema of the connection's search path.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string with a Host.</param>
    /// <param name="configure">Sets the other <see cref="PostgreSqlStorageOptions"/>; optional.</param>
    /// <exception cref="ArgumentException">The connection string is empty, malformed or has no Host.</exception>
    public static IDatabunkerBuilder UsePostgreSql(this IDatabunkerBuilder builder, string connectionString, Action<PostgreSqlStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = ParseConnectionString(connectionString, nameof(connectionString));
        builder.Services.Configure<PostgreSqlStorageOptions>(o =>
        {
            o.ConnectionString = connectionString;
            configure?.Invoke(o);
        });
        return builder.UseStorage<PostgreSqlVaultStorage>();
    }

    internal static NpgsqlConnectionStringBuilder ParseConnectionString(string connectionString, string parameterName)
    {
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            // The message of the inner exception may quote the string, password and all: it is not repeated.
            throw new ArgumentException("The PostgreSQL connection string is malformed.", parameterName, ex);
        }

        if (string.IsNullOrWhiteSpace(parsed.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string has no Host.", parameterName);
        }

        return parsed;
    }
}
