using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Storage;
using Databunker.Core.Tokenization;
using Databunker.Core.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// A failing database reaches the caller as the library's <see cref="DatabunkerStorageException"/>, which says
/// whether a retry can help, never as the driver's exception and never with a value in its message.
/// </summary>
[TestFixture]
[Category(TestStore.SqliteName)]
public sealed class StorageFailureTests
{
    [Test]
    public async Task DatabaseLockedByAnotherProcess_IsATransientStorageException_AndTheWriteDidNotHappen()
    {
        var path = VaultHost.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var services = new ServiceCollection();
        services.AddDatabunker().UseSqlite($"Data Source={path}", o => o.BusyTimeout = TimeSpan.FromMilliseconds(50)).UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();
        var vault = provider.GetRequiredService<IPersonalDataVault>();
        await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();

        DatabunkerStorageException thrown;
        using (var holder = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            holder.Open();
            using var begin = holder.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE;";
            begin.ExecuteNonQuery();

            var act = () => vault.CreatePersonAsync(Json(new { email = "locked-out@example.com" }));
            thrown = (await act.Should().ThrowAsync<DatabunkerStorageException>()).Which;
        }

        thrown.IsTransient.Should().BeTrue("a lock held by another process passes");
        thrown.Message.Should().Contain("SQLite error 5").And.Contain("retry").And.NotContain("locked-out");
        thrown.InnerException.Should().BeOfType<SqliteException>();
        (await vault.GetPersonAsync(PersonLookup.ByEmail("locked-out@example.com"))).Should().BeNull("the failed write did not happen");

        // Once the lock is gone, the same call succeeds.
        await vault.CreatePersonAsync(Json(new { email = "locked-out@example.com" }));
        (await vault.GetPersonAsync(PersonLookup.ByEmail("locked-out@example.com"))).Should().NotBeNull();
    }

    [Test]
    public async Task MissingTable_IsAStorageExceptionARetryDoesNotFix()
    {
        await using var host = await VaultHost.StartAsync();
        host.Sql("DROP TABLE tokens;");

        var act = () => host.Services.GetRequiredService<ITokenizer>().TokenizeAsync("4111111111111111");

        var thrown = (await act.Should().ThrowAsync<DatabunkerStorageException>()).Which;
        thrown.IsTransient.Should().BeFalse();
        thrown.Message.Should().Contain("SQLite error 1").And.NotContain("4111");
    }

    [Test]
    public void StorageRoles_ListsEveryRoleInterfaceOfThePackage()
    {
        // The list is written out so that trimming keeps the roles; reflection here makes sure none is missing.
        var found = typeof(IStorageRole).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && t != typeof(IStorageRole) && typeof(IStorageRole).IsAssignableFrom(t));

        StorageRoles.All.Should().BeEquivalentTo(found).And.OnlyHaveUniqueItems();
    }

    [Test]
    public void EveryStorageRole_IsBehindTheBoundary()
    {
        using var storage = new CountingStorage(new ServiceCollection().BuildServiceProvider());

        foreach (var role in StorageRoles.All)
        {
            StorageBoundary.Wrap(role, storage).Should().NotBeSameAs(storage, $"{role.Name} must translate storage failures");
            StorageBoundary.Wrap(role, storage).Should().BeAssignableTo(role);
        }
    }
}
