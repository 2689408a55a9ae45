using System.Globalization;
using System.Security.Cryptography;
using Databunker.Core.Internal.Crypto;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Keys;

/// <summary>
/// The built-in <see cref="IKeyProvider"/>: AES-256-GCM key wrapping under a static master key, with
/// older versions kept for unwrapping during rotation. Versions are named by their number.
/// </summary>
internal sealed class MasterKeyProvider : IKeyProvider, IDisposable
{
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly byte[] _current;
    private readonly uint _currentId;

    public MasterKeyProvider(IOptions<MasterKeyOptions> options)
    {
        var value = options.Value;
        if (value.CurrentVersion <= 0 || !value.Sources.ContainsKey(value.CurrentVersion))
        {
            throw new VaultConfigurationException(
                "No master key is configured: call UseMasterKey(...) (bytes, base64, an environment variable or a file) or UseKeyProvider<T>().");
        }

        foreach (var (version, source) in value.Sources)
        {
            if (version <= 0)
            {
                throw new VaultConfigurationException($"Master key version {version} is not positive.");
            }

            var key = GC.AllocateUninitializedArray<byte>(Envelope.KeySize, pinned: true);
            var loaded = source.Load();
            loaded.CopyTo(key, 0);
            CryptographicOperations.ZeroMemory(loaded);
            _keys[version.ToString(CultureInfo.InvariantCulture)] = key;
        }

        _currentId = (uint)value.CurrentVersion;
        CurrentKeyVersion = value.CurrentVersion.ToString(CultureInfo.InvariantCulture);
        _current = _keys[CurrentKeyVersion];
    }

    public string CurrentKeyVersion { get; }

    public ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context, CancellationToken cancellationToken)
    {
        var sealedKey = Envelope.Seal(_current, _currentId, key.Span, context.Span);
        return ValueTask.FromResult(new WrappedKey(CurrentKeyVersion, sealedKey));
    }

    public ValueTask<byte[]> UnwrapKeyAsync(WrappedKey wrappedKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wrappedKey);
        if (!_keys.TryGetValue(wrappedKey.KeyVersion, out var kek))
        {
            throw new VaultCryptoException($"Master key version {wrappedKey.KeyVersion} is not configured, so a key wrapped under it cannot be opened.");
        }

        if (Envelope.ReadKeyId(wrappedKey.Ciphertext).ToString(CultureInfo.InvariantCulture) != wrappedKey.KeyVersion)
        {
            throw new VaultCryptoException("A wrapped key's header does not match its key version.");
        }

        return ValueTask.FromResult(Envelope.Open(kek, wrappedKey.Ciphertext, context.Span, "wrapped key"));
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
