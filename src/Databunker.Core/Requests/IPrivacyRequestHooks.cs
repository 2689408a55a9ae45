namespace Databunker.Core.Requests;

/// <summary>
/// Delivers a request's verification code to the person through the host's own channel. Register one to accept
/// requests whose identity is not already verified by the host.
/// </summary>
public interface IPrivacyRequestCodeSender
{
    /// <summary>Sends the code. When it throws, the request is not stored and the exception reaches the caller.</summary>
    /// <param name="code">The code and where it belongs.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    Task SendCodeAsync(PrivacyRequestCode code, CancellationToken cancellationToken);
}

/// <summary>
/// Tells the host about new, verified, extended and overdue requests (<see cref="PrivacyRequestEvent"/>), for a DPO's
/// queue, an alert or a mail to the person. The notice carries no personal data. Every registered notifier is told, in
/// the order registered, after the change is stored; one that throws (a cancellation too) is logged and does not undo the
/// change, nor keep the others from hearing: notices are sent at most once.
/// </summary>
public interface IPrivacyRequestNotifier
{
    /// <summary>Receives a notice.</summary>
    /// <param name="notice">The notice.</param>
    /// <param name="cancellationToken">Not the caller's (the change stands whatever the caller does): none for a change a
    /// call made, the pass's own for the due-work pass's overdue notices, which a stopping host cancels.</param>
    /// <returns>A task.</returns>
    Task NotifyAsync(PrivacyRequestNotice notice, CancellationToken cancellationToken);
}

/// <summary>
/// Passes a carried-out request on to the host's other systems and to the recipients of the data (GDPR Art. 19).
/// Every registered one is called after the library has done its part; when one throws, the request is
/// <see cref="PrivacyRequestState.Failed"/> with outcome <c>fan-out-failed</c>, and approving it again repeats the
/// whole request (each part of which is idempotent).
/// </summary>
public interface IPrivacyRequestFanOut
{
    /// <summary>Passes the request on.</summary>
    /// <param name="request">What was carried out.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task CarryOutAsync(CarriedOutPrivacyRequest request, CancellationToken cancellationToken);
}
