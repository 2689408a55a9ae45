namespace Databunker.Core.Keys;

/// <summary>
/// The key encryption key (KEK) behind the vault: wraps and unwraps the vault's data keys and names the
/// key version it used. The KEK itself need never leave the provider, so a cloud KMS or an HSM can
/// implement this. Built in: the master key (<c>UseMasterKey</c>).
/// </summary>
/// <remarks>
/// The contract the vault relies on:
/// <list type="bullet">
/// <item><see cref="WrapKeyAsync"/> returns the version it really wrapped under in <see cref="WrappedKey.KeyVersion"/>.
/// It may differ from <see cref="CurrentKeyVersion"/> (a KMS alias against the key's full name); a rotation then
/// takes the returned name as its target, so a provider must return one stable name per key version.</item>
/// <item><see cref="UnwrapKeyAsync"/> opens anything wrapped under any version the provider still has, and throws
/// <see cref="VaultCryptoException"/>, never another exception, when the version is unknown or the key or its
/// context fails to authenticate. Its messages never contain key material or text read from the database.</item>
/// <item>The context passed to wrap must be passed again to unwrap (authenticated associated data): it binds a
/// wrapped key to its owner, so that a wrapped key copied to another row does not open.</item>
/// <item>Both are safe to call concurrently. After the provider is disposed they throw
/// <see cref="ObjectDisposedException"/>; they never use a zeroed key.</item>
/// <item>A provider that can destroy an old version says so with <see cref="CanRetireKeyVersions"/> and
/// implements <see cref="RetireKeyVersionAsync"/>; the vault calls it only after every key was re-wrapped.</item>
/// </list>
/// </remarks>
public interface IKeyProvider
{
    /// <summary>The version that <see cref="WrapKeyAsync"/> wraps under.</summary>
    string CurrentKeyVersion { get; }

    /// <summary>Whether <see cref="RetireKeyVersionAsync"/> is implemented.</summary>
    /// <value><see langword="false"/> unless the provider overrides it.</value>
    bool CanRetireKeyVersions => false;

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

    /// <summary>
    /// Destroys an old key version, so that nothing wrapped under it (in backups, old log pages, replicas)
    /// can be opened again. Called by <see cref="IVaultAdministration.RetireKeyVersionAsync"/>.
    /// </summary>
    /// <param name="keyVersion">The version to destroy; never the current one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The provider cannot retire versions (the default).</exception>
    ValueTask RetireKeyVersionAsync(string keyVersion, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This key provider cannot retire key versions.");
}
