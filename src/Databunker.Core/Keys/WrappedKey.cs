namespace Databunker.Core.Keys;

/// <summary>A data key wrapped by an <see cref="IKeyProvider"/>.</summary>
/// <param name="KeyVersion">The provider's name for the key version that wrapped it.</param>
/// <param name="Ciphertext">The wrapped key, opaque to the vault.</param>
public sealed record WrappedKey(string KeyVersion, byte[] Ciphertext);
