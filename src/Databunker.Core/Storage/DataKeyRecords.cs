namespace Databunker.Core.Storage;

/// <summary>A person's wrapped data key, for rotation.</summary>
/// <param name="Person">The person's token.</param>
/// <param name="Key">The wrapped key.</param>
public sealed record StoredDataKey(Guid Person, WrappedKey Key);

/// <summary>A re-wrapped data key, replacing <see cref="Previous"/> only if it is still stored.</summary>
/// <param name="Person">The person's token.</param>
/// <param name="Previous">The ciphertext that was read.</param>
/// <param name="Replacement">The key wrapped under the new version.</param>
public sealed record DataKeyReplacement(Guid Person, byte[] Previous, WrappedKey Replacement);
