using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Keys;

/// <summary>
/// Defect 4: a master key file that the group or other users can read holds the key to every person in the vault.
/// It is refused, naming the mode and never the key, unless the host says it accepts it; then start warns.
/// Real key files with real modes, a real SQLite vault.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MasterKeyFileTests
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    [TestCase("0640")]
    [TestCase("0604")]
    [TestCase("0644")]
    [TestCase("0440")]
    public async Task UseMasterKeyFromFile_ReadableByGroupOrOthers_IsRefusedNamingTheMode(string mode)
    {
        var file = KeyFile(mode);

        var start = () => VaultHost.StartAsync(keys: b => b.UseMasterKeyFromFile(file));

        var refusal = (await start.Should().ThrowAsync<VaultConfigurationException>()).Which;
        refusal.Message.Should().Contain($"mode {mode}").And.Contain("chmod 600").And.Contain(nameof(MasterKeyOptions.AllowGroupOrOtherReadableKeyFile));
        refusal.Message.Should().NotContain(Convert.ToBase64String(_key));
    }

    [TestCase("0600")]
    [TestCase("0400")]
    public async Task UseMasterKeyFromFile_OwnerOnly_OpensWithoutAWarning(string mode)
    {
        await using var host = await VaultHost.StartAsync(keys: b => b.UseMasterKeyFromFile(KeyFile(mode)));

        host.Logs.Lines.Should().NotContain(l => l.Contains("[26]", StringComparison.Ordinal));
    }

    [TestCase("0640")]
    [TestCase("0644")]
    public async Task UseMasterKeyFromFile_ReadableAndAllowed_OpensAndWarnsAtStart(string mode)
    {
        var file = KeyFile(mode);

        await using var host = await VaultHost.StartAsync(
            keys: b => b.UseMasterKeyFromFile(file),
            services: s => s.Configure<MasterKeyOptions>(o => o.AllowGroupOrOtherReadableKeyFile = true));

        var warning = host.Logs.Lines.Should().ContainSingle(l => l.Contains("[26]", StringComparison.Ordinal)).Which;
        warning.Should().StartWith("Warning ").And.Contain($"mode {mode}").And.NotContain(Convert.ToBase64String(_key));
        (await host.Vault.CreatePersonAsync(TestData.Json(new { login = "allowed" }))).Should().NotBeEmpty();
    }

    [Test]
    public async Task UseMasterKeyFromFile_WritableByGroup_IsRefusedEvenWhenReadableIsAllowed()
    {
        var file = KeyFile("0660");

        var start = () => VaultHost.StartAsync(
            keys: b => b.UseMasterKeyFromFile(file),
            services: s => s.Configure<MasterKeyOptions>(o => o.AllowGroupOrOtherReadableKeyFile = true));

        (await start.Should().ThrowAsync<VaultConfigurationException>()).Which.Message.Should().Contain("written by other users");
    }

    private string KeyFile(string mode)
    {
        var folder = Path.GetDirectoryName(VaultHost.NewDatabasePath())!;
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.key");
        File.WriteAllText(path, Convert.ToBase64String(_key));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        return path;
    }
}
