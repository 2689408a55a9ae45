using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>The storage role that keeps the vault's wrapped system keys, by name.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface ISystemKeyStore : IStorageRole
{
    /// <summary>Reads a system key by name, or <see langword="null"/>.</summary>
    Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken);

    /// <summary>The names of every stored system key.</summary>
    Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken);

    /// <summary>Stores a system key unless one of that name exists; returns the one stored afterwards (whoever won).</summary>
    Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken);

    /// <summary>Replaces a system key if it still holds <paramref name="previous"/>; returns whether it did.</summary>
    Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken);
}
