using System.Security.Cryptography;
using Databunker.Core.Internal;
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
    public const string IntegrityKeyName = "integrity";
    public const string AuditChainKeyName = "audit-chain";
    public static readonly string[] SystemKeyNames = [BlindIndexKeyName, TokenizationKeyName, IntegrityKeyName, AuditChainKeyName];

    private readonly IVaultStorage _storage;
    private readonly IKeyProvider _provider;
    private readonly AuditChain _auditChain;
    private readonly TimeProvider _time;
    private readonly ILogger<VaultKeyRing> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SecretLifetime _lifetime;
    private volatile SystemKeys? _keys;

    public VaultKeyRing(IVaultStorage storage, IKeyProvider provider, AuditChain auditChain, TimeProvider time, ILogger<VaultKeyRing>? logger = null)
    {
        _storage = storage;
        _provider = provider;
        _auditChain = auditChain;
        _time = time;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<VaultKeyRing>.Instance;
        _lifetime = new SecretLifetime(() => _keys?.All ?? []);
    }

    public IKeyProvider Provider => _provider;

    /// <summary>
    /// Opens the vault on the first call and holds its system keys for one operation: dispose the lease
    /// when the operation ends. The keys are never zeroed while a lease is held; after
    /// <see cref="Dispose"/> this throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask<KeyLease> AcquireAsync(CancellationToken cancellationToken)
    {
        _lifetime.Enter(this);
        try
        {
            return new KeyLease(_lifetime, await GetSystemKeysAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            _lifetime.Exit();
            throw;
        }
    }

    private async ValueTask<SystemKeys> GetSystemKeysAsync(CancellationToken cancellationToken)
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
                IndexNormalizer.EnsureSupported();
                await _storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var blindIndex = await LoadOrCreateAsync(BlindIndexKeyName, cancellationToken).ConfigureAwait(false);
                var tokenization = await LoadOrCreateAsync(TokenizationKeyName, cancellationToken).ConfigureAwait(false);
                var integrity = await LoadOrCreateAsync(IntegrityKeyName, cancellationToken).ConfigureAwait(false);
                var auditChain = await LoadOrCreateAsync(AuditChainKeyName, cancellationToken).ConfigureAwait(false);
                _auditChain.UseKey(auditChain);
                _keys = new SystemKeys(blindIndex, tokenization, integrity, auditChain);
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

    /// <summary>Refuses new operations at once; the keys are zeroed when the last operation in flight ends.</summary>
    public void Dispose() => _lifetime.Dispose();

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

/// <summary>
/// The vault's unwrapped system keys, and subkeys derived from them (HKDF-SHA256) so that no key serves
/// two purposes: the integrity key yields one subkey for expiration link hashes and one for the MAC that
/// binds an expiration to its person.
/// </summary>
internal sealed class SystemKeys
{
    public SystemKeys(byte[] blindIndex, byte[] tokenization, byte[] integrity, byte[] auditChain)
    {
        BlindIndex = blindIndex;
        Tokenization = tokenization;
        Integrity = integrity;
        AuditChain = auditChain;
        ExpirationLinks = Derive(integrity, "databunker expiration link hash");
        ExpirationBinding = Derive(integrity, "databunker expiration binding");
    }

    /// <summary>HMAC key of the user indexes (blind indexes).</summary>
    public byte[] BlindIndex { get; }

    /// <summary>The tokenization key.</summary>
    public byte[] Tokenization { get; }

    /// <summary>The root of the integrity subkeys.</summary>
    public byte[] Integrity { get; }

    /// <summary>HMAC key of the audit chain.</summary>
    public byte[] AuditChain { get; }

    /// <summary>HMAC key of the expiration link hashes.</summary>
    public byte[] ExpirationLinks { get; }

    /// <summary>HMAC key that binds an expiration's links and due time to its person.</summary>
    public byte[] ExpirationBinding { get; }

    /// <summary>Every buffer, for zeroing.</summary>
    public IEnumerable<byte[]> All => [BlindIndex, Tokenization, Integrity, AuditChain, ExpirationLinks, ExpirationBinding];

    private static byte[] Derive(byte[] root, string purpose)
    {
        var key = GC.AllocateUninitializedArray<byte>(Envelope.KeySize, pinned: true);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, root, key, [], System.Text.Encoding.ASCII.GetBytes(purpose));
        return key;
    }
}

/// <summary>One operation's hold on the system keys; see <see cref="VaultKeyRing.AcquireAsync"/>.</summary>
internal readonly struct KeyLease : IDisposable
{
    private readonly SecretLifetime _lifetime;

    public KeyLease(SecretLifetime lifetime, SystemKeys keys)
    {
        _lifetime = lifetime;
        Keys = keys;
    }

    public SystemKeys Keys { get; }

    public void Dispose() => _lifetime.Exit();
}
