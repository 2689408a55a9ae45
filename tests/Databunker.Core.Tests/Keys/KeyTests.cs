using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Keys;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class KeyTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task RewrapKeysAsync_FromV1ToV2_ReadsAfterV1IsRemoved()
    {
        var v1 = RandomNumberGenerator.GetBytes(32);
        var v2 = RandomNumberGenerator.GetBytes(32);
        var path = _store.NewDatabase();
        var tokens = new List<Guid>();
        await using (var host = await VaultHost.StartAsync(database: path, masterKey: v1, configure: o => o.RotationBatchSize = 7, store: _store))
        {
            tokens.AddRange(await host.Vault.CreatePersonsAsync(Enumerable.Range(0, 25).Select(Person)));
        }

        var reports = new List<KeyRotationProgress>();
        await using (var rotating = await VaultHost.StartAsync(database: path, configure: o => o.RotationBatchSize = 7, keys: b => b
                         .UseMasterKey(v2, version: 2)
                         .AddPreviousMasterKey(MasterKeySource.FromBytes(v1), version: 1), store: _store))
        {
            var result = await rotating.Administration.RewrapKeysAsync(new SynchronousProgress(reports));
            result.Rewrapped.Should().Be(25 + 5, "every data key and the five system keys");
            result.TargetKeyVersion.Should().Be("2");
        }

        reports.Should().HaveCount(1 + 4, "one report up front and one per batch of 7");
        reports[^1].Remaining.Should().Be(0);
        _store.Scalar<long>(path, "SELECT COUNT(*) FROM data_keys WHERE key_version <> '2'").Should().Be(0);

        await using var after = await VaultHost.StartAsync(database: path, keys: b => b.UseMasterKey(v2, version: 2), store: _store);
        for (var i = 0; i < 25; i++)
        {
            var user = await after.Vault.GetPersonAsync(PersonLookup.ByEmail($"person{i:D5}@mail-{i % 7}.example"));
            user!.Token.Should().Be(tokens[i]);
            SameJson(user.Profile, Person(i)).Should().BeTrue();
        }
    }

    [Test]
    public async Task Start_WithWrongMasterKey_RefusesClearly()
    {
        var path = _store.NewDatabase();
        await using (var host = await VaultHost.StartAsync(database: path, store: _store))
        {
            await host.Vault.CreatePersonAsync(Json(new { login = "x" }));
        }

        var act = () => VaultHost.StartAsync(database: path, masterKey: RandomNumberGenerator.GetBytes(32), store: _store);

        (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("another master key");
    }

    [Test]
    public async Task Start_WithKeyVersionNoLongerConfigured_RefusesClearly()
    {
        var path = _store.NewDatabase();
        await using (await VaultHost.StartAsync(database: path, store: _store))
        {
        }

        var act = () => VaultHost.StartAsync(database: path, keys: b => b.UseMasterKey(RandomNumberGenerator.GetBytes(32), version: 3), store: _store);

        (await act.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("key version 1");
    }

    [Test]
    public async Task UseMasterKeyFromEnvironmentAndFile_OpenTheSameVault()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var path = _store.NewDatabase();
        var variable = "DATABUNKER_TEST_KEY_" + Guid.NewGuid().ToString("N");
        var file = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(key));
        await File.WriteAllBytesAsync(file, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            Guid token;
            await using (var host = await VaultHost.StartAsync(database: path, keys: b => b.UseMasterKeyFromEnvironment(variable), store: _store))
            {
                token = await host.Vault.CreatePersonAsync(Json(new { login = "env" }));
            }

            await using var fromFile = await VaultHost.StartAsync(database: path, keys: b => b.UseMasterKeyFromFile(file), store: _store);
            (await fromFile.Vault.GetPersonAsync(PersonLookup.ByLogin("env")))!.Token.Should().Be(token);
            await using var fromBase64 = await VaultHost.StartAsync(database: path, keys: b => b.UseMasterKey(Convert.ToBase64String(key)), store: _store);
            (await fromBase64.Vault.GetPersonAsync(PersonLookup.ByLogin("env")))!.Token.Should().Be(token);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            File.Delete(file);
        }
    }

    private sealed class SynchronousProgress(List<KeyRotationProgress> reports) : IProgress<KeyRotationProgress>
    {
        public void Report(KeyRotationProgress value) => reports.Add(value);
    }
}
