using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Databunker.Core.Internal.Crypto;

/// <summary>
/// Opens the vault on first use (schema migrations, system keys) and creates and opens the per-person
/// data keys. System keys are random 256-bit keys, created once, stored wrapped by the key provider;
/// unwrapping them at start is what detects a wrong master key.
/// </summary>
internal sealed partial class VaultKeyRing : IDisposable
{
    public const string BlindIndexKeyName = "blind-index";
    public const string TokenizationKeyName = "tokenization";
    public static readonly string[] SystemKeyNames = [BlindIndexKeyName, TokenizationKeyName];

    private readonly IVaultStorage _storage;
    private readonly IKeyProvider _provider;
    private readonly TimeProvider _time;
    private readonly ILogger<VaultKeyRing> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile SystemKeys? _keys;

    public VaultKeyRing(IVaultStorage storage, IKeyProvider provider, TimeProvider time, ILogger<VaultKeyRing>? logger = null)
    {
        _storage = storage;
        _provider = provider;
        _time = time;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<VaultKeyRing>.Instance;
    }

    public IKeyProvider Provider => _provider;

    /// <summary>The system keys, opening the vault on the first call.</summary>
    public async ValueTask<SystemKeys> GetSystemKeysAsync(CancellationToken cancellationToken)
    {
        if (_keys is { } keys)
        {
            return keys;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_keys is null)
            {
                await _storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var blindIndex = await LoadOrCreateAsync(BlindIndexKeyName, cancellationToken).ConfigureAwait(false);
                var tokenization = await LoadOrCreateAsync(TokenizationKeyName, cancellationToken).ConfigureAwait(false);
                _keys = new SystemKeys(blindIndex, tokenization);
                var schemaVersion = await _storage.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
                Log.VaultOpened(_logger, schemaVersion, _provider.CurrentKeyVersion);
            }

            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A new random data key for <paramref name="owner"/> and its wrapped form.</summary>
    public async ValueTask<(byte[] Key, WrappedKey Wrapped)> NewDataKeyAsync(Guid owner, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(Envelope.KeySize);
        var wrapped = await _provider.WrapKeyAsync(key, AssociatedData.For(AssociatedData.DataKey, owner), cancellationToken).ConfigureAwait(false);
        return (key, wrapped);
    }

    /// <summary>Unwraps <paramref name="owner"/>'s data key; the caller zeroes it.</summary>
    public ValueTask<byte[]> OpenDataKeyAsync(Guid owner, WrappedKey wrapped, CancellationToken cancellationToken) =>
        _provider.UnwrapKeyAsync(wrapped, AssociatedData.For(AssociatedData.DataKey, owner), cancellationToken);

    public void Dispose()
    {
        if (_keys is { } keys)
        {
            CryptographicOperations.ZeroMemory(keys.BlindIndex);
            CryptographicOperations.ZeroMemory(keys.Tokenization);
        }

        _gate.Dispose();
    }

    private async Task<byte[]> LoadOrCreateAsync(string name, CancellationToken cancellationToken)
    {
        var context = AssociatedData.For(AssociatedData.SystemKey, name);
        var wrapped = await _storage.GetSystemKeyAsync(name, cancellationToken).ConfigureAwait(false);
        if (wrapped is null)
        {
            var fresh = RandomNumberGenerator.GetBytes(Envelope.KeySize);
            var mine = await _provider.WrapKeyAsync(fresh, context, cancellationToken).ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(fresh);
            wrapped = await _storage.AddSystemKeyAsync(name, mine, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var key = await _provider.UnwrapKeyAsync(wrapped, context, cancellationToken).ConfigureAwait(false);
            var pinned = GC.AllocateUninitializedArray<byte>(key.Length, pinned: true);
            key.CopyTo(pinned, 0);
            CryptographicOperations.ZeroMemory(key);
            return pinned;
        }
        catch (VaultCryptoException ex)
        {
            throw new VaultConfigurationException(
                $"The key provider cannot open this vault's {name} key (wrapped under key version {wrapped.KeyVersion}): " +
                "the vault was created with another master key, or that key version is no longer configured.", ex);
        }
    }
}

/// <summary>The vault's unwrapped system keys.</summary>
internal sealed record SystemKeys(byte[] BlindIndex, byte[] Tokenization);
