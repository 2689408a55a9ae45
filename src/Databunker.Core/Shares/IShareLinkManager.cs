namespace Databunker.Core.Shares;

/// <summary>
/// Time-limited, read-limited links to selected fields of a person's data, for a named recipient. The link's token
/// (256 random bits) is stored only as a keyed hash. Redeeming returns the fields' current values and writes an
/// audit event that names the recipient (sealed under the person's key). Links are capped by
/// <see cref="ShareOptions.MaxLifetime"/>, removed by the due-work pass once expired, and deleted with their person.
/// </summary>
[Diagnostics.Instrumented("shares")]
public interface IShareLinkManager
{
    /// <summary>Makes a link. Audited as <c>share.create</c>.</summary>
    /// <param name="person">The person whose data is shared.</param>
    /// <param name="request">Recipient, fields, lifetime and reads.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is written then.</param>
    /// <returns>The link, with its token shown this once.</returns>
    /// <exception cref="PersonNotFoundException">The person does not exist.</exception>
    /// <exception cref="VaultInputException">The request is malformed: no or too many fields, a malformed pointer, a pointer that names nothing, an unregistered application, a lifetime above the maximum, reads out of range.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ShareLink> CreateAsync(Guid person, ShareRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Redeems a link: spends one read and returns the shared fields' current values. Audited as <c>share.redeem</c>
    /// with the recipient. A link that cannot be redeemed is a status, not an exception, and spends nothing.
    /// </summary>
    /// <param name="token">The link's token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, and the record when redeemed.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ShareRedemption> RedeemAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Lists a person's links, newest first.</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The links.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<ShareLinkInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default);

    /// <summary>Revokes one of a person's links. Audited as <c>share.revoke</c>.</summary>
    /// <param name="person">The person.</param>
    /// <param name="handle">The link's handle.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether a live link was revoked.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> RevokeAsync(Guid person, Guid handle, CancellationToken cancellationToken = default);

    /// <summary>Removes expired links in batches; part of <see cref="IVaultAdministration.RunDueWorkAsync"/>. Databunker never deletes them.</summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many links were removed.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default);
}
