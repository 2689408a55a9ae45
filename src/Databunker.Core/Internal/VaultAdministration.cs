using Databunker.Core.Internal.Crypto;
using Databunker.Core.Internal.Vault;
using Databunker.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Internal;

/// <summary>Start-up, key rotation and audit retention.</summary>
internal sealed class VaultAdministration : IVaultAdministration
{
    private readonly IVaultStorage _storage;
    private readonly VaultKeyRing _keys;
    private readonly PersonalDataVault _vault;
    private readonly DatabunkerOptions _options;
    private readonly ILogger<VaultAdministration> _logger;

    public VaultAdministration(IVaultStorage storage, VaultKeyRing keys, PersonalDataVault vault, IOptions<DatabunkerOptions> options, ILogger<VaultAdministration>? logger = null)
    {
        _storage = storage;
        _keys = keys;
        _vault = vault;
        _options = options.Value;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<VaultAdministration>.Instance;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default) =>
        await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);

    public async Task<KeyRotationProgress> RewrapKeysAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
        var provider = _keys.Provider;
        var target = provider.CurrentKeyVersion;
        long rewrapped = 0;

        foreach (var name in VaultKeyRing.SystemKeyNames)
        {
            var stored = await _storage.GetSystemKeyAsync(name, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.KeyVersion == target)
            {
                continue;
            }

            var context = AssociatedData.For(AssociatedData.SystemKey, name);
            var key = await provider.UnwrapKeyAsync(stored, context, cancellationToken).ConfigureAwait(false);
            var replacement = await provider.WrapKeyAsync(key, context, cancellationToken).ConfigureAwait(false);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
            if (await _storage.ReplaceSystemKeyAsync(name, stored.Ciphertext, replacement, cancellationToken).ConfigureAwait(false))
            {
                rewrapped++;
            }
        }

        var remaining = await _storage.CountDataKeysNotUnderAsync(target, cancellationToken).ConfigureAwait(false);
        var current = new KeyRotationProgress(rewrapped, remaining, target);
        progress?.Report(current);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await _storage.GetDataKeysNotUnderAsync(target, _options.RotationBatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            var replacements = new List<DataKeyReplacement>(batch.Count);
            foreach (var stored in batch)
            {
                var key = await _keys.OpenDataKeyAsync(stored.Owner, stored.Key, cancellationToken).ConfigureAwait(false);
                var context = AssociatedData.For(AssociatedData.DataKey, stored.Owner);
                replacements.Add(new DataKeyReplacement(stored.Owner, stored.Key.Ciphertext, await provider.WrapKeyAsync(key, context, cancellationToken).ConfigureAwait(false)));
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
            }

            rewrapped += await _storage.ReplaceDataKeysAsync(replacements, cancellationToken).ConfigureAwait(false);
            remaining = Math.Max(0, remaining - batch.Count);
            current = new KeyRotationProgress(rewrapped, remaining, target);
            progress?.Report(current);
            Log.KeysRewrapped(_logger, rewrapped, target, remaining);
        }

        await _storage.AppendAuditAsync(_vault.NewAudit(AuditOperations.KeysRewrap, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
        return current with { Remaining = 0 };
    }

    public async Task<bool> CompactAsync(CancellationToken cancellationToken = default)
    {
        await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
        return await _storage.CompactAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PurgeAuditEventsAsync(CancellationToken cancellationToken = default)
    {
        await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
        var before = _vault.Now() - (long)_options.AuditRetention.TotalMilliseconds;
        var purged = await _storage.PurgeAuditAsync(before, cancellationToken).ConfigureAwait(false);
        Log.AuditPurged(_logger, purged);
        return purged;
    }
}
