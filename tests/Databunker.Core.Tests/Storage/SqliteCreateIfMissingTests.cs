using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Storage;

/// <summary>
/// Defect 5: a mistyped SQLite path must not start a new, empty vault with fresh keys when creation is not allowed.
/// Real files in a folder of their own, a real ServiceCollection.
/// </summary>
public sealed class SqliteCreateIfMissingTests
{
    private string _folder = null!;

    [SetUp]
    public void NewFolder()
    {
        _folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "vaults", "create-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [Test]
    public async Task InitializeAsync_MissingFileAndCreationNotAllowed_FailsNamingTheFileAndCreatesNothing()
    {
        var path = Path.Combine(_folder, "vautl.db");
        await using var services = Vault(path, createIfMissing: false);

        var open = () => services.GetRequiredService<IVaultAdministration>().InitializeAsync();

        var message = (await open.Should().ThrowAsync<VaultConfigurationException>()).Which.Message;
        message.Should().Contain("does not exist").And.Contain(path).And.Contain("CreateIfMissing");
        Directory.GetFileSystemEntries(_folder).Should().BeEmpty("no database, -wal or -shm file is created");
    }

    [Test]
    public async Task InitializeAsync_ExistingFileAndCreationNotAllowed_OpensTheVault()
    {
        var path = Path.Combine(_folder, "vault.db");
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        Guid token;
        await using (var created = Vault(path, createIfMissing: null, key))
        {
            token = await created.GetRequiredService<IPersonalDataVault>().CreatePersonAsync(Json(new { login = "kept" }));
        }

        await using var reopened = Vault(path, createIfMissing: false, key);

        (await reopened.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByLogin("kept")))!.Token.Should().Be(token);
    }

    /// <param name="createIfMissing">The option's value; null leaves UseSqlite's default, which creates.</param>
    private static ServiceProvider Vault(string path, bool? createIfMissing, byte[]? key = null)
    {
        var services = new ServiceCollection();
        services.AddDatabunker()
            .UseSqlite($"Data Source={path}", o => o.CreateIfMissing = createIfMissing ?? o.CreateIfMissing)
            .UseMasterKey(key ?? System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        return services.BuildServiceProvider();
    }
}
