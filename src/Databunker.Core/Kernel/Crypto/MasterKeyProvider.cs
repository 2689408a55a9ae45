using System.Collections.Concurrent;
using System.Globalization;

namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// The built-in <see cref="IKeyProvider"/>: AES-256-GCM key wrapping under a static master key, with
/// older versions kept for unwrapping during rotation. Versions are named by their number. Every wrap
/// and unwrap holds the keys through a <see cref="SecretLifetime"/>, so disposing the provider never
/// zeroes a key under a call in flight, and every call after it throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class MasterKeyProvider : IKeyProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly IReadOnlyCollection<MasterKeySource> _sources;
    private readonly byte[] _current;
    private readonly uint _currentId;
    private readonly SecretLifetime _lifetime;

    /// <param name="options">The keys and where they come from.</param>
    /// <param name="logger">Gets the warning about a key file that others can read, when that is allowed; optional.</param>
    public MasterKeyProvider(IOptions<MasterKeyOptions> options, ILogger<MasterKeyProvider>? logger = null)
    {
        var value = options.Value;
        if (value.CurrentVersion <= 0 || !value.Sources.ContainsKey(value.CurrentVersion))
        {
            throw new VaultConfigurationException(
                "No master key is configured: call UseMasterKey(...) (bytes, base64, an environment variable or a file) or UseKeyProvider<T>().");
        }

        _sources = [.. value.Sources.Values];
        foreach (var (version, source) in value.Sources)
        {
            if (version <= 0)
            {
                throw new VaultConfigurationException($"Master key version {version} is not positive.");
            }

            var key = GC.AllocateUninitializedArray<byte>(Envelope.KeySize, pinned: true);
            var loaded = source.Load(value.AllowGroupOrOtherReadableKeyFile, logger ?? (ILogger)NullLogger.Instance);
            loaded.CopyTo(key, 0);
            CryptographicOperations.ZeroMemory(loaded);
            _keys[version.ToString(CultureInfo.InvariantCulture)] = key;
        }

        _currentId = (uint)value.CurrentVersion;
        CurrentKeyVersion = value.CurrentVersion.ToString(CultureInfo.InvariantCulture);
        _current = _keys[CurrentKeyVersion];
        _lifetime = new SecretLifetime(() => _keys.Values);
    }

    public string CurrentKeyVersion { get; }

    public bool CanRetireKeyVersions => true;

    public ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context, CancellationToken cancellationToken)
    {
        _lifetime.Enter(this);
        try
        {
            var sealedKey = Envelope.Seal(_current, _currentId, key.Span, context.Span);
            return ValueTask.FromResult(new WrappedKey(CurrentKeyVersion, sealedKey));
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    public ValueTask<byte[]> UnwrapKeyAsync(WrappedKey wrappedKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wrappedKey);
        _lifetime.Enter(this);
        try
        {
            // The version name comes from the database: it is never put into a message.
            if (!_keys.TryGetValue(wrappedKey.KeyVersion, out var kek))
            {
                throw new VaultCryptoException("A key is wrapped under a master key version that is not configured (or was retired), so it cannot be opened.");
            }

            if (Envelope.ReadKeyId(wrappedKey.Ciphertext).ToString(CultureInfo.InvariantCulture) != wrappedKey.KeyVersion)
            {
                throw new VaultCryptoException("A wrapped key's header does not match its key version.");
            }

            return ValueTask.FromResult(Envelope.Open(kek, wrappedKey.Ciphertext, context.Span, "wrapped key"));
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    /// <summary>Forgets and zeroes an old version, here in memory; the host removes it from its configuration.</summary>
    public ValueTask RetireKeyVersionAsync(string keyVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyVersion);
        if (keyVersion == CurrentKeyVersion)
        {
            throw new InvalidOperationException("The current master key version cannot be retired.");
        }

        _lifetime.Enter(this);
        try
        {
            // A new call finds the version gone. An unwrap that took the key just before fails on the zeroed key
            // (the all-zero backstop in Envelope) instead of opening anything; retirement is only called once
            // nothing in the vault is wrapped under this version, so no live key is lost that way.
            if (_keys.TryRemove(keyVersion, out var retired))
            {
                CryptographicOperations.ZeroMemory(retired);
            }
        }
        finally
        {
            _lifetime.Exit();
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _lifetime.Dispose();
        foreach (var source in _sources)
        {
            source.Forget();
        }
    }
}
