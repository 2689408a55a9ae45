using System.Text.Json;

namespace Databunker.Core.Requests;

/// <summary>What a data subject asks for.</summary>
public enum PrivacyRequestType
{
    /// <summary>A copy of their data (GDPR Art. 15; CCPA right to know). Carried out by the export.</summary>
    Access = 1,

    /// <summary>Their data in a machine-readable form (GDPR Art. 20). Carried out by the export.</summary>
    Portability = 2,

    /// <summary>A correction (GDPR Art. 16; CPRA right to correct). Carried out as a JSON merge patch of the profile.</summary>
    Rectification = 3,

    /// <summary>Erasure (GDPR Art. 17; CCPA right to delete). Carried out by forgetting the person.</summary>
    Erasure = 4,

    /// <summary>Restriction of processing (GDPR Art. 18). Carried out by the host, through <see cref="IPrivacyRequestFanOut"/>.</summary>
    Restriction = 5,

    /// <summary>An objection to an activity (GDPR Art. 21; CCPA opt-out). Carried out by the host, through <see cref="IPrivacyRequestFanOut"/>.</summary>
    Objection = 6,

    /// <summary>Withdrawal of a consent (GDPR Art. 7(3)). Carried out by a withdrawal in the consent ledger.</summary>
    ConsentWithdrawal = 7,
}

/// <summary>Where a request stands. The transitions are listed in <c>docs/requests.md</c> and enforced.</summary>
public enum PrivacyRequestState
{
    /// <summary>Submitted; the person's identity is not verified yet (a code was sent).</summary>
    Received = 1,

    /// <summary>Verified, of a type that needs no approval (<see cref="PrivacyRequestOptions.ApprovalNotRequired"/>): the host carries it out with <see cref="IPrivacyRequestManager.ApproveAsync"/>.</summary>
    Verified = 2,

    /// <summary>Verified; a DPO must approve or reject it.</summary>
    AwaitingApproval = 3,

    /// <summary>Approved and being carried out.</summary>
    InProgress = 4,

    /// <summary>Carried out. Final.</summary>
    Completed = 5,

    /// <summary>Refused by a DPO, with a reason. Final.</summary>
    Rejected = 6,

    /// <summary>Withdrawn by the person or the host, with a reason. Final.</summary>
    Cancelled = 7,

    /// <summary>Never verified within <see cref="PrivacyRequestOptions.VerificationWindow"/>. Final.</summary>
    Expired = 8,

    /// <summary>Carrying it out failed, or was interrupted; <see cref="PrivacyRequest.Outcome"/> says why. It can be approved again.</summary>
    Failed = 9,
}

/// <summary>The law whose deadlines a request follows.</summary>
public enum PrivacyRegime
{
    /// <summary>GDPR Art. 12(3): an answer within one month of receipt, extendable by two further months; a deadline on a weekend or holiday moves to the next working day.</summary>
    Gdpr = 1,

    /// <summary>CCPA/CPRA (Cal. Code Regs. tit. 11 § 7021): acknowledgement within 10 business days, an answer within 45 calendar days, extendable once by 45 more.</summary>
    Ccpa = 2,
}

/// <summary>A request as the person (or the host for them) submits it.</summary>
public sealed record PrivacyRequestSubmission
{
    /// <summary>The person the request is about.</summary>
    public required Guid Person { get; init; }

    /// <summary>What they ask for.</summary>
    public required PrivacyRequestType Type { get; init; }

    /// <summary>The law whose deadlines apply.</summary>
    public PrivacyRegime Regime { get; init; } = PrivacyRegime.Gdpr;

    /// <summary>The catalogue activity an objection, restriction or consent withdrawal is about; required for a consent withdrawal, which needs a consent-based activity.</summary>
    public string? Activity { get; init; }

    /// <summary>For a rectification: the correction, a JSON object applied as a merge patch (RFC 7396). Sealed under the person's key.</summary>
    public JsonElement? Change { get; init; }

    /// <summary>
    /// Whether the host has already verified the person's identity (they are signed in to the host). Then no code is
    /// sent and the request starts verified; otherwise a one-time code goes out through <see cref="IPrivacyRequestCodeSender"/>.
    /// </summary>
    public bool IdentityVerified { get; init; }
}

/// <summary>A request, as the manager reports it.</summary>
public sealed record PrivacyRequest
{
    /// <summary>The request's id: random, not secret.</summary>
    public required Guid Id { get; init; }

    /// <summary>The person's token.</summary>
    public required Guid Person { get; init; }

    /// <summary>What was asked for.</summary>
    public required PrivacyRequestType Type { get; init; }

    /// <summary>The law whose deadlines apply.</summary>
    public required PrivacyRegime Regime { get; init; }

    /// <summary>Where it stands.</summary>
    public required PrivacyRequestState State { get; init; }

    /// <summary>The catalogue activity it is about, or <see langword="null"/>.</summary>
    public string? Activity { get; init; }

    /// <summary>When it was received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The end of the acknowledgement period (CCPA), or <see langword="null"/>.</summary>
    public DateTimeOffset? AcknowledgeBy { get; init; }

    /// <summary>When the person was first contacted about it (the code was sent, or it was submitted verified).</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>The end of the period to answer in: the request is overdue from this instant on.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>Whether the period was extended.</summary>
    public bool IsExtended { get; init; }

    /// <summary>When the person's identity was verified.</summary>
    public DateTimeOffset? VerifiedAt { get; init; }

