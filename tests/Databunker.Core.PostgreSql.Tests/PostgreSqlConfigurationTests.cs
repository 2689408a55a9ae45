using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>What a host sees when the PostgreSQL storage is set up wrongly: a clear error, and never its password.</summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
public sealed class PostgreSqlConfigurationTests
{
    private const string Password = "s3cret-Pa55word";

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("Port=5432;Username=vault")]
    [TestCase("Hots=db;Password=" + Password)]
    [TestCase("Host=db;Port=not-a-port;Password=" + Password)]
    public void UsePostgreSql_BadConnectionString_ThrowsArgumentExceptionWithoutThePassword(string connectionString)
    {
        var act = () => new ServiceCollection().AddDatabunker().UsePostgreSql(connectionString);

        act.Should().Throw<ArgumentException>().Which.ToString().Should().NotContain(Password);
    }

    [Test]
    public async Task InitializeAsync_ServerNotReachable_ThrowsVaultConfigurationExceptionWithoutThePassword()
    {
        await using var services = Build($"Host=127.0.0.1;Port=1;Username=vault;Password={Password};Timeout=2");

        var act = () => services.GetRequiredService<IVaultAdministration>().InitializeAsync();

        var thrown = await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*cannot be reached*");
        thrown.Which.Message.Should().NotContain(Password);
    }

    [Test]
    public async Task InitializeAsync_SearchPathNamesNoSchema_SaysSo()
    {
        var database = TestStore.PostgreSql.NewDatabase();
        var missing = new NpgsqlConnectionStringBuilder(database) { SearchPath = "no_such_schema_" + Guid.NewGuid().ToString("N") }.ConnectionString;
        await using var services = Build(missing);

        var act = () => services.GetRequiredService<IVaultAdministration>().InitializeAsync();

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*search path names no existing schema*");
    }

    [Test]
    public async Task InitializeAsync_DatabaseMissing_SaysSoNotPermission()
    {
        var missing = new NpgsqlConnectionStringBuilder(TestStore.PostgreSql.NewDatabase()) { Database = "no_such_db_" + Guid.NewGuid().ToString("N") }.ConnectionString;
        await using var services = Build(missing);

        var act = () => services.GetRequiredService<IVaultAdministration>().InitializeAsync();

        (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should()
            .Contain("database named in the connection string does not exist").And.Contain("CREATE DATABASE").And.NotContain("privilege");
    }

    [Test]
    public async Task InitializeAsync_RoleMayNotLogIn_SaysTheLoginWasRefused()
    {
        var database = TestStore.PostgreSql.NewDatabase();
        var role = "vault_" + Guid.NewGuid().ToString("N")[..12];
        using (var admin = new NpgsqlConnection(database))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE ROLE {role} NOLOGIN;", admin);
            create.ExecuteNonQuery();
        }

        var wrong = new NpgsqlConnectionStringBuilder(database) { Username = role, Password = Password }.ConnectionString;
        await using var services = Build(wrong);

        var act = () => services.GetRequiredService<IVaultAdministration>().InitializeAsync();

        var thrown = await act.Should().ThrowAsync<VaultConfigurationException>();
        thrown.Which.Message.Should().Contain("refused the login").And.NotContain(Password);
    }

    [Test]
    public async Task InitializeAsync_SchemaNewerThanTheLibrary_IsRefused()
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.PostgreSql);
        host.Sql("INSERT INTO schema_version (version, applied_at) VALUES (99, 0);");
        await using var services = Build(host.Database);

        var act = () => services.GetRequiredService<IVaultAdministration>().InitializeAsync();

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*schema has version 99*upgrade the library*");
    }

    private static ServiceProvider Build(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UsePostgreSql(connectionString).UseMasterKey(RandomNumberGenerator.GetBytes(32));
        return services.BuildServiceProvider();
    }
}
