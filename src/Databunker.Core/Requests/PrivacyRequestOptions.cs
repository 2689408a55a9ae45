using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Requests;

/// <summary>Options of <see cref="IPrivacyRequestManager"/>.</summary>
public sealed class PrivacyRequestOptions
{
    /// <summary>How long a verification code works; 1 minute to 1 day.</summary>
    /// <value>30 minutes.</value>
    [TimeSpanRange("00:01:00", "1.00:00:00")]
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many wrong guesses spend a code; 1 to 10.</summary>
    /// <value>5.</value>
    [Range(1, 10)]
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>How many codes one request may be sent; 1 to 20. With the defaults a guesser has 25 tries at 10⁸ codes.</summary>
    /// <value>5.</value>
    [Range(1, 20)]
    public int MaxCodes { get; set; } = 5;

    /// <summary>How long a request may wait for verification before the due-work pass expires it; 1 hour to 90 days.</summary>
    /// <value>7 days.</value>
    [TimeSpanRange("01:00:00", "90.00:00:00")]
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a request may stay in progress before the due-work pass takes it for interrupted (a crash) and fails it; 1 minute to 7 days.</summary>
    /// <value>1 hour.</value>
    [TimeSpanRange("00:01:00", "7.00:00:00")]
    public TimeSpan InProgressTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a closed request is kept as the record of it (its type, dates and outcome; the change and reasons go
    /// with a forget) before the due-work pass purges it; 1 day to 10 years. CCPA regulation § 7101 asks for 24 months.
    /// </summary>
    /// <value>730 days.</value>
    [TimeSpanRange("1.00:00:00", "3650.00:00:00")]
    public TimeSpan RecordRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>The types a DPO must approve; a verified request of another type waits in <see cref="PrivacyRequestState.Verified"/> for the host to carry it out.</summary>
    /// <value>Every type.</value>
    public ISet<PrivacyRequestType> ApprovalRequired { get; } = new HashSet<PrivacyRequestType>(Enum.GetValues<PrivacyRequestType>());

    /// <summary>The time zone whose calendar days the deadlines count in.</summary>
    /// <value>UTC.</value>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Public holidays, which are not business days: a GDPR deadline on one moves to the next working day, and CCPA's acknowledgement period skips them.</summary>
    /// <value>None.</value>
    public ISet<DateOnly> Holidays { get; } = new HashSet<DateOnly>();

    /// <summary>How many requests one batch of the due-work pass handles; 1 to 10,000.</summary>
    /// <value>500.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}
