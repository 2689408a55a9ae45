namespace Databunker.Core.Expiration;

/// <summary>
/// Data minimisation: the host starts an expiration for a person and mails them two single-use links,
/// "keep my data" (<see cref="RetainAsync"/>) and "delete my data" (<see cref="DeleteAsync"/>); the
/// scheduler pass (<see cref="RunDueAsync"/>), which the host runs, forgets whoever did not answer by the
/// due time. The links need no other authentication, as in Databunker.
/// <code>
/// none --start--&gt; waiting --retain link--&gt; retained
///                    |--delete link-------&gt; deleted (forgotten now)
///                    |--due, scheduler----&gt; deleted (forgotten, audited)
///                    '--cancel------------&gt; none
/// </code>
/// </summary>
[Diagnostics.Instrumented("expiration")]
public interface IExpirationManager
{
    /// <summary>
    /// Starts (or restarts) an expiration. Starting again replaces both tokens: the old links stop working.
    /// A due time later than <see cref="ExpirationOptions.MaxRetention"/> from now is refused, not shortened. With an
    /// <see cref="IExpirationLinkSender"/> registered, the links are sent to the person first, and a failed send starts nothing.
    /// </summary>
    /// <param name="lookup">The person.</param>
    /// <param name="time">When the person falls due: a <see cref="TimeSpan"/>, an absolute time, or
    /// <see cref="ExpirationTime.Parse"/> of <c>90s</c>, <c>45min</c>, <c>12h</c>, <c>30d</c>, <c>4w</c>.
    /// Default: <see cref="ExpirationOptions.DefaultRetention"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The expiration token, the due time and the two links.</returns>
    /// <exception cref="PersonNotFoundException">No person matches.</exception>
    /// <exception cref="VaultInputException">The time is not in the future, or is beyond <see cref="ExpirationOptions.MaxRetention"/> from now.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ExpirationTicket> StartAsync(PersonLookup lookup, ExpirationTime? time = null, CancellationToken cancellationToken = default);

    /// <summary>Reads where a person stands.</summary>
    /// <param name="lookup">The person; after they were forgotten, only a token lookup finds them (as <see cref="ExpirationState.Deleted"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, or <see langword="null"/> when no person (nor tombstone) matches.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ExpirationStatus?> GetStatusAsync(PersonLookup lookup, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells what a link would do, without doing it: for the confirmation page that a GET of the link
    /// renders. It changes nothing and writes no audit event, so mail scanners (Safe Links, Proofpoint) and
    /// link previewers, which fetch every URL in a mail, cannot keep or delete anyone. Only a POST from that
    /// page should call <see cref="RetainAsync"/> or <see cref="DeleteAsync"/> (the pattern of RFC 8058).
    /// </summary>
    /// <param name="expirationToken">The token from the link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The link's action, state and due time, or <see langword="null"/> for an unknown, used,
    /// replaced or cancelled token.</returns>
    /// <exception cref="VaultCryptoException">The stored expiration fails its integrity check (it was altered).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ExpirationLinkInfo?> InspectLinkAsync(string expirationToken, CancellationToken cancellationToken = default);

    /// <summary>The "keep my data" link: the person stays, and is never forgotten by this expiration.</summary>
    /// <param name="expirationToken">The token from the link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="ExpirationLinkResult.Retained"/>, or <see cref="ExpirationLinkResult.NotFound"/> for an
    /// unknown, used, replaced or cancelled token (nothing changes then).</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ExpirationLinkResult> RetainAsync(string expirationToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// The "delete my data" link: the person is forgotten now, exactly as <see cref="IPersonalDataVault.ForgetPersonAsync"/>.
    /// Only the delete token of <see cref="ExpirationTicket"/> does this; the keep token is refused here.
    /// </summary>
    /// <param name="expirationToken">The token from the link.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="ExpirationLinkResult.Deleted"/>, or <see cref="ExpirationLinkResult.NotFound"/> for an
    /// unknown, used, replaced or cancelled token (nothing changes then).</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ExpirationLinkResult> DeleteAsync(string expirationToken, CancellationToken cancellationToken = default);

    /// <summary>Cancels a person's expiration (waiting or retained): back to none; the links stop working.</summary>
    /// <param name="lookup">The person.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when there was an expiration to cancel.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> CancelAsync(PersonLookup lookup, CancellationToken cancellationToken = default);

    /// <summary>
    /// One scheduler pass: claims the due, still-waiting persons in batches of
    /// <see cref="ExpirationOptions.BatchSize"/> (each claim atomic, so passes on several hosts never
    /// process a person twice), forgets each with an audit event, and carries on past a failure on one
    /// person (it is retried once its claim times out). The library keeps no timer: call it on your own
    /// schedule, or use <see cref="ExpirationSchedulerExtensions.RunPeriodicallyAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops the pass between batches.</param>
    /// <returns>The counts of the pass.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ExpirationPassResult> RunDueAsync(CancellationToken cancellationToken = default);
}
