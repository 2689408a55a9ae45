using Databunker.Core.PostgreSql;
using Microsoft.Extensions.Configuration;
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
        builder.Services.AddOptionsWithValidateOnStart<PostgreSqlStorageOptions, PostgreSqlStorageOptionsValidator>();
        return builder.UseStorage<PostgreSqlVaultStorage>();
    }

    /// <summary>
    /// Lets configuration choose PostgreSQL for a host set up with <c>AddDatabunker(configuration)</c>
    /// (Databunker.Core.Hosting), which knows only the built-in SQLite storage by itself: when <paramref name="storage"/>,
    /// the vault's <c>Storage</c> section, names <c>PostgreSql</c> (or <c>Postgres</c>) as its <c>Provider</c>, the vault is
    /// stored in PostgreSQL with the section's <c>ConnectionString</c> and its other <see cref="PostgreSqlStorageOptions"/>
    /// (<c>MaxAutoPrepare</c>); when it names another provider, nothing changes, so that one build of a host serves both.
    /// </summary>
    /// <param name="builder">The builder that <c>AddDatabunker(configuration)</c> returned.</param>
    /// <param name="storage">The vault's <c>Storage</c> section, e.g. <c>configuration.GetSection("Databunker:Storage")</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="VaultConfigurationException">The section names PostgreSQL, and its connection string is missing or
    /// malformed; the message names the key, never the string.</exception>
    public static IDatabunkerBuilder AddPostgreSqlProvider(this IDatabunkerBuilder builder, IConfiguration storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        var provider = storage["Provider"]?.Trim();
        if (!ProviderNames.Contains(provider, StringComparer.OrdinalIgnoreCase))
        {
            return builder;
        }

        var path = (storage as IConfigurationSection)?.Path ?? "Storage";
        var connectionString = storage["ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new VaultConfigurationException($"{path}:ConnectionString is not configured: give the vault's database, for example \"Host=db;Database=app;Search Path=vault\".");
        }

        try
        {
            builder.UsePostgreSql(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message says what is wrong with the string without quoting it (it may hold a password).
            throw new VaultConfigurationException($"{path}:ConnectionString: {ex.Message}", ex);
        }

        builder.Services.AddOptions<PostgreSqlStorageOptions>().Bind(storage);
        return builder;
    }

    private static readonly string[] ProviderNames = ["PostgreSql", "Postgres"];

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
