namespace Databunker.Core.Requests;

/// <summary>
/// Data-subject requests with their legal deadlines: submitted, verified by a one-time code, approved (or rejected)
/// by a DPO and carried out by the library: erasure forgets the person, rectification patches the profile, access
/// and portability write the export, consent withdrawal records it in the ledger. Every change is audited; the
/// due-work pass expires unverified requests and flags overdue ones at the instant they become overdue.
/// </summary>
[Diagnostics.Instrumented("requests")]
public interface IPrivacyRequestManager
{
    /// <summary>
    /// Records a request and, unless <see cref="PrivacyRequestSubmission.IdentityVerified"/>, sends the person a
    /// one-time code through <see cref="IPrivacyRequestCodeSender"/> first. Audited as <c>request.submit</c>; the
    /// notifier is told.
    /// </summary>
    /// <param name="submission">The request.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is stored then.</param>
    /// <returns>The request.</returns>
    /// <exception cref="PersonNotFoundException">The person does not exist.</exception>
    /// <exception cref="VaultInputException">A field is missing or malformed for the request's type.</exception>
    /// <exception cref="InvalidOperationException">A code is needed and no <see cref="IPrivacyRequestCodeSender"/> is registered.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest> SubmitAsync(PrivacyRequestSubmission submission, CancellationToken cancellationToken = default);

    /// <summary>Checks a verification code. Every attempt counts, audited as <c>request.verify</c>; after <see cref="PrivacyRequestOptions.MaxCodeAttempts"/> the code is spent.</summary>
    /// <param name="request">The request's id.</param>
    /// <param name="code">The code the person entered.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the attempt found.</returns>
    /// <exception cref="PrivacyRequestNotFoundException">There is no such request.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequestVerification> VerifyAsync(Guid request, string code, CancellationToken cancellationToken = default);

    /// <summary>Sends a new code, which replaces the previous one; at most <see cref="PrivacyRequestOptions.MaxCodes"/> per request.</summary>
    /// <param name="request">The request's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    /// <exception cref="PrivacyRequestNotFoundException">There is no such request.</exception>
    /// <exception cref="PrivacyRequestStateException">The request is not waiting for verification, or no codes are left.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest> ResendCodeAsync(Guid request, CancellationToken cancellationToken = default);

    /// <summary>Reads a request, its change and reasons opened while the person exists.</summary>
    /// <param name="request">The request's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/> when there is none (or it was purged).</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest?> GetAsync(Guid request, CancellationToken cancellationToken = default);

    /// <summary>Lists requests by state, soonest due first: a DPO's queue. Changes and reasons are not opened.</summary>
    /// <param name="query">Which ones.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<PrivacyRequest>> ListAsync(PrivacyRequestQuery query, CancellationToken cancellationToken = default);

    /// <summary>A person's requests, oldest first, opened.</summary>
    /// <param name="person">The person's token.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The requests.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<PrivacyRequest>> ListForPersonAsync(Guid person, CancellationToken cancellationToken = default);

    /// <summary>Extends an open request's period once (GDPR by two months, CCPA by 45 days), with the reason the person must be told. Audited as <c>request.extend</c>; the notifiers hear of it (<see cref="PrivacyRequestEvent.Extended"/>).</summary>
    /// <param name="request">The request's id.</param>
    /// <param name="reason">Why; 1 to 2,000 characters, not blank (white space or invisible characters only), sealed under the person's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request with its new due date.</returns>
    /// <exception cref="PrivacyRequestNotFoundException">There is no such request.</exception>
    /// <exception cref="PrivacyRequestStateException">It is closed or in progress, or was extended already.</exception>
    /// <exception cref="VaultInputException">The reason is null, blank, longer than 2,000 characters or not valid text (an <see cref="ArgumentException"/>).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest> ExtendAsync(Guid request, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Approves a verified request and carries it out. The request is claimed atomically (of two approvals at once, one
    /// carries it out and the other gets a <see cref="PrivacyRequestStateException"/>), the current data is checked
    /// again, the library does its part, then every <see cref="IPrivacyRequestFanOut"/>. It ends
    /// <see cref="PrivacyRequestState.Completed"/>, or <see cref="PrivacyRequestState.Failed"/> with an outcome code
    /// (and can be approved again). Audited as <c>request.approve</c> and <c>request.complete</c> or <c>request.fail</c>.
    /// </summary>
    /// <param name="request">The request's id.</param>
    /// <param name="approval">Who approves, and where an export goes.</param>
    /// <param name="cancellationToken">Cancels the call before the claim; after it, the request ends failed (<c>cancelled</c>).</param>
    /// <returns>The request as it ended.</returns>
    /// <exception cref="PrivacyRequestNotFoundException">There is no such request.</exception>
    /// <exception cref="PrivacyRequestStateException">It is not verified, or is closed, or another approval holds it.</exception>
    /// <exception cref="VaultInputException">The approver is malformed, or an export request has no destination.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest> ApproveAsync(Guid request, PrivacyRequestApproval approval, CancellationToken cancellationToken = default);

    /// <summary>Rejects an open request with the reason the person must be told (GDPR Art. 12(4)). Audited as <c>request.reject</c>.</summary>
    /// <param name="request">The request's id.</param>
    /// <param name="approver">The DPO; 1 to 200 characters.</param>
    /// <param name="reason">Why; 1 to 2,000 characters, not blank (white space or invisible characters only), sealed under the person's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    /// <exception cref="PrivacyRequestNotFoundException">There is no such request.</exception>
    /// <exception cref="PrivacyRequestStateException">It is closed or in progress.</exception>
    /// <exception cref="VaultInputException">The reason is null, blank, longer than 2,000 characters or not valid text (an <see cref="ArgumentException"/>).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest> RejectAsync(Guid request, string approver, string reason, CancellationToken cancellationToken = default);

    /// <summary>Cancels an open request (the person withdrew it) with a reason. Audited as <c>request.cancel</c>.</summary>
    /// <param name="request">The request's id.</param>
    /// <param name="reason">Why; 1 to 2,000 characters, not blank (white space or invisible characters only), sealed under the person's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    /// <exception cref="PrivacyRequestNotFoundException">There is no such request.</exception>
    /// <exception cref="PrivacyRequestStateException">It is closed or in progress.</exception>
    /// <exception cref="VaultInputException">The reason is null, blank, longer than 2,000 characters or not valid text (an <see cref="ArgumentException"/>).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PrivacyRequest> CancelAsync(Guid request, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// The requests' part of <see cref="IVaultAdministration.RunDueWorkAsync"/>: expires requests not verified in
    /// time, fails requests whose carrying-out was interrupted, flags (and notifies) requests that became overdue, and
    /// purges closed requests older than <see cref="PrivacyRequestOptions.RecordRetention"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many requests it changed or purged.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> RunDueWorkAsync(CancellationToken cancellationToken = default);
}
