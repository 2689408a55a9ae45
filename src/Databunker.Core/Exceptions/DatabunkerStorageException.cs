namespace Databunker.Core;

/// <summary>
/// The vault's storage failed: the database server cannot be reached or dropped the connection, the SQLite file
/// is locked or its disk failed. Every public operation of the vault throws this, not the database driver's own
/// exception (which is the <see cref="Exception.InnerException"/>); the message names the failure's code, never
/// a value. <see cref="IsTransient"/> says whether the same call may succeed when retried later. A write that
/// failed this way did not happen, with one exception: when a server's connection is lost while the commit
/// is under way, the commit may have gone through without the answer coming back, so check before writing
/// again (a repeated create with a login, email, phone or custom index is refused as a duplicate, a repeated
/// forget finds nobody).
/// </summary>
public sealed class DatabunkerStorageException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, without personal data.</param>
    /// <param name="isTransient">Whether a retry can succeed.</param>
    /// <param name="innerException">The driver's exception.</param>
    public DatabunkerStorageException(string message, bool isTransient, Exception? innerException)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>
    /// Whether the failure is of a kind that passes (a server restarting, a network drop, a lock held by another
    /// process): retrying the same call later, with a back-off, can succeed. <see langword="false"/> for failures
    /// a retry alone does not fix (a missing table, a full disk, a refused permission).
    /// </summary>
    public bool IsTransient { get; }
}
