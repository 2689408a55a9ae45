using System.Security.Cryptography;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Storage;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Registration;

public sealed class UseStorageTests
{
    [Test]
    public async Task UseStorage_OwnStorageOnThePublicSpi_RunsEveryModule()
    {
        var path = TestStore.Sqlite.NewDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        CountingStorage? storage = null;
        var services = new ServiceCollection();
        services.AddDatabunker()
            .UseStorage(sp => storage = CountingStorage.OverSqlite(sp, $"Data Source={path}"))
            .UseMasterKey(key);
        Guid kept;
        await using (var provider = services.BuildServiceProvider())
        {
            var vault = provider.GetRequiredService<IPersonalDataVault>();
            var tokenizer = provider.GetRequiredService<ITokenizer>();
            var expirations = provider.GetRequiredService<IExpirationManager>();
            kept = await vault.CreatePersonAsync(TestData.Json(new { email = "kept@example.com" }));
            var gone = await vault.CreatePersonAsync(TestData.Json(new { email = "gone@example.com" }));
            var card = await tokenizer.TokenizeAsync("4111111111111111", new TokenizeOptions { Person = gone });
            var ticket = await expirations.StartAsync(PersonLookup.ByToken(gone));

            (await expirations.DeleteAsync(ticket.DeleteToken)).Should().Be(ExpirationLinkResult.Deleted);

            (await vault.GetPersonAsync(PersonLookup.ByEmail("gone@example.com"))).Should().BeNull();
            (await tokenizer.DetokenizeAsync(card)).Should().BeNull("the person's tokens went with them");
            (await vault.GetPersonAsync(PersonLookup.ByEmail("kept@example.com")))!.Token.Should().Be(kept);
            storage!.Calls.Should().BeGreaterThan(10, "every module reached the store through the storage we plugged in");
        }

        var plain = new ServiceCollection();
        plain.AddDatabunker().UseSqlite($"Data Source={path}").UseMasterKey(key);
        await using var reopened = plain.BuildServiceProvider();
        (await reopened.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByToken(kept))).Should().NotBeNull(
            "the storage of our own wrote the same rows the built-in one reads");
    }

    [Test]
    public async Task UseStorage_StorageLackingARole_FailsWhenTheFeatureIsResolved()
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseStorage(new KeysOnly()).UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<ITokenizer>();

        resolve.Should().Throw<VaultConfigurationException>().WithMessage("*KeysOnly*does not implement the storage role*");
    }

    [Test]
    public async Task AddDatabunker_NoStorage_SaysHowToConfigureOne()
    {
        var services = new ServiceCollection();
        services.AddDatabunker().UseMasterKey(RandomNumberGenerator.GetBytes(32));
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IPersonalDataVault>();

        resolve.Should().Throw<VaultConfigurationException>().WithMessage("*No storage is configured*UseSqlite*");
    }

    private sealed class KeysOnly : ISystemKeyStore
    {
        public Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
