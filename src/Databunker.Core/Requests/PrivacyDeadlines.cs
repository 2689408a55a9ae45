namespace Databunker.Core.Requests;

/// <summary>
/// The legal deadlines of a request, counted in calendar days of the configured time zone. A deadline is the end of
/// its last day: the request is overdue from the first instant of the next day.
/// </summary>
internal sealed class PrivacyDeadlines(TimeZoneInfo zone, ISet<DateOnly> holidays)
{
    private const int CcpaAcknowledgeBusinessDays = 10;
    private const int CcpaAnswerDays = 45;
    private const int GdprAnswerMonths = 1;
    private const int GdprExtensionMonths = 2;

    /// <summary>When the acknowledgement period ends, or <see langword="null"/> when the regime has none.</summary>
    public DateTimeOffset? AcknowledgeBy(PrivacyRegime regime, DateTimeOffset receivedAt)
    {
        if (regime != PrivacyRegime.Ccpa)
        {
            return null;
        }

        // Ten business days after the day of receipt: weekends and holidays do not count.
        var day = DayOf(receivedAt);
        for (var counted = 0; counted < CcpaAcknowledgeBusinessDays;)
        {
            day = day.AddDays(1);
            if (IsBusinessDay(day))
            {
                counted++;
            }
        }

        return EndOf(day);
    }

    /// <summary>When the answer period ends.</summary>
    public DateTimeOffset DueAt(PrivacyRegime regime, DateTimeOffset receivedAt, bool extended)
    {
        var received = DayOf(receivedAt);
        if (regime == PrivacyRegime.Ccpa)
        {
            // 45 calendar days, and 45 more when extended; no roll to a working day.
            return EndOf(received.AddDays(extended ? 2 * CcpaAnswerDays : CcpaAnswerDays));
        }

        // GDPR Art. 12(3) with Regulation 1182/71 Art. 3: the same date N months later, or the month's last day when
        // it has no such date (31 January + 1 month = 28 or 29 February); a Saturday, Sunday or holiday moves it to the
        // next working day. The extension counts from receipt: three months in all.
        var due = received.AddMonths(extended ? GdprAnswerMonths + GdprExtensionMonths : GdprAnswerMonths);
        while (!IsBusinessDay(due))
        {
            due = due.AddDays(1);
        }

        return EndOf(due);
    }

    private bool IsBusinessDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(day);

    private DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>The first instant after <paramref name="day"/>: local midnight of the next day (or the first valid instant after it, across a clock change).</summary>
    private DateTimeOffset EndOf(DateOnly day)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }

        var offset = zone.IsAmbiguousTime(midnight) ? zone.GetAmbiguousTimeOffsets(midnight).Max() : zone.GetUtcOffset(midnight);
        return new DateTimeOffset(midnight, offset).ToUniversalTime();
    }
}
