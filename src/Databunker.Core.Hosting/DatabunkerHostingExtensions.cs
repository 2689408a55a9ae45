using System.Globalization;
using Databunker.Core.Hosting;
using Databunker.Core.Keys;
using Databunker.Core.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Databunker.Core;

/// <summary>
/// Databunker.Core in a .NET generic host (<c>Host.CreateApplicationBuilder</c>, <c>WebApplication.CreateBuilder</c>):
/// the vault configured from configuration, opened when the host starts, its due work run by a hosted scheduler,
/// and its health reported to the host's health checks.
/// </summary>
public static class DatabunkerHostingExtensions
{
    /// <summary>The configuration section the vault is usually read from: <c>Databunker</c>.</summary>
    public const string DefaultSectionName = "Databunker";

    /// <summary>
    /// Registers the vault configured by <paramref name="configuration"/>, usually
    /// <c>builder.Configuration.GetSection("Databunker")</c>, so that appsettings.json, environment variables
    /// (<c>Databunker__Storage__ConnectionString</c>) and secret stores configure it:
    /// <list type="bullet">
    /// <item>the properties of <see cref="DatabunkerOptions"/> at the top of the section (<c>DefaultActor</c>,
    /// <c>Expiration:DefaultRetention</c>, ...), validated when the host starts;</item>
    /// <item><c>Storage</c>: <c>Provider</c>, <c>ConnectionString</c>, and the provider's other options. <c>Sqlite</c>, the
    /// default, is built in (<see cref="SqliteStorageOptions"/>); a missing SQLite file is created only when
    /// <c>Storage:CreateIfMissing</c> is <c>true</c> (<see cref="SqliteStorageOptions.CreateIfMissing"/>), otherwise the
    /// start fails naming it. Another provider comes with its package, added on the returned builder: for
    /// <c>PostgreSql</c>, <c>.AddPostgreSqlProvider(configuration.GetSection("Storage"))</c> from Databunker.Core.PostgreSql.
    /// A provider that configuration names and no package added fails the start, naming it;</item>
    /// <item><c>MasterKey</c>: exactly one of <c>Base64</c> (the key itself, from a secret store),
    /// <c>EnvironmentVariable</c> or <c>File</c>, and <c>Version</c> (default 1), and
    /// <c>AllowGroupOrOtherReadableKeyFile</c> (<see cref="MasterKeyOptions.AllowGroupOrOtherReadableKeyFile"/>, for
    /// every key file); <c>PreviousMasterKeys</c>: a list of the same, for keys being rotated out;</item>
    /// <item><c>Scheduler</c>: <see cref="DatabunkerSchedulerOptions"/>, used once <see cref="AddScheduler"/> is
    /// called; <c>HealthChecks</c>: <see cref="DatabunkerHealthCheckOptions"/>.</item>
    /// </list>
    /// It also opens the vault when the host starts (<see cref="InitializeOnStart"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The vault's configuration section.</param>
    /// <returns>The builder, to add a scheduler or your own key provider.</returns>
    /// <exception cref="VaultConfigurationException">The storage or the master key is missing or malformed in
    /// <paramref name="configuration"/>; the message names the key, never a secret.</exception>
    public static IDatabunkerBuilder AddDatabunker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddDatabunker();
        services.AddOptions<DatabunkerOptions>().Bind(configuration);
        UseConfiguredStorage(builder, configuration.GetSection("Storage"));
        UseConfiguredMasterKeys(builder, configuration);
        services.AddOptions<DatabunkerSchedulerOptions>().Bind(configuration.GetSection("Scheduler"));
        services.AddOptions<DatabunkerHealthCheckOptions>().Bind(configuration.GetSection("HealthChecks"));
        return builder.InitializeOnStart();
    }

    /// <summary>
    /// Opens the vault (migrations, keys) when the host starts, before any hosted service or the web server: a
    /// missing or wrong key, an unreachable database or a missing schema fails the start with one clear message
    /// instead of failing the first request.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDatabunkerBuilder InitializeOnStart(this IDatabunkerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VaultInitializer>());
        return builder;
    }

    /// <summary>
    /// Runs every module's due work as a hosted service: the expiration pass, expired tokens, sessions and shares,
    /// consent expiry, request deadlines (<see cref="IVaultAdministration.RunDueWorkAsync"/>), and every
    /// <see cref="DatabunkerSchedulerOptions.HousekeepingPeriod"/> the audit retention and a compaction. A failing
    /// pass is logged and retried with a growing delay; it never ends the loop or stops the host. Several instances
    /// of the host may run it against one database: a pass claims what it works on.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets <see cref="DatabunkerSchedulerOptions"/>, after the configuration; optional.</param>
    /// <returns>The builder.</returns>
    public static IDatabunkerBuilder AddScheduler(this IDatabunkerBuilder builder, Action<DatabunkerSchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptionsWithValidateOnStart<DatabunkerSchedulerOptions, DatabunkerSchedulerOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<DueWorkSchedulerState>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DueWorkScheduler>());
        return builder;
    }

    /// <summary>
    /// Adds the vault's health check: it opens the vault if needed (keys), reads the storage, and reports the
    /// due-work backlog: <see cref="HealthStatus.Degraded"/> when the oldest due expiration waited longer than
    /// <see cref="DatabunkerHealthCheckOptions.MaxOverdue"/> or the scheduler's last pass failed;
    /// <paramref name="failureStatus"/> when the storage cannot be reached or the vault cannot be opened.
    /// Its data carries times and counts, never personal data.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; default <c>databunker</c>.</param>
    /// <param name="failureStatus">The status of a failure; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (<c>ready</c>, <c>live</c>); optional.</param>
    /// <returns>The health checks builder.</returns>
    public static IHealthChecksBuilder AddDatabunker(this IHealthChecksBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptionsWithValidateOnStart<DatabunkerHealthCheckOptions, DatabunkerHealthCheckOptionsValidator>();
        return builder.Add(new HealthCheckRegistration(
            name ?? "databunker",
            sp => new DatabunkerHealthCheck(
                sp.GetRequiredService<IVaultAdministration>(),
                sp.GetRequiredService<IOptions<DatabunkerHealthCheckOptions>>(),
                sp.GetService<DueWorkSchedulerState>()),
            failureStatus,
            tags));
    }

    /// <summary>The key of the message that replaces the vault's "no storage is configured"; the same string as Core's.</summary>
    private const string UnconfiguredStorageKey = "Databunker.UnconfiguredStorage";

    private static void UseConfiguredStorage(IDatabunkerBuilder builder, IConfigurationSection storage)
    {
        var provider = storage["Provider"] is { Length: > 0 } named ? named.Trim() : "Sqlite";
        var connectionString = storage["ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new VaultConfigurationException(
                $"{storage.Path}:ConnectionString is not configured: give the vault's database, for example \"Data Source=vault.db\" (Sqlite) or \"Host=db;Database=app;Search Path=vault\" (PostgreSql).");
        }

        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            // Another package's provider (PostgreSQL's AddPostgreSqlProvider) sets the storage up from the same section. If
            // none does, the vault's "no storage is configured" says which provider configuration named and what it needs.
            builder.Services.AddKeyedSingleton(UnconfiguredStorageKey,
                $"{storage.Path}:Provider is \"{provider}\", and no storage provider of that name was added. Sqlite is built in; for PostgreSql, " +
                "reference Databunker.Core.PostgreSql and call .AddPostgreSqlProvider(storageSection) on the builder that AddDatabunker(configuration) returns.");
            return;
        }

        try
        {
            // Configuration does not create a missing file unless Storage:CreateIfMissing says so (bound next):
            // a mistyped path must fail the start, not open an empty vault with fresh keys.
            builder.UseSqlite(connectionString, o => o.CreateIfMissing = false);
            builder.Services.AddOptions<SqliteStorageOptions>().Bind(storage);
        }
        catch (ArgumentException ex)
        {
            // The message says what is wrong with the string without quoting it (it may hold a password).
            throw new VaultConfigurationException($"{storage.Path}:ConnectionString: {ex.Message}", ex);
        }
    }

    private static void UseConfiguredMasterKeys(IDatabunkerBuilder builder, IConfiguration configuration)
    {
        var current = configuration.GetSection("MasterKey");
        if (!current.Exists())
        {
            throw new VaultConfigurationException(
                $"{current.Path} is not configured: give Base64 (from a secret store), EnvironmentVariable or File, and Version.");
        }

        var (source, version) = KeySource(current);
        builder.UseMasterKey(source, version);
        if (current[nameof(MasterKeyOptions.AllowGroupOrOtherReadableKeyFile)] is { } allow)
        {
            var allowed = bool.TryParse(allow, out var parsed) ? parsed
                : throw new VaultConfigurationException($"{current.Path}:{nameof(MasterKeyOptions.AllowGroupOrOtherReadableKeyFile)} must be true or false.");
            builder.Services.Configure<MasterKeyOptions>(o => o.AllowGroupOrOtherReadableKeyFile = allowed);
        }

        foreach (var previous in configuration.GetSection("PreviousMasterKeys").GetChildren())
        {
            var (older, olderVersion) = KeySource(previous);
            if (olderVersion == version)
            {
                throw new VaultConfigurationException($"{previous.Path}:Version is {olderVersion}, the version of the current master key.");
            }

            builder.AddPreviousMasterKey(older, olderVersion);
        }
    }

    private static (MasterKeySource Source, int Version) KeySource(IConfigurationSection key)
    {
        var version = 1;
        if (key["Version"] is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) || version <= 0))
        {
            throw new VaultConfigurationException($"{key.Path}:Version must be a positive whole number.");
        }

        var base64 = key["Base64"];
        var variable = key["EnvironmentVariable"];
        var file = key["File"];
        var given = (base64 is null ? 0 : 1) + (variable is null ? 0 : 1) + (file is null ? 0 : 1);
        if (given != 1)
        {
            throw new VaultConfigurationException(
                $"{key.Path} must give exactly one of Base64, EnvironmentVariable and File; it gives {given}.");
        }

        try
        {
            var source = base64 is not null ? MasterKeySource.FromBase64(base64)
                : variable is not null ? MasterKeySource.FromEnvironment(variable)
                : MasterKeySource.FromFile(file!);
            return (source, version);
        }
        catch (VaultConfigurationException ex)
        {
            throw new VaultConfigurationException($"{key.Path}:Base64: {ex.Message}", ex);
        }
    }
}
