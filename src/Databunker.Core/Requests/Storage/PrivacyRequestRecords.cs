namespace Databunker.Core.Requests.Storage;

/// <summary>A data-subject request as stored: every time in Unix milliseconds; the change and reasons sealed under the person's key.</summary>
public sealed record PrivacyRequestRow
{
    /// <summary>The request's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The person's token.</summary>
    public required Guid Person { get; init; }

    /// <summary>What is asked for.</summary>
    public required PrivacyRequestType Type { get; init; }

    /// <summary>The law whose deadlines apply.</summary>
    public required PrivacyRegime Regime { get; init; }

    /// <summary>Where it stands.</summary>
    public required PrivacyRequestState State { get; init; }

    /// <summary>Its version: 1 when added, one more with every change (a forget's too).</summary>
    public required long Version { get; init; }

    /// <summary>The catalogue activity, or <see langword="null"/>.</summary>
    public string? Activity { get; init; }

    /// <summary>When it was received.</summary>
    public required long ReceivedAt { get; init; }

    /// <summary>The end of the acknowledgement period, or <see langword="null"/>.</summary>
    public long? AcknowledgeBy { get; init; }

    /// <summary>When the person was first contacted about it.</summary>
    public long? AcknowledgedAt { get; init; }

    /// <summary>The end of the answer period.</summary>
    public required long DueAt { get; init; }

    /// <summary>Whether the period was extended.</summary>
    public bool Extended { get; init; }

    /// <summary>The end of the verification window.</summary>
    public required long VerifyBy { get; init; }

    /// <summary>When the identity was verified.</summary>
    public long? VerifiedAt { get; init; }

    /// <summary>The keyed hash of the current code, or <see langword="null"/>.</summary>
    public byte[]? CodeHash { get; init; }

    /// <summary>When the current code stops working.</summary>
    public long? CodeExpiresAt { get; init; }

    /// <summary>Wrong guesses at the current code.</summary>
    public int CodeAttempts { get; init; }

    /// <summary>Codes sent.</summary>
    public int CodesSent { get; init; }

    /// <summary>When it was approved, rejected or cancelled.</summary>
    public long? DecidedAt { get; init; }

    /// <summary>Who approved or rejected it.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>When it reached a final state.</summary>
    public long? ClosedAt { get; init; }

    /// <summary>A fixed outcome code.</summary>
    public string? Outcome { get; init; }

    /// <summary>When the pass found it overdue.</summary>
    public long? OverdueAt { get; init; }

    /// <summary>When the due-work pass must next look at it, or <see langword="null"/> for never.</summary>
    public long? WakeAt { get; init; }

    /// <summary>The change and reasons, sealed under the person's key; <see langword="null"/> when there are none or after a forget.</summary>
    public byte[]? Sealed { get; init; }
}
