namespace Databunker.Core.Keys;

/// <summary>
/// The key encryption key (KEK) behind the vault: wraps and unwraps the vault's data keys and names the
/// key version it used. The KEK itself need never leave the provider, so a cloud KMS or an HSM can
/// implement this. Built in: the master key (<c>UseMasterKey</c>).
/// </summary>
public interface IKeyProvider
{
    /// <summary>The version that <see cref="WrapKeyAsync"/> wraps under.</summary>
    string CurrentKeyVersion { get; }

    /// <summary>Wraps (encrypts and authenticates) a data key under the current version.</summary>
    /// <param name="key">The data key, 32 bytes.</param>
    /// <param name="context">Associated data that must be given again to unwrap: binds the key to its owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context, CancellationToken cancellationToken);

    /// <summary>Unwraps a data key.</summary>
    /// <param name="wrappedKey">What <see cref="WrapKeyAsync"/> returned, under any version the provider still has.</param>
    /// <param name="context">The context it was wrapped with.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The data key; the caller zeroes it after use.</returns>
    /// <exception cref="VaultCryptoException">The version is unknown, or the wrapped key or its context fails to authenticate.</exception>
    ValueTask<byte[]> UnwrapKeyAsync(WrappedKey wrappedKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken);
}

/// <summary>A data key wrapped by an <see cref="IKeyProvider"/>.</summary>
/// <param name="KeyVersion">The provider's name for the key version that wrapped it.</param>
/// <param name="Ciphertext">The wrapped key, opaque to the vault.</param>
public sealed record WrappedKey(string KeyVersion, byte[] Ciphertext);
