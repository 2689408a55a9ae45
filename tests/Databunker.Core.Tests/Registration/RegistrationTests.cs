using System.Security.Cryptography;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Tests.Registration;

public sealed class RegistrationTests
{
    [Test]
    public async Task AddDatabunker_WithoutLoggingOrClock_WorksOnDefaults()
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite("Data Source=:memory:").UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();

        var vault = provider.GetRequiredService<IPersonalDataVault>();
        var token = await vault.CreatePersonAsync(TestData.Json(new { login = "defaults" }));

        (await vault.GetPersonAsync(PersonLookup.ByLogin("defaults")))!.Token.Should().Be(token);
        provider.GetRequiredService<IExpirationManager>().Should().NotBeNull();
        provider.GetRequiredService<IPersonalDataVault>().Should().BeSameAs(vault);
    }

    [Test]
    public async Task AddDatabunker_TimeProviderRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        services.AddSingleton<TimeProvider>(clock);
        services.AddDatabunker().UseSqlite("Data Source=:memory:").UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();

        var vault = provider.GetRequiredService<IPersonalDataVault>();
        var token = await vault.CreatePersonAsync(TestData.Json(new { login = "clock" }));

        (await vault.GetPersonAsync(PersonLookup.ByToken(token)))!.CreatedAt.Should().Be(clock.GetUtcNow());
    }

    [Test]
    public async Task Resolve_WithoutMasterKey_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite("Data Source=:memory:");
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IPersonalDataVault>();

        act.Should().Throw<VaultConfigurationException>().WithMessage("*UseMasterKey*");
    }

    [Test]
    public async Task Resolve_WithoutStorage_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IPersonalDataVault>();

        act.Should().Throw<VaultConfigurationException>().WithMessage("*UseSqlite*");
    }

    [TestCase("")]
    [TestCase("Data Source=")]
    [TestCase("Nonsense Keyword=3")]
    [TestCase("Data Source=x;Mode=Sideways")]
    public void UseSqlite_MalformedConnectionString_ThrowsArgumentException(string connectionString)
    {
        var builder = new ServiceCollection().AddDatabunker();

        var act = () => builder.UseSqlite(connectionString);

        act.Should().Throw<ArgumentException>();
    }

    [TestCase(16)]
    [TestCase(31)]
    [TestCase(33)]
    public void UseMasterKey_WrongLength_Throws(int length)
    {
        var builder = new ServiceCollection().AddDatabunker();

        var act = () => builder.UseMasterKey(new byte[length]);

        act.Should().Throw<ArgumentException>().WithMessage("*32*");
    }

    [Test]
    public async Task Start_MissingEnvironmentVariable_FailsNamingTheVariable()
    {
        var act = () => VaultHost.StartAsync(keys: b => b.UseMasterKeyFromEnvironment("DATABUNKER_TEST_UNSET_VARIABLE"));

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*DATABUNKER_TEST_UNSET_VARIABLE*");
    }

    [Test]
    public async Task Start_ShortBase64Key_FailsWithoutShowingIt()
    {
        var act = () => VaultHost.StartAsync(keys: b => b.UseMasterKey(Convert.ToBase64String(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })));

        (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("32").And.NotContain("AQIDBAUGBwg=");
    }

    [Test]
    public async Task Start_UnreadableKeyFile_FailsNamingThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "key.bin");

        var act = () => VaultHost.StartAsync(keys: b => b.UseMasterKeyFromFile(missing));

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage($"*{missing}*");
    }

    [Test]
    public async Task Start_FileThatIsNotADatabase_FailsClearly()
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, new string('x', 8192));

        var act = () => VaultHost.StartAsync(database: path);

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*cannot be opened*");
    }

    [Test]
    public async Task Start_ReadOnlyDatabase_FailsClearly()
    {
        var path = VaultHost.NewDatabasePath();
        var key = RandomNumberGenerator.GetBytes(32);
        await using (await VaultHost.StartAsync(database: path, masterKey: key))
        {
        }

        var existing = () => VaultHost.StartAsync(database: path, masterKey: key, connectionString: $"Data Source={path};Mode=ReadOnly");
        var missing = () => VaultHost.StartAsync(connectionString: $"Data Source={VaultHost.NewDatabasePath()};Mode=ReadOnly");

        await existing.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*read-only*writable*");
        await missing.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*cannot be opened*");
    }

    [Test]
    public async Task Start_CorruptSchemaPage_FailsClearly()
    {
        var path = VaultHost.NewDatabasePath();
        await using (await VaultHost.StartAsync(database: path))
        {
        }

        TestData.Sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 100;
            await file.WriteAsync(RandomNumberGenerator.GetBytes(3000));
        }

        var act = () => VaultHost.StartAsync(database: path);

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*cannot be opened*");
    }

    [Test]
    public async Task Start_SchemaNewerThanTheCode_Refuses()
    {
        var path = VaultHost.NewDatabasePath();
        await using (await VaultHost.StartAsync(database: path))
        {
        }

        TestData.Sql(path, "INSERT INTO schema_version (version, applied_at) VALUES (999, 0)");

        var act = () => VaultHost.StartAsync(database: path);

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*999*newer*");
    }

    [Test]
    public async Task Resolve_InvalidOptions_FailsWithEveryProblem()
    {
        var act = () => VaultHost.StartAsync(configure: o =>
        {
            o.MaxProfileBytes = 10;
            o.DefaultPhoneCountryCode = "+44";
            o.Expiration.DefaultRetention = TimeSpan.FromDays(400);
        });

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().HaveCount(3);
    }

    [Test]
    public async Task StorageAndKeyOptions_OutOfRange_FailTheFirstCall_NamingEachOption()
    {
        var cases = new (string Option, Action<IDatabunkerBuilder> Configure)[]
        {
            ("PageCacheKiB", b => b.UseSqlite("Data Source=:memory:", o => o.PageCacheKiB = -1).UseMasterKey(RandomNumberGenerator.GetBytes(32))),
            ("BusyTimeout", b => b.UseSqlite("Data Source=:memory:", o => o.BusyTimeout = TimeSpan.FromSeconds(-1)).UseMasterKey(RandomNumberGenerator.GetBytes(32))),
            ("JournalSizeLimit", b => b.UseSqlite("Data Source=:memory:", o => o.JournalSizeLimit = -1).UseMasterKey(RandomNumberGenerator.GetBytes(32))),
            ("MaxAutoPrepare", b => b.UsePostgreSql("Host=localhost", o => o.MaxAutoPrepare = -1).UseMasterKey(RandomNumberGenerator.GetBytes(32))),
            ("No current master key", b => b.UseSqlite("Data Source=:memory:").UseMasterKey(RandomNumberGenerator.GetBytes(32)).Services.Configure<MasterKeyOptions>(o => o.CurrentVersion = 7)),
        };

        foreach (var (option, configure) in cases)
        {
            var services = new ServiceCollection();
            configure(services.AddDatabunker());
            await using var provider = services.BuildServiceProvider();

            var act = () => provider.GetRequiredService<IVaultAdministration>().InitializeAsync();

            (await act.Should().ThrowAsync<OptionsValidationException>(option)).Which.Message.Should().Contain(option);
        }
    }
}
