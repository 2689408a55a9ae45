using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>
/// The one transaction in which a person is forgotten (<see cref="IVaultStore.BeginErasureAsync"/>). Each
/// module's storage role adds its deletions to it; <see cref="CommitAsync"/> then ends the person. A storage may
/// run each added step at once or keep them for the commit, as long as all or nothing is written.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
public interface IErasureTransaction : IAsyncDisposable
{
    /// <summary>
    /// Deletes the person's data key, writes the tombstone and appends <paramref name="audit"/>, together with every
    /// step added before, and commits. Returns <see langword="false"/>, writing nothing, when the person has no
    /// data key (no such person, or forgotten already).
    /// </summary>
    /// <param name="token">The person.</param>
    /// <param name="forgottenAt">Unix milliseconds, for the tombstone.</param>
    /// <param name="audit">The erasure's audit event.</param>
    /// <param name="cancellationToken">Cancels the commit; nothing is written then.</param>
    Task<bool> CommitAsync(Guid token, long forgottenAt, AuditRecord audit, CancellationToken cancellationToken);
}
