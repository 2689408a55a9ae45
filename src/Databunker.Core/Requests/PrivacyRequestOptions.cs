using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Requests;

/// <summary>Options of <see cref="IPrivacyRequestManager"/>.</summary>
public sealed class PrivacyRequestOptions : IValidatableObject
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

    /// <summary>
    /// The types that need no DPO's approval: a verified request of one of them waits in
    /// <see cref="PrivacyRequestState.Verified"/> for the host to carry it out, and one of any other type in
    /// <see cref="PrivacyRequestState.AwaitingApproval"/> for a DPO. In configuration, <c>Requests:ApprovalNotRequired:0</c>
    /// and on.
    /// </summary>
    /// <value>None: every type waits for a DPO.</value>
    public ISet<PrivacyRequestType> ApprovalNotRequired { get; } = new HashSet<PrivacyRequestType>();

    /// <summary>
    /// The time zone whose calendar days the deadlines count in: an IANA id (<c>Europe/Berlin</c>), or a Windows id on
    /// Windows, that this system knows.
    /// </summary>
    /// <value><c>UTC</c>.</value>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Public holidays, which are not business days: a GDPR deadline on one moves to the next working day, and CCPA's acknowledgement period skips them.</summary>
    /// <value>None.</value>
    public ISet<DateOnly> Holidays { get; } = new HashSet<DateOnly>();

    /// <summary>How many requests one batch of the due-work pass handles; 1 to 10,000.</summary>
    /// <value>500.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>The time zone is one this system knows.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult(
                $"TimeZone \"{TimeZone}\" is not a time zone of this system (give an IANA id such as Europe/Berlin).", [nameof(TimeZone)]);
        }
    }
}
