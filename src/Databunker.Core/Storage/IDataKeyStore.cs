using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>The storage role that keeps each person's wrapped data key, for rotation of the key encryption key.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IDataKeyStore : IStorageRole
{
    /// <summary>Counts the data keys not wrapped under <paramref name="keyVersion"/>.</summary>
    Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="limit"/> data keys not wrapped under <paramref name="keyVersion"/> whose owner's
    /// 16 bytes (as <see cref="Guid.ToByteArray()"/> writes them) sort after <paramref name="after"/>'s, in that
    /// order: a caller paging with the last owner it saw visits every key once.
    /// </summary>
    Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces data keys in one transaction, each only if it still holds its previous ciphertext; returns how many were replaced.</summary>
    Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken);
}
