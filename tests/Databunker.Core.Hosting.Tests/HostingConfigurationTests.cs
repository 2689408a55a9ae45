using System.Reflection;
using Databunker.Core.Hosting;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Databunker.Core.Sqlite;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Databunker.Core.Tests.Hosting;

/// <summary>What configuration sets, and what a host sees when it is wrong: one clear message at start.</summary>
[TestFixture]
[Category(TestStore.SqliteName)]
public sealed class HostingConfigurationTests
{
    private static Dictionary<string, string?> Sqlite(string? key = null)
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return HostedVault.Settings("Sqlite", $"Data Source={path}", key ?? HostedVault.NewKey());
    }

    [Test]
    public async Task EveryOption_IsSetFromConfiguration()
    {
        var settings = Sqlite();
        var values = new Dictionary<string, string?>
        {
            ["DefaultActor"] = "configured-actor",
            ["MaxProfileBytes"] = "2048",
            ["DefaultPhoneCountryCode"] = "44",
            ["AuditRetention"] = "100.00:00:00",
            ["AuditReads"] = "false",
            ["ReadAuditWindow"] = "7",
            ["ReadAuditDelay"] = "00:00:00.020",
            ["CompactAfterForget"] = "true",
            ["MaxBatchItems"] = "77",
            ["AuditVerificationPageSize"] = "99",
            ["RotationBatchSize"] = "55",
            ["Expiration:DefaultRetention"] = "2.00:00:00",
            ["Expiration:MaxRetention"] = "20.00:00:00",
            ["Expiration:LinkBaseAddress"] = "https://shop.example/privacy/",
            ["Expiration:BatchSize"] = "33",
            ["Expiration:ClaimTimeout"] = "00:02:00",
            ["Tokenization:MaxValueLength"] = "512",
            ["Tokenization:RemovalBatchSize"] = "11",
            ["AppData:RemovalBatchSize"] = "12",
            ["AppData:Apps:shop.cart:MaxDocumentBytes"] = "4096",
            ["AppData:Apps:shop.cart:Retention"] = "30.00:00:00",
            ["Sessions:IdleTimeout"] = "00:10:00",
            ["Sessions:AbsoluteTimeout"] = "02:00:00",
            ["Sessions:TouchInterval"] = "00:00:30",
            ["Sessions:MaxDataBytes"] = "1000",
            ["Sessions:MaxLabelLength"] = "50",
            ["Sessions:AuditReads"] = "true",
            ["Sessions:RemovalBatchSize"] = "13",
            ["Shares:DefaultLifetime"] = "1.00:00:00",
            ["Shares:MaxLifetime"] = "3.00:00:00",
            ["Shares:MaxReads"] = "4",
            ["Shares:MaxFields"] = "5",
            ["Shares:RemovalBatchSize"] = "14",
            ["Consent:KeepHistoryAfterForget"] = "true",
            ["Consent:ExpiryBatchSize"] = "15",
            ["Consent:PendingLifetime"] = "10.00:00:00",
            ["Requests:CodeLifetime"] = "00:15:00",
            ["Requests:MaxCodeAttempts"] = "3",
            ["Requests:MaxCodes"] = "2",
            ["Requests:VerificationWindow"] = "3.00:00:00",
            ["Requests:InProgressTimeout"] = "00:30:00",
            ["Requests:RecordRetention"] = "400.00:00:00",
            ["Requests:ApprovalNotRequired:0"] = "Access",
            ["Requests:TimeZone"] = "Europe/Berlin",
            ["Requests:Holidays:0"] = "2026-12-25",
            ["Requests:BatchSize"] = "16",
            ["Privacy:Controller"] = "Shop Ltd",
            ["Privacy:DataProtectionOfficer"] = "dpo@shop.example",
            ["Privacy:Activities:0:Name"] = "newsletter",
            ["Privacy:Activities:0:Purpose"] = "Sending the newsletter",
            ["Privacy:Activities:0:LegalBasis"] = "Consent",
            ["Privacy:Activities:0:LegalBasisDetail"] = "Art. 6(1)(a)",
            ["Privacy:Activities:0:SubjectCategories:0"] = "customers",
            ["Privacy:Activities:0:DataCategories:0"] = "email",
            ["Privacy:Activities:0:Recipients:0"] = "mail provider",
            ["Privacy:Activities:0:Transfers:0:Destination"] = "US",
            ["Privacy:Activities:0:Transfers:0:Safeguard"] = "SCC",
            ["Privacy:Activities:0:Retention"] = "365.00:00:00",
            ["Privacy:Activities:0:RetentionDescription"] = "until unsubscribed",
            ["Privacy:Activities:0:SecurityMeasures:0"] = "encryption",
            ["Privacy:Activities:0:Notice"] = "newsletter-consent",
            ["Privacy:Activities:0:Fields:0:Path"] = "/email",
            ["Privacy:Activities:0:Fields:0:View"] = "EmailDomain",
            ["Privacy:Activities:0:Fields:0:Retention"] = "30.00:00:00",
            ["Privacy:Activities:0:Fields:0:RetentionFrom"] = "ConsentWithdrawal",
            ["Privacy:Activities:0:AppData:0"] = "shop.cart",
            ["Privacy:Activities:0:TokenScopes:0"] = "cards",
            ["Privacy:RequirePurpose"] = "true",
            ["Privacy:CollectionLimit"] = "Warn",
            ["Privacy:Notices:0:Name"] = "newsletter-consent",
            ["Privacy:Notices:0:Text"] = "Yes, send me the newsletter.",
        };
        foreach (var (key, value) in values)
        {
            settings["Databunker:" + key] = value;
        }

        settings["Databunker:Storage:Synchronous"] = "Full";
        settings["Databunker:Storage:PageCacheKiB"] = "1234";

        await using var hosted = await HostedVault.StartAsync(settings, scheduler: false);
        var options = hosted.Services.GetRequiredService<IOptions<DatabunkerOptions>>().Value;

        // Every settable option of the vault, found by reflection, was given above: a new option that configuration
        // cannot set fails here.
        var expected = SettableOptions(typeof(DatabunkerOptions), string.Empty).ToList();
        expected.Should().NotBeEmpty();
        foreach (var name in expected)
        {
            values.Keys.Should().Contain(k => k == name || k.StartsWith(name + ":", StringComparison.Ordinal), $"configuration must set {name}");
        }

        options.DefaultActor.Should().Be("configured-actor");
        options.MaxProfileBytes.Should().Be(2048);
        options.DefaultPhoneCountryCode.Should().Be("44");
        options.AuditRetention.Should().Be(TimeSpan.FromDays(100));
        options.AuditReads.Should().BeFalse();
        options.ReadAuditWindow.Should().Be(7);
        options.ReadAuditDelay.Should().Be(TimeSpan.FromMilliseconds(20));
        options.CompactAfterForget.Should().BeTrue();
        options.MaxBatchItems.Should().Be(77);
        options.AuditVerificationPageSize.Should().Be(99);
        options.RotationBatchSize.Should().Be(55);
        options.Expiration.DefaultRetention.Should().Be(TimeSpan.FromDays(2));
        options.Expiration.MaxRetention.Should().Be(TimeSpan.FromDays(20));
        options.Expiration.LinkBaseAddress.Should().Be(new Uri("https://shop.example/privacy/"));
        options.Expiration.BatchSize.Should().Be(33);
        options.Expiration.ClaimTimeout.Should().Be(TimeSpan.FromMinutes(2));
        options.Tokenization.MaxValueLength.Should().Be(512);
        options.Tokenization.RemovalBatchSize.Should().Be(11);
        options.AppData.RemovalBatchSize.Should().Be(12);
        options.AppData.Apps.Should().ContainKey("shop.cart").WhoseValue.Should().BeEquivalentTo(new { MaxDocumentBytes = 4096, Retention = TimeSpan.FromDays(30) });
        options.Sessions.IdleTimeout.Should().Be(TimeSpan.FromMinutes(10));
        options.Sessions.AbsoluteTimeout.Should().Be(TimeSpan.FromHours(2));
        options.Sessions.TouchInterval.Should().Be(TimeSpan.FromSeconds(30));
        options.Sessions.MaxDataBytes.Should().Be(1000);
        options.Sessions.MaxLabelLength.Should().Be(50);
        options.Sessions.AuditReads.Should().BeTrue();
        options.Sessions.RemovalBatchSize.Should().Be(13);
        options.Shares.DefaultLifetime.Should().Be(TimeSpan.FromDays(1));
        options.Shares.MaxLifetime.Should().Be(TimeSpan.FromDays(3));
        options.Shares.MaxReads.Should().Be(4);
        options.Shares.MaxFields.Should().Be(5);
        options.Shares.RemovalBatchSize.Should().Be(14);
        options.Consent.KeepHistoryAfterForget.Should().BeTrue();
        options.Consent.ExpiryBatchSize.Should().Be(15);
        options.Consent.PendingLifetime.Should().Be(TimeSpan.FromDays(10));
        options.Requests.CodeLifetime.Should().Be(TimeSpan.FromMinutes(15));
        options.Requests.MaxCodeAttempts.Should().Be(3);
        options.Requests.MaxCodes.Should().Be(2);
        options.Requests.VerificationWindow.Should().Be(TimeSpan.FromDays(3));
        options.Requests.InProgressTimeout.Should().Be(TimeSpan.FromMinutes(30));
        options.Requests.RecordRetention.Should().Be(TimeSpan.FromDays(400));
        options.Requests.ApprovalNotRequired.Should().BeEquivalentTo([PrivacyRequestType.Access]);
        options.Requests.TimeZone.Should().Be("Europe/Berlin");
        options.Requests.Holidays.Should().BeEquivalentTo([new DateOnly(2026, 12, 25)]);
        options.Requests.BatchSize.Should().Be(16);
        options.Privacy.Controller.Should().Be("Shop Ltd");
        options.Privacy.DataProtectionOfficer.Should().Be("dpo@shop.example");
        var activity = options.Privacy.Activities.Should().ContainSingle().Subject;
        activity.Should().BeEquivalentTo(new
        {
            Name = "newsletter",
            Purpose = "Sending the newsletter",
            LegalBasis = LegalBasis.Consent,
            LegalBasisDetail = "Art. 6(1)(a)",
            SubjectCategories = new[] { "customers" },
            DataCategories = new[] { "email" },
            Recipients = new[] { "mail provider" },
            Transfers = new[] { new ThirdCountryTransfer("US", "SCC") },
            Retention = TimeSpan.FromDays(365),
            RetentionDescription = "until unsubscribed",
            SecurityMeasures = new[] { "encryption" },
            Notice = "newsletter-consent",
        });
        activity.Fields.Should().ContainSingle().Which.Should().Be(new PurposeField { Path = "/email", View = FieldView.EmailDomain, Retention = TimeSpan.FromDays(30), RetentionFrom = RetentionEvent.ConsentWithdrawal });
        (activity.AppData, activity.TokenScopes).Should().BeEquivalentTo((new[] { "shop.cart" }, new[] { "cards" }));
        (options.Privacy.RequirePurpose, options.Privacy.CollectionLimit).Should().Be((true, CollectionLimit.Warn));
        options.Privacy.Notices.Should().ContainSingle().Which.Should().Be(new PrivacyNotice { Name = "newsletter-consent", Text = "Yes, send me the newsletter." });
        var storage = hosted.Services.GetRequiredService<IOptions<SqliteStorageOptions>>().Value;
        storage.Synchronous.Should().Be(SqliteSynchronous.Full);
        storage.PageCacheKiB.Should().Be(1234);

        // The configured catalogue is the one the vault serves.
        var catalog = hosted.Services.GetRequiredService<IPrivacyCatalog>();
        catalog.Activities.Should().ContainSingle(a => a.Name == "newsletter");
        (await catalog.GetNoticeAsync("newsletter-consent"))!.Text.Should().Be("Yes, send me the newsletter.", "the start published the configured catalogue");
        var person = await hosted.Services.GetRequiredService<IPersonalDataVault>().CreatePersonAsync(System.Text.Json.JsonSerializer.SerializeToElement(new { email = "consent@example.com" }));
        var consent = hosted.Services.GetRequiredService<Consent.IConsentLedger>();
        await consent.RecordAsync(person, new Consent.ConsentRecord { Activity = "newsletter", Decision = Consent.ConsentDecision.Granted, Method = Consent.ConsentMethod.Form, Source = "test" });
        (await consent.GetStateAsync(person)).Should().ContainSingle(c => c.Activity == "newsletter" && c.IsGranted);
    }

    [Test]
    public async Task Telemetry_UsesTheHostsMeterFactory()
    {
        await using var hosted = await HostedVault.StartAsync(Sqlite(), scheduler: false);

        var meter = hosted.Services.GetRequiredService<Diagnostics.DatabunkerTelemetry>().Meter;

        meter.Name.Should().Be("Databunker.Core");
        meter.Scope.Should().BeSameAs(hosted.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "each host has its own meter");
    }

    [Test]
    public void MissingMasterKey_FailsAtRegistration_NamingTheKey()
    {
        var settings = Sqlite();
        settings.Remove("Databunker:MasterKey:Base64");
        settings.Remove("Databunker:MasterKey:Version");

        var act = () => HostedVault.Build(settings);

        act.Should().Throw<VaultConfigurationException>().WithMessage("Databunker:MasterKey is not configured*");
    }

    [TestCase("Databunker:MasterKey:EnvironmentVariable", "SOME_VAR", "*exactly one of Base64, EnvironmentVariable and File; it gives 2*")]
    [TestCase("Databunker:MasterKey:Version", "zero", "*Databunker:MasterKey:Version must be a positive whole number*")]
    [TestCase("Databunker:MasterKey:Base64", "not base64!", "*Databunker:MasterKey:Base64*not valid base64*")]
    [TestCase("Databunker:Storage:ConnectionString", "", "*Databunker:Storage:ConnectionString is not configured*")]
    [TestCase("Databunker:Storage:ConnectionString", "Mode=ReadOnly", "*Databunker:Storage:ConnectionString*no Data Source*")]
    public void MalformedConfiguration_FailsAtRegistration_WithOneClearMessage(string key, string value, string message)
    {
        var settings = Sqlite();
        settings[key] = value;

        var act = () => HostedVault.Build(settings);

        act.Should().Throw<VaultConfigurationException>().WithMessage(message);
    }

    [TestCase("Oracle", true)]
    [TestCase("PostgreSql", false)]
    public async Task StorageProviderThatNoPackageAdded_FailsTheStart_NamingTheCallItNeeds(string provider, bool postgreSqlAdded)
    {
        var settings = Sqlite();
        settings["Databunker:Storage:Provider"] = provider;
        var hosted = HostedVault.Build(settings, postgreSql: postgreSqlAdded);

        var act = () => hosted.Host.StartAsync();

        (await act.Should().ThrowAsync<VaultConfigurationException>()).WithMessage(
            $"Databunker:Storage:Provider is \"{provider}\", and no storage provider of that name was added*AddPostgreSqlProvider*");
        hosted.Host.Dispose();
    }

    [TestCase("")]
    [TestCase("Host=")]
    public void PostgreSqlProvider_WithABadConnectionString_FailsAtRegistration_WithoutQuotingIt(string connectionString)
    {
        var settings = Sqlite();
        settings["Databunker:Storage:Provider"] = "postgres";
        settings["Databunker:Storage:ConnectionString"] = connectionString + ";Password=secret-value";

        var act = () => HostedVault.Build(settings);

        act.Should().Throw<VaultConfigurationException>().WithMessage("Databunker:Storage:ConnectionString*")
            .Which.ToString().Should().NotContain("secret-value");
    }

    [Test]
    public async Task IncompleteCatalogueOrUnknownTimeZone_FailTheStart_NamingWhatIsMissing()
    {
        var settings = Sqlite();
        settings["Databunker:Privacy:Activities:0:Name"] = "newsletter";
        settings["Databunker:Privacy:Activities:1:Purpose"] = "no name, no basis";
        settings["Databunker:Requests:TimeZone"] = "Mars/Olympus_Mons";
        settings["Databunker:AppData:Apps:Cart:MaxDocumentBytes"] = "0";
        var hosted = HostedVault.Build(settings);

        var act = () => hosted.Host.StartAsync();

        var failures = (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("Activities:0 needs a Purpose, a LegalBasis of Art. 6(1)"))
            .And.Contain(f => f.Contains("Activities:1 needs a well-formed Name, a LegalBasis"))
            .And.Contain(f => f.Contains("\"Mars/Olympus_Mons\" is not a time zone"))
            .And.Contain(f => f.Contains("The application name 'Cart' is not well-formed"));
        hosted.Host.Dispose();
    }

    [Test]
    public async Task InvalidOption_FailsTheStart_NotTheFirstRequest()
    {
        var settings = Sqlite();
        settings["Databunker:Expiration:MaxRetention"] = "-1.00:00:00";
        var hosted = HostedVault.Build(settings);

        var act = () => hosted.Host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("MaxRetention");
        hosted.Host.Dispose();
    }

    [Test]
    public async Task InvalidSchedulerOption_FailsTheStart()
    {
        var settings = Sqlite();
        settings["Databunker:Scheduler:Period"] = "00:00:00";
        var hosted = HostedVault.Build(settings);

        var act = () => hosted.Host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Period");
        hosted.Host.Dispose();
    }

    [Test]
    public async Task WrongMasterKey_FailsTheStart_AndLogsWhy()
    {
        var settings = Sqlite();
        await using (await HostedVault.StartAsync(settings, scheduler: false))
        {
            // The vault is created under the first key.
        }

        settings["Databunker:MasterKey:Base64"] = HostedVault.NewKey();
        var hosted = HostedVault.Build(settings);

        var act = () => hosted.Host.StartAsync();

        var thrown = await act.Should().ThrowAsync<DatabunkerException>();
        thrown.Which.Message.Should().Contain("master key");
        hosted.Logs.All.Should().ContainSingle(e => e.Name == "VaultDidNotOpen").Which.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Critical);
        hosted.Host.Dispose();
    }

    [Test]
    [Category(TestStore.PostgreSqlName)]
    public async Task PostgreSqlSchemaMissing_FailsTheStart_SayingCreateTheSchema()
    {
        var missing = new NpgsqlConnectionStringBuilder(TestStore.PostgreSql.NewDatabase()) { SearchPath = "absent_" + Guid.NewGuid().ToString("N") }.ConnectionString;
        var hosted = HostedVault.Build(HostedVault.Settings("PostgreSql", missing, HostedVault.NewKey()));

        var act = () => hosted.Host.StartAsync();

        (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("create the schema");
        hosted.Host.Dispose();
    }

    [Test]
    public async Task Health_IsDegraded_WhenTheOldestDueExpirationWaitsTooLong()
    {
        var settings = Sqlite();
        settings["Databunker:HealthChecks:MaxOverdue"] = "00:10:00";
        await using var hosted = await HostedVault.StartAsync(settings, scheduler: false);
        var vault = hosted.Services.GetRequiredService<IPersonalDataVault>();
        var person = await vault.CreatePersonAsync(TestData.Json(new { email = "late@example.com" }));
        var ticket = await hosted.Services.GetRequiredService<Expiration.IExpirationManager>().StartAsync(PersonLookup.ByToken(person), TimeSpan.FromHours(1));

        hosted.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(10));
        var onTime = await hosted.HealthAsync();
        hosted.Time.Advance(TimeSpan.FromSeconds(1));
        var late = await hosted.HealthAsync();

        onTime.Status.Should().Be(HealthStatus.Healthy, "10 minutes overdue is within MaxOverdue");
        late.Status.Should().Be(HealthStatus.Degraded);
        late.Entries["databunker"].Description.Should().Contain("waited 10 minutes");
        late.Entries["databunker"].Data["earliest_due"].Should().Be(ticket.DueAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        late.Entries["databunker"].Data["overdue_seconds"].Should().Be(601.0);
    }

    [Test]
    public void RetryDelay_DoublesFromTheFirstAndStopsAtTheMaximum()
    {
        var options = new DatabunkerSchedulerOptions { FirstRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(30) };

        Enumerable.Range(1, 6).Select(n => DueWorkScheduler.RetryDelay(options, n).TotalSeconds).Should().Equal(5, 10, 20, 30, 30, 30);
        DueWorkScheduler.RetryDelay(options, int.MaxValue).Should().Be(TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task SqliteFileMissing_FailsTheStartAndCreatesNothing_UnlessCreateIfMissing()
    {
        var settings = Sqlite();
        settings.Remove("Databunker:Storage:CreateIfMissing");
        var path = Path.Combine(Path.GetDirectoryName(VaultHost.NewDatabasePath())!, Guid.NewGuid().ToString("N"), "vautl.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        settings["Databunker:Storage:ConnectionString"] = $"Data Source={path}";
        var hosted = HostedVault.Build(settings);

        var act = () => hosted.Host.StartAsync();

        (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("does not exist").And.Contain(path);
        hosted.Host.Dispose();
        Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!).Should().BeEmpty("a mistyped path creates no vault");

        settings["Databunker:Storage:CreateIfMissing"] = "true";
        await using (await HostedVault.StartAsync(settings, scheduler: false))
        {
            File.Exists(path).Should().BeTrue("creating the vault was asked for");
        }
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task MasterKeyFile_ReadableByItsGroup_FailsTheStartNamingTheMode()
    {
        var settings = WithKeyFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, out var key);
        var hosted = HostedVault.Build(settings);

        var act = () => hosted.Host.StartAsync();

        var message = (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message;
        message.Should().Contain("mode 0640").And.Contain("AllowGroupOrOtherReadableKeyFile").And.NotContain(key);
        hosted.Host.Dispose();
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task MasterKeyFile_ReadableAndAllowedByConfiguration_StartsAndWarns()
    {
        var settings = WithKeyFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, out var key);
        settings["Databunker:MasterKey:AllowGroupOrOtherReadableKeyFile"] = "true";

        await using var hosted = await HostedVault.StartAsync(settings, scheduler: false);

        var warning = hosted.Logs.All.Should().ContainSingle(e => e.Name == "KeyFileReadableByOthers").Subject;
        warning.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);
        warning.Text.Should().Contain("mode 0640").And.NotContain(key);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static Dictionary<string, string?> WithKeyFile(UnixFileMode mode, out string key)
    {
        var settings = Sqlite();
        key = settings["Databunker:MasterKey:Base64"]!;
        var file = Path.Combine(Path.GetDirectoryName(VaultHost.NewDatabasePath())!, Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllText(file, key);
        File.SetUnixFileMode(file, mode);
        settings.Remove("Databunker:MasterKey:Base64");
        settings["Databunker:MasterKey:File"] = file;
        return settings;
    }

    /// <summary>The configuration keys of every settable option of <paramref name="type"/> and its nested options objects.</summary>
    private static IEnumerable<string> SettableOptions(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = prefix + property.Name;
            if (property.SetMethod is { IsPublic: true })
            {
                yield return key;
            }
            else if (property.PropertyType.Namespace?.StartsWith("Databunker.Core", StringComparison.Ordinal) == true && property.PropertyType.IsClass)
            {
                foreach (var nested in SettableOptions(property.PropertyType, key + ":"))
                {
                    yield return nested;
                }
            }
            else
            {
                // A collection that configuration fills (activities, notices, apps, holidays, approval types).
                yield return key;
            }
        }
    }
}