    /// <summary>When it was approved, rejected or cancelled.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Who approved or rejected it (the DPO's account name as the host passed it), or <see langword="null"/>.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>A fixed code saying how it ended or why it failed (<c>carried-out</c>, <c>person-forgotten</c>, <c>change-refused</c>, <c>fan-out-failed</c>, <c>interrupted</c>, ...); never personal data.</summary>
    public string? Outcome { get; init; }

    /// <summary>When the due-work pass found it overdue, or <see langword="null"/>.</summary>
    public DateTimeOffset? OverdueAt { get; init; }

    /// <summary>A rectification's correction, opened; <see langword="null"/> otherwise and once the person is forgotten.</summary>
    public JsonElement? Change { get; init; }

    /// <summary>The reason given for a rejection or cancellation, opened; <see langword="null"/> once the person is forgotten.</summary>
    public string? Reason { get; init; }

    /// <summary>The reason given for an extension, opened; <see langword="null"/> once the person is forgotten.</summary>
    public string? ExtensionReason { get; init; }

    /// <summary>Whether it is in a final state: completed, rejected, cancelled or expired.</summary>
    public bool IsClosed => State is PrivacyRequestState.Completed or PrivacyRequestState.Rejected or PrivacyRequestState.Cancelled or PrivacyRequestState.Expired;
}

/// <summary>What a verification attempt found.</summary>
public enum PrivacyRequestVerification
{
    /// <summary>The code was right: the request is verified.</summary>
    Verified = 1,

    /// <summary>The code was wrong; attempts may be left.</summary>
    WrongCode = 2,

    /// <summary>The code's lifetime ended, or its attempts are spent: ask for a new one with <see cref="IPrivacyRequestManager.ResendCodeAsync"/>.</summary>
    CodeExpired = 3,

    /// <summary>The request is not waiting for verification (verified already, or closed).</summary>
    NotPending = 4,
}

/// <summary>A DPO's approval.</summary>
public sealed record PrivacyRequestApproval
{
    /// <summary>Who approves: the DPO's account name in the host; 1 to 200 characters.</summary>
    public required string Approver { get; init; }

    /// <summary>For an access or portability request: where the export is written. Required for those types, ignored by the others.</summary>
    public Stream? Destination { get; init; }
}

/// <summary>Which requests <see cref="IPrivacyRequestManager.ListAsync"/> returns, by due date then id.</summary>
public sealed record PrivacyRequestQuery
{
    /// <summary>The states to list; empty for the open ones (every state that is not final).</summary>
    public IReadOnlyCollection<PrivacyRequestState> States { get; init; } = [];

    /// <summary>At most this many; 1 to 1,000.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The last request of the previous page, to list those after it; <see langword="null"/> for the first page.</summary>
    public PrivacyRequest? After { get; init; }
}

/// <summary>A verification code to deliver to the person, by the host's own channel (mail, text message).</summary>
/// <param name="Request">The request's id.</param>
/// <param name="Person">The person's token: the host looks up where to send it.</param>
/// <param name="Type">What the request asks for.</param>
/// <param name="Code">The one-time code (8 digits). Deliver it; never log it. The vault keeps only its keyed hash.</param>
/// <param name="ExpiresAt">When the code stops working.</param>
public sealed record PrivacyRequestCode(Guid Request, Guid Person, PrivacyRequestType Type, string Code, DateTimeOffset ExpiresAt)
{
    /// <summary>Shows everything but the code.</summary>
    /// <returns>The message without its secret.</returns>
    public override string ToString() => $"PrivacyRequestCode {{ Request = {Request}, Type = {Type}, Code = [redacted], ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>Why the notifier is called.</summary>
public enum PrivacyRequestEvent
{
    /// <summary>A request was submitted.</summary>
    Received = 1,

    /// <summary>A request passed its due date while still open: the due-work pass found it overdue.</summary>
    Overdue = 2,

    /// <summary>
    /// A request's period to answer was extended (<see cref="IPrivacyRequestManager.ExtendAsync"/>): the person must be told,
    /// with the reason, within the first period (GDPR Art. 12(3)).
    /// </summary>
    Extended = 3,

    /// <summary>
    /// A request that was received unverified was verified with its code (<see cref="IPrivacyRequestManager.VerifyAsync"/>):
    /// it now counts, and the person can be sent its receipt.
    /// </summary>
    Verified = 4,
}

/// <summary>What the notifier is told: no person, no change, no reason, only what a DPO's queue needs.</summary>
/// <param name="Event">Why.</param>
/// <param name="Request">The request's id.</param>
/// <param name="Type">What it asks for.</param>
/// <param name="Regime">The law whose deadlines apply.</param>
/// <param name="State">Where it stands.</param>
/// <param name="DueAt">When it is due.</param>
public sealed record PrivacyRequestNotice(PrivacyRequestEvent Event, Guid Request, PrivacyRequestType Type, PrivacyRegime Regime, PrivacyRequestState State, DateTimeOffset DueAt);

/// <summary>A request the library carried out, for the host to pass on to its other systems and recipients (GDPR Art. 19).</summary>
/// <param name="Request">The request's id.</param>
/// <param name="Person">The person's token.</param>
/// <param name="Type">What was carried out.</param>
/// <param name="Activity">The activity it is about, or <see langword="null"/>.</param>
/// <param name="Change">A rectification's correction, or <see langword="null"/>.</param>
public sealed record CarriedOutPrivacyRequest(Guid Request, Guid Person, PrivacyRequestType Type, string? Activity, JsonElement? Change);
