using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Databunker.Core.Tests.Hosting;

/// <summary>
/// A generic host as an application builds it, configured from configuration alone: the only code is
/// <c>AddDatabunker(configuration).AddScheduler()</c> and <c>AddHealthChecks().AddDatabunker()</c>. The test swaps
/// in a <see cref="FakeTimeProvider"/> and a log recorder, as a test of any host would.
/// </summary>
public sealed class HostedVault : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private HostedVault(IHost host, FakeTimeProvider time, LogEvents logs)
    {
        Host = host;
        Time = time;
        Logs = logs;
    }

    public IHost Host { get; }

    public FakeTimeProvider Time { get; }

    public LogEvents Logs { get; }

    public IServiceProvider Services => Host.Services;

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The settings of a vault on <paramref name="provider"/> at <paramref name="connectionString"/>, with the given key.
    /// A test's SQLite file is new, so its creation is asked for (configuration does not create a missing file).
    /// </summary>
    public static Dictionary<string, string?> Settings(string provider, string connectionString, string key) => new()
    {
        ["Databunker:Storage:CreateIfMissing"] = provider == "Sqlite" ? "true" : null,
        ["Databunker:DefaultActor"] = "hosting-test",
        ["Databunker:Storage:Provider"] = provider,
        ["Databunker:Storage:ConnectionString"] = connectionString,
        ["Databunker:MasterKey:Base64"] = key,
        ["Databunker:MasterKey:Version"] = "1",
        ["Databunker:Scheduler:Period"] = "00:01:00",
        ["Databunker:Scheduler:FirstRetryDelay"] = "00:00:05",
        ["Databunker:Scheduler:MaxRetryDelay"] = "00:00:20",
    };

    /// <summary>
    /// Builds the host; <paramref name="scheduler"/> false leaves the scheduler out, <paramref name="postgreSql"/> false the
    /// PostgreSQL provider.
    /// </summary>
    public static HostedVault Build(IDictionary<string, string?> settings, bool scheduler = true, bool postgreSql = true)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        var time = new FakeTimeProvider(Start);
        var logs = new LogEvents();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);

        var vault = builder.Services.AddDatabunker(builder.Configuration.GetSection("Databunker"));
        if (postgreSql)
        {
            vault.AddPostgreSqlProvider(builder.Configuration.GetSection("Databunker:Storage"));
        }

        if (scheduler)
        {
            vault.AddScheduler();
        }

        builder.Services.AddHealthChecks().AddDatabunker();
        return new HostedVault(builder.Build(), time, logs);
    }

    public static async Task<HostedVault> StartAsync(IDictionary<string, string?> settings, bool scheduler = true)
    {
        var hosted = Build(settings, scheduler);
        await hosted.Host.StartAsync();
        return hosted;
    }

    public async Task<HealthReport> HealthAsync() => await Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
