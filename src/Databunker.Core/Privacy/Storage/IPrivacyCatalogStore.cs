using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Privacy.Storage;

/// <summary>The storage role of the privacy catalogue (<see cref="Privacy.IPrivacyCatalog"/>): published notice versions and the catalogue's last recorded hash. Nothing in it is personal data.</summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IPrivacyCatalogStore : IStorageRole
{
    /// <summary>Reads the published versions of a notice (of every notice when <paramref name="name"/> is <see langword="null"/>), by name and then version.</summary>
    Task<IReadOnlyList<StoredNotice>> GetNoticesAsync(string? name, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a notice version with its audit event in one transaction. Returns <see langword="false"/>, writing
    /// nothing, when that name and version exist already (another host published first).
    /// </summary>
    Task<bool> AddNoticeAsync(StoredNotice notice, AuditRecord audit, CancellationToken cancellationToken);

    /// <summary>The catalogue's last recorded hash, or <see langword="null"/> before the first.</summary>
    Task<byte[]?> GetCatalogHashAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="hash"/> with its audit event in one transaction if the recorded hash is still
    /// <paramref name="expected"/>; returns whether it did.
    /// </summary>
    Task<bool> ReplaceCatalogHashAsync(byte[]? expected, byte[] hash, long at, AuditRecord audit, CancellationToken cancellationToken);
}
