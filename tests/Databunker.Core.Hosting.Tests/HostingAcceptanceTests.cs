using Databunker.Core.Expiration;
using Databunker.Core.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Databunker.Core.Tests.Hosting;

/// <summary>
/// Issue 17's first acceptance point: a host built from configuration alone runs the expiration flow end to end
/// on fake time, lives through an outage of its storage during a pass, and reports its health all along.
/// </summary>
[TestFixture]
public sealed class HostingAcceptanceTests
{
    private const string PassDone = "PassDone";
    private const string PassEmpty = "PassEmpty";
    private const string PassFailed = "PassFailed";

    [Test]
    [Category(TestStore.SqliteName)]
    public async Task ConfigurationOnlyHost_OnSqlite_ForgetsWhoIsDue_SurvivesALockedDatabase_ReportsHealth()
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var settings = HostedVault.Settings("Sqlite", $"Data Source={path}", HostedVault.NewKey());
        // Another process's writer holds the lock during the outage; the vault's writers give up after 50 ms.
        settings["Databunker:Storage:BusyTimeout"] = "00:00:00.050";

        await RunFlowAsync(settings, () =>
        {
            var holder = new SqliteConnection($"Data Source={path};Pooling=False");
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                begin.ExecuteNonQuery();
            }

            return holder;
        }, expectUnhealthyDuringOutage: false);
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task ConfigurationOnlyHost_OnPostgreSql_ForgetsWhoIsDue_SurvivesAServerRefusingConnections_ReportsHealth()
    {
        var server = new NpgsqlConnectionStringBuilder(TestStore.PostgreSql.NewDatabase()) { SearchPath = null };
        var name = "hosting_" + Guid.NewGuid().ToString("N")[..16];
        Admin(server.ConnectionString, $"CREATE DATABASE {name};");
        var vault = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Timeout = 5 }.ConnectionString;
        try
        {
            await RunFlowAsync(HostedVault.Settings("PostgreSql", vault, HostedVault.NewKey()), () =>
            {
                // What a failover or a maintenance window looks like from here: the server drops every connection to
                // the database and refuses new ones.
                Admin(server.ConnectionString, $"ALTER DATABASE {name} ALLOW_CONNECTIONS false;");
                Admin(server.ConnectionString, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';");
                return new Restore(() => Admin(server.ConnectionString, $"ALTER DATABASE {name} ALLOW_CONNECTIONS true;"));
            }, expectUnhealthyDuringOutage: true);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Admin(server.ConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");
        }
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task TwoHostsOnOnePostgreSqlVault_RunTheirSchedulersAtOnce_AndForgetEachPersonOnce() =>
        // Several instances share a vault on PostgreSQL (the README sends them there); each pass claims its rows.
        await TwoHostsAsync(HostedVault.Settings("PostgreSql", TestStore.PostgreSql.NewDatabase(), HostedVault.NewKey()));

    private static async Task TwoHostsAsync(Dictionary<string, string?> settings)
    {
        await using var first = await HostedVault.StartAsync(settings);
        await using var second = await HostedVault.StartAsync(settings);
        await first.Logs.WaitAsync(PassEmpty, 0);
        await second.Logs.WaitAsync(PassEmpty, 0);
        var vault = first.Services.GetRequiredService<IPersonalDataVault>();
        var expirations = first.Services.GetRequiredService<IExpirationManager>();
        var people = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            var person = await vault.CreatePersonAsync(TestData.Json(new { email = $"shared{i}@example.com" }));
            await expirations.StartAsync(PersonLookup.ByToken(person), TimeSpan.FromMinutes(10));
            people.Add(person);
        }

        // Both clocks reach the due time; both schedulers pass at once over the same rows. What each host had logged is
        // counted before the clocks move: a pass that ends before its wait begins is still the one waited for.
        var (firstPass, secondPass) = (NextPassAsync(first), NextPassAsync(second));
        first.Time.Advance(TimeSpan.FromMinutes(10));
        second.Time.Advance(TimeSpan.FromMinutes(10));
        var done = await Task.WhenAll(firstPass, secondPass);

        done.Sum().Should().Be(20, "every due person is forgotten by exactly one of the two passes");
        first.Logs.Count(PassFailed).Should().Be(0);
        second.Logs.Count(PassFailed).Should().Be(0);
        foreach (var person in people)
        {
            (await vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().BeNull();
            (await vault.GetAuditEventsAsync(person)).Count(e => e.Operation == AuditOperations.ExpirationExpired).Should().Be(1);
        }
    }

    /// <summary>How many persons the host's next pass forgot (0 for a pass that found nothing due).</summary>
    private static async Task<int> NextPassAsync(HostedVault hosted)
    {
        var empty = hosted.Logs.Count(PassEmpty);
        var done = hosted.Logs.Count(PassDone);
        var finished = await Task.WhenAny(hosted.Logs.WaitAsync(PassEmpty, empty), hosted.Logs.WaitAsync(PassDone, done));
        var text = await finished;
        var match = System.Text.RegularExpressions.Regex.Match(text, @"expiration (\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static async Task RunFlowAsync(Dictionary<string, string?> settings, Func<IDisposable> outage, bool expectUnhealthyDuringOutage)
    {
        await using var hosted = await HostedVault.StartAsync(settings);
        var lifetime = hosted.Services.GetRequiredService<IHostApplicationLifetime>();
        var vault = hosted.Services.GetRequiredService<IPersonalDataVault>();
        var expirations = hosted.Services.GetRequiredService<IExpirationManager>();

        // The vault opened at start; the first pass found nothing and said so at Debug.
        await hosted.Logs.WaitAsync(PassEmpty, 0);
        hosted.Logs.All.Should().Contain(e => e.Name == PassEmpty && e.Level == Microsoft.Extensions.Logging.LogLevel.Debug);
        (await hosted.HealthAsync()).Status.Should().Be(HealthStatus.Healthy);

        // The flow: a person, an expiration, nobody answers, the scheduler forgets them at the due time.
        var first = await vault.CreatePersonAsync(TestData.Json(new { email = "first@example.com" }));
        var ticket = await expirations.StartAsync(PersonLookup.ByToken(first), TimeSpan.FromMinutes(30));
        hosted.Time.Advance(TimeSpan.FromMinutes(30));
        (await hosted.Logs.WaitAsync(PassDone, 0)).Should().Contain("expiration 1");
        (await vault.GetPersonAsync(PersonLookup.ByToken(first))).Should().BeNull();
        (await expirations.GetStatusAsync(PersonLookup.ByToken(first)))!.State.Should().Be(ExpirationState.Deleted);
        hosted.Time.GetUtcNow().Should().Be(ticket.DueAt);

        // An outage begins while a second person falls due.
        var second = await vault.CreatePersonAsync(TestData.Json(new { email = "second@example.com" }));
        await expirations.StartAsync(PersonLookup.ByToken(second), TimeSpan.FromMinutes(10));
        using (outage())
        {
            hosted.Time.Advance(TimeSpan.FromMinutes(10));
            (await hosted.Logs.WaitAsync(PassFailed, 0)).Should().Contain("1 in a row").And.Contain("retrying in 00:00:05");
            var during = await hosted.HealthAsync();
            during.Status.Should().Be(expectUnhealthyDuringOutage ? HealthStatus.Unhealthy : HealthStatus.Degraded);
            if (!expectUnhealthyDuringOutage)
            {
                during.Entries["databunker"].Description.Should().Contain("due-work pass(es) failed");
            }

            // The retry comes after the first back-off, fails again, and the next wait doubles.
            hosted.Time.Advance(TimeSpan.FromSeconds(5));
            (await hosted.Logs.WaitAsync(PassFailed, 1)).Should().Contain("2 in a row").And.Contain("retrying in 00:00:10");
            lifetime.ApplicationStopping.IsCancellationRequested.Should().BeFalse("a failing pass never stops the host");
        }

        // The storage is back: the next retry forgets the second person, and the health is good again.
        hosted.Time.Advance(TimeSpan.FromSeconds(10));
        (await hosted.Logs.WaitAsync(PassDone, 1)).Should().Contain("expiration 1");
        (await vault.GetPersonAsync(PersonLookup.ByToken(second))).Should().BeNull();
        var after = await hosted.HealthAsync();
        after.Status.Should().Be(HealthStatus.Healthy);
        after.Entries["databunker"].Data["scheduler_failures_in_a_row"].Should().Be(0);
        hosted.Logs.All.Should().NotContain(e => e.Text.Contains("first@example.com") || e.Text.Contains("second@example.com"));
    }

    private static void Admin(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
