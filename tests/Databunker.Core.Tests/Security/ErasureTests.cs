using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// Defect 4 of the second security review: erasure that reaches backups. A backup keeps a forgotten
/// person's data key wrapped under the key version of its day; once that version is retired, the backup
/// opens nothing, while the live vault (re-wrapped under the new version) reads everyone else.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ErasureTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task Backup_TakenBeforeAForget_OpensNothingOnceTheOldKeyVersionIsRetired()
    {
        var v1 = RandomNumberGenerator.GetBytes(32);
        var v2 = RandomNumberGenerator.GetBytes(32);
        var live = _store.NewDatabase();
        string backup;
        Guid forgotten, kept;
        await using (var host = await VaultHost.StartAsync(database: live, masterKey: v1, store: _store))
        {
            forgotten = await host.Vault.CreatePersonAsync(Json(new { email = "forget.me@example.com", name = "Forgotten" }));
            kept = await host.Vault.CreatePersonAsync(Json(new { email = "keep.me@example.com", name = "Kept" }));
            backup = _store.Backup(live);
            await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(forgotten));
        }

        // Before retirement the backup, opened with the configuration of its day, still shows the person.
        var beforeCopy = _store.Backup(backup);
        await using (var restored = await VaultHost.StartAsync(database: beforeCopy, masterKey: v1, store: _store))
        {
            (await restored.Vault.GetPersonAsync(PersonLookup.ByToken(forgotten)))!.Profile.GetProperty("name").GetString().Should().Be("Forgotten");
        }

        // Rotate: v2 current, v1 kept for unwrapping; re-wrap everything; retire v1 once the window has passed.
        await using (var rotating = await VaultHost.StartAsync(database: live, store: _store, keys: b => b
                         .UseMasterKey(v2, version: 2)
                         .AddPreviousMasterKey(MasterKeySource.FromBytes(v1), version: 1)))
        {
            var early = () => rotating.Administration.RetireKeyVersionAsync("1");
            (await early.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("RewrapKeysAsync");
            (await rotating.Administration.RewrapKeysAsync()).Remaining.Should().Be(0);
            await rotating.Administration.RetireKeyVersionAsync("1");
            (await rotating.Vault.GetPersonAsync(PersonLookup.ByToken(kept))).Should().NotBeNull("nothing live needs v1 any more");
            rotating.Scalar<long>("SELECT COUNT(*) FROM audit_events WHERE operation = 'keys.retire'").Should().Be(1);
            var current = () => rotating.Administration.RetireKeyVersionAsync("2");
            await current.Should().ThrowAsync<InvalidOperationException>();
        }

        // After retirement the configuration holds v2 only: the live vault reads everyone else ...
        await using (var after = await VaultHost.StartAsync(database: live, store: _store, keys: b => b.UseMasterKey(v2, version: 2)))
        {
            (await after.Vault.GetPersonAsync(PersonLookup.ByEmail("keep.me@example.com")))!.Token.Should().Be(kept);
            (await after.Vault.GetPersonAsync(PersonLookup.ByToken(forgotten))).Should().BeNull();
        }

        // ... and the old backup opens nothing at all: not the forgotten person, not anyone.
        var restore = () => VaultHost.StartAsync(database: backup, store: _store, keys: b => b.UseMasterKey(v2, version: 2));
        (await restore.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("no longer configured");
        await using var storage = _store.CreateStorage(backup, TimeProvider.System);
        var wrapped = await storage.GetRequiredService<IPersonStore>().GetPersonAsync(forgotten, default);
        wrapped!.DataKey.KeyVersion.Should().Be("1", "the backup holds the person's key wrapped under the retired version only");
        using var provider = new Kernel.Crypto.MasterKeyProvider(Microsoft.Extensions.Options.Options.Create(new MasterKeyOptions
        {
            CurrentVersion = 2,
            Sources = { [2] = MasterKeySource.FromBytes(v2) },
        }));
        var open = async () => await provider.UnwrapKeyAsync(wrapped.DataKey, Kernel.Crypto.AssociatedData.For(Kernel.Crypto.AssociatedData.DataKey, forgotten), default);
        await open.Should().ThrowAsync<VaultCryptoException>();
    }
}
