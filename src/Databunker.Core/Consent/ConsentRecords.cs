namespace Databunker.Core.Consent;

/// <summary>A person's decision about a consent-based activity.</summary>
public enum ConsentDecision
{
    /// <summary>The person gave consent.</summary>
    Granted = 1,

    /// <summary>The person was asked and said no.</summary>
    Refused = 2,

    /// <summary>The person took back a consent they had given (GDPR Art. 7(3)).</summary>
    Withdrawn = 3,

    /// <summary>The consent ran out: written by the due-work pass when a granted consent's validity ended.</summary>
    Expired = 4,

    /// <summary>The activity's notice has a newer version than the one the grant was given for: written by the due-work pass; the person must be asked again.</summary>
    ReconsentRequired = 5,
}

/// <summary>How a decision reached the host.</summary>
public enum ConsentMethod
{
    /// <summary>A form the person filled in.</summary>
    Form = 1,

    /// <summary>A call of the host's API.</summary>
    Api = 2,

    /// <summary>An import from an earlier system.</summary>
    Import = 3,

    /// <summary>A Global Privacy Control signal sent by the person's browser (an opt-out under CPRA).</summary>
    GlobalPrivacyControl = 4,

    /// <summary>The library itself (an expiry).</summary>
    System = 5,
}

/// <summary>What proves a decision: sealed under the person's key, and removed when they are forgotten.</summary>
public sealed record ConsentEvidence
{
    /// <summary>A reference into the host's own records (a form submission id).</summary>
    public string? Reference { get; init; }

    /// <summary>The IP address the decision came from.</summary>
    public string? IpAddress { get; init; }

    /// <summary>The user agent the decision came from.</summary>
    public string? UserAgent { get; init; }
}

/// <summary>A decision to record.</summary>
public sealed record ConsentRecord
{
    /// <summary>The activity (<see cref="Privacy.ProcessingActivity.Name"/>); it must rest on consent.</summary>
    public required string Activity { get; init; }

    /// <summary>The decision: granted, refused or withdrawn.</summary>
    public required ConsentDecision Decision { get; init; }

    /// <summary>How the decision was made.</summary>
    public ConsentMethod Method { get; init; } = ConsentMethod.Api;

    /// <summary>Where it was made: the page, the app, the import (not personal data; at most 200 characters).</summary>
    public string? Source { get; init; }

    /// <summary>The version of the activity's notice the person was shown; <see langword="null"/> for the latest published.</summary>
    public int? NoticeVersion { get; init; }

    /// <summary>How long a granted consent holds; <see langword="null"/> until it is withdrawn.</summary>
    public TimeSpan? ValidFor { get; init; }

    /// <summary>The evidence, sealed under the person's key.</summary>
    public ConsentEvidence? Evidence { get; init; }
}

/// <summary>A recorded decision, as the ledger keeps it: nothing is ever changed or removed but the evidence, on forget.</summary>
/// <param name="Id">The event's id, increasing in the order events were recorded.</param>
/// <param name="Activity">The activity.</param>
/// <param name="Decision">The decision.</param>
/// <param name="Method">How it was made.</param>
/// <param name="Source">Where it was made, or <see langword="null"/>.</param>
/// <param name="Notice">The notice's name.</param>
/// <param name="NoticeVersion">The version of the notice shown.</param>
/// <param name="NoticeHash">The SHA-256 of that version's text, in lower-case hex: the exact text shown.</param>
/// <param name="At">When the decision was recorded.</param>
/// <param name="ExpiresAt">When a granted consent runs out, or <see langword="null"/>.</param>
/// <param name="Evidence">The evidence, or <see langword="null"/> (none given, or removed by a forget).</param>
public sealed record ConsentEvent(
    long Id, string Activity, ConsentDecision Decision, ConsentMethod Method, string? Source, string Notice, int NoticeVersion, string NoticeHash,
    DateTimeOffset At, DateTimeOffset? ExpiresAt, ConsentEvidence? Evidence);

/// <summary>Where a person stands on one consent-based activity, derived from the ledger's events.</summary>
/// <param name="Activity">The activity.</param>
/// <param name="Decision">The latest decision, or <see langword="null"/> when there is none.</param>
/// <param name="Latest">The latest event, or <see langword="null"/>.</param>
/// <param name="NeedsReconsent">Whether the consent was given for an older version of the notice than the latest published (found on read, and written as a <see cref="ConsentDecision.ReconsentRequired"/> event by the due-work pass).</param>
public sealed record ConsentState(string Activity, ConsentDecision? Decision, ConsentEvent? Latest, bool NeedsReconsent)
{
    /// <summary>Whether the consent holds: granted for the latest notice version and not expired.</summary>
    public bool IsGranted => Decision == ConsentDecision.Granted && !NeedsReconsent;
}

/// <summary>A person and their latest decision on an activity.</summary>
/// <param name="Person">The person's token.</param>
/// <param name="Latest">The latest event, without its evidence.</param>
public sealed record PersonConsent(Guid Person, ConsentEvent Latest);
