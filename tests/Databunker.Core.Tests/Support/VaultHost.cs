using System.Security.Cryptography;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Databunker.Core.Tests.Support;

/// <summary>
/// A real vault as a host would build it: a ServiceCollection with AddDatabunker() on a SQLite file in a
/// temporary folder (or a PostgreSQL schema of its own), real key material, a FakeTimeProvider and a
/// capturing logger.
/// </summary>
public sealed class VaultHost : IAsyncDisposable
{
    private VaultHost(ServiceProvider services, TestStore store, string database, byte[] masterKey, FakeTimeProvider time, CapturingLoggerProvider logs)
    {
        Services = services;
        Store = store;
        Database = database;
        MasterKey = masterKey;
        Time = time;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public TestStore Store { get; }

    /// <summary>The SQLite file path, or the PostgreSQL connection string of the host's schema.</summary>
    public string Database { get; }

    public byte[] MasterKey { get; }

    public FakeTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public IPersonalDataVault Vault => Services.GetRequiredService<IPersonalDataVault>();

    public IExpirationManager Expirations => Services.GetRequiredService<IExpirationManager>();

    public IVaultAdministration Administration => Services.GetRequiredService<IVaultAdministration>();

    public static string NewDatabasePath() =>
        Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", $"{Guid.NewGuid():N}.db");

    public static async Task<VaultHost> StartAsync(
        Action<DatabunkerOptions>? configure = null,
        string? database = null,
        byte[]? masterKey = null,
        Action<IDatabunkerBuilder>? keys = null,
        FakeTimeProvider? time = null,
        string? connectionString = null,
        TestStore? store = null,
        Action<IServiceCollection>? services = null,
        Action<Sqlite.SqliteStorageOptions>? sqlite = null)
    {
        store ??= TestStore.Sqlite;
        database ??= store.NewDatabase();
        masterKey ??= RandomNumberGenerator.GetBytes(32);
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var logs = new CapturingLoggerProvider();

        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        collection.AddSingleton<TimeProvider>(time);
        services?.Invoke(collection);
        var builder = collection
            .AddDatabunker(o =>
            {
                o.DefaultActor = "tests";
                o.DefaultPhoneCountryCode = "44";
                o.Expiration.LinkBaseAddress = new Uri("https://app.example/privacy/");
                configure?.Invoke(o);
            });
        if (connectionString is null && sqlite is null)
        {
            store.Use(builder, database);
        }
        else
        {
            builder.UseSqlite(connectionString ?? $"Data Source={database}", sqlite);
        }

        if (keys is null)
        {
            builder.UseMasterKey(masterKey);
        }
        else
        {
            keys(builder);
        }

        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var host = new VaultHost(provider, store, database, masterKey, time, logs);
        await host.Administration.InitializeAsync();
        return host;
    }

    /// <summary>Runs SQL against the host's database directly.</summary>
    public void Sql(string sql, object? parameters = null) => Store.Sql(Database, sql, parameters);

    /// <summary>Reads one value from the host's database directly.</summary>
    public T? Scalar<T>(string sql, object? parameters = null) => Store.Scalar<T>(Database, sql, parameters);

    /// <summary>Every chained audit event of every stripe, in the order they were appended (by id).</summary>
    public async Task<IReadOnlyList<Databunker.Core.Storage.ChainedAuditRecord>> ChainedEventsAsync()
    {
        var audit = Services.GetRequiredService<Databunker.Core.Storage.IAuditStore>();
        var events = new List<Databunker.Core.Storage.ChainedAuditRecord>();
        foreach (var stripe in (await audit.GetAuditChainAsync(default)).Stripes)
        {
            for (var after = 0L; ;)
            {
                var page = await audit.GetChainedAuditAsync(stripe.Stripe, after, 1000, default);
                events.AddRange(page);
                if (page.Count < 1000)
                {
                    break;
                }

                after = page[^1].Sequence;
            }
        }

        return [.. events.OrderBy(e => e.Event.Id)];
    }

    /// <summary>Whether anything the host's database keeps contains <paramref name="needle"/>.</summary>
    public bool Holds(byte[] needle) => Store.Holds(Database, needle);

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
