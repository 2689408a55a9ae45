using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Consent;

/// <summary>Options of <see cref="IConsentLedger"/>.</summary>
public sealed class ConsentOptions
{
    /// <summary>
    /// Whether a forgotten person's decisions stay in the ledger, without their evidence, as proof that consent was
    /// asked for and given (GDPR Art. 7(1)). Off by default: a forget deletes the person's events. Either way the
    /// evidence (reference, IP address, user agent) goes, and the events kept name no one but the forgotten token.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool KeepHistoryAfterForget { get; set; }

    /// <summary>How many expired consents one batch of the due-work pass closes; 1 to 100,000.</summary>
    /// <value>1,000.</value>
    [Range(1, 100_000)]
    public int ExpiryBatchSize { get; set; } = 1000;

    /// <summary>How long a decision recorded for an email or phone that no person holds waits to be attached at registration before the due-work pass deletes it; 1 day to 3 years.</summary>
    /// <value>90 days.</value>
    [TimeSpanRange("1.00:00:00", "1095.00:00:00")]
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromDays(90);
}
