using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// A real ASP.NET Core app on a loopback port, as a host would write it: Kestrel, antiforgery, AddDatabunker() on a
/// SQLite file with a real master key, and the link endpoints mapped. Logging keeps the template's level for
/// Microsoft.AspNetCore (Warning) and everything else at Trace, captured for leak checks.
/// </summary>
public sealed class LinkHost : IAsyncDisposable
{
    /// <summary>The public address the mails' links start with; its path is where the endpoints are mapped.</summary>
    public static readonly Uri PublicBase = new("https://shop.example/privacy/");

    private LinkHost(WebApplication app, Uri address, FakeTimeProvider time, CapturingLoggerProvider logs, string database)
    {
        App = app;
        Address = address;
        Time = time;
        Logs = logs;
        Database = database;
    }

    public WebApplication App { get; }

    /// <summary>Where the app listens: http://127.0.0.1:{port}/.</summary>
    public Uri Address { get; }

    public FakeTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public string Database { get; }

    public IPersonalDataVault Vault => App.Services.GetRequiredService<IPersonalDataVault>();

    public IExpirationManager Expirations => App.Services.GetRequiredService<IExpirationManager>();

    public static async Task<LinkHost> StartAsync(Action<WebApplicationBuilder>? configure = null, Action<DatabunkerOptions>? options = null, Action<WebApplication>? map = null)
    {
        var database = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var logs = new CapturingLoggerProvider();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAntiforgery();
        builder.Services.AddDatabunker(o =>
            {
                o.Expiration.LinkBaseAddress = PublicBase;
                options?.Invoke(o);
            })
            .UseSqlite($"Data Source={database}")
            .UseMasterKey(RandomNumberGenerator.GetBytes(32));

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapDatabunkerExpirationLinks();
        map?.Invoke(app);
        await app.StartAsync();
        await app.Services.GetRequiredService<IVaultAdministration>().InitializeAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new LinkHost(app, address, time, logs, database);
    }

    /// <summary>A person with an expiration started: the ticket with both links.</summary>
    public async Task<ExpirationTicket> StartExpirationAsync(string email)
    {
        var person = await Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email }));
        return await Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30)));
    }

    /// <summary>Whether the database file or its write-ahead log holds <paramref name="text"/> in UTF-8.</summary>
    public bool Holds(string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        return new[] { Database, Database + "-wal" }.Where(File.Exists).Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>Reads one number from the database.</summary>
    public long Scalar(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A mail link, pointed at this app instead of the public address.</summary>
    public Uri Local(Uri mailLink) => new(Address, mailLink.AbsolutePath);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
