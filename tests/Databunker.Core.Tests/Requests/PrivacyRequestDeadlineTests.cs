using Databunker.Core.Requests;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Requests;

/// <summary>The legal deadlines, on a fake clock: month ends, leap years, weekends, holidays and a time zone, for both regimes.</summary>
[Category(TestStore.SqliteName)]
public sealed class PrivacyRequestDeadlineTests
{
    // GDPR: the same date a month on, or the month's last day; a weekend or holiday moves it to the next working day.
    [TestCase("2027-01-31T10:00:00Z", "2027-03-02T00:00:00Z", TestName = "GDPR: 31 January 2027 + 1 month is Sunday 28 February, so Monday 1 March")]
    [TestCase("2028-01-31T10:00:00Z", "2028-03-01T00:00:00Z", TestName = "GDPR: 31 January 2028 + 1 month is Tuesday 29 February (leap year)")]
    [TestCase("2027-04-29T23:59:59Z", "2027-06-01T00:00:00Z", TestName = "GDPR: 29 April + 1 month is Saturday 29 May, so Monday 31 May")]
    [TestCase("2027-06-15T00:00:00Z", "2027-07-16T00:00:00Z", TestName = "GDPR: 15 June + 1 month is Thursday 15 July")]
    public async Task GdprDueDates(string received, string due)
    {
        var request = await SubmitAsync(received, PrivacyRegime.Gdpr);

        request.DueAt.Should().Be(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture));
        request.AcknowledgeBy.Should().BeNull("the GDPR sets no separate acknowledgement period");
    }

    [Test]
    public async Task Gdpr_AHolidayMovesTheDeadline_AndTheExtensionCountsThreeMonthsFromReceipt()
    {
        // 31 March + 1 month = Friday 30 April, a holiday here: Monday 3 May.
        var request = await SubmitAsync("2027-03-31T08:00:00Z", PrivacyRegime.Gdpr, holidays: [new DateOnly(2027, 4, 30)], extendAfter: TimeSpan.FromDays(10));

        request.DueAt.Should().Be(new DateTimeOffset(2027, 7, 1, 0, 0, 0, TimeSpan.Zero), "extended: 30 June, a Wednesday");
        request.IsExtended.Should().BeTrue();
        (await SubmitAsync("2027-03-31T08:00:00Z", PrivacyRegime.Gdpr, holidays: [new DateOnly(2027, 4, 30)])).DueAt.Should().Be(new DateTimeOffset(2027, 5, 4, 0, 0, 0, TimeSpan.Zero));
        (await SubmitAsync("2026-11-30T08:00:00Z", PrivacyRegime.Gdpr, extendAfter: TimeSpan.FromDays(1))).DueAt
            .Should().Be(new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero), "30 November + 3 months is Sunday 28 February: Monday 1 March");
    }

    [Test]
    public async Task Gdpr_CountsDaysInTheConfiguredTimeZone()
    {
        // 23:30 UTC on 31 March is 01:30 on 1 April in Berlin: 1 May (a Saturday) then Monday 3 May, ending at midnight Berlin time.
        var request = await SubmitAsync("2027-03-31T23:30:00Z", PrivacyRegime.Gdpr, zone: TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        request.DueAt.Should().Be(new DateTimeOffset(2027, 5, 4, 0, 0, 0, TimeSpan.FromHours(2)));
    }

    [Test]
    public async Task Ccpa_TenBusinessDaysToAcknowledge_45DaysToAnswer_45More_AcrossALeapFebruary()
    {
        // Thursday 20 January 2028: business days 21, 24-28, 31 January, 1-3 February.
        var request = await SubmitAsync("2028-01-20T15:00:00Z", PrivacyRegime.Ccpa);
        var withHoliday = await SubmitAsync("2028-01-20T15:00:00Z", PrivacyRegime.Ccpa, holidays: [new DateOnly(2028, 1, 24)]);
        var extended = await SubmitAsync("2028-01-20T15:00:00Z", PrivacyRegime.Ccpa, extendAfter: TimeSpan.FromDays(44));

        request.AcknowledgeBy.Should().Be(new DateTimeOffset(2028, 2, 4, 0, 0, 0, TimeSpan.Zero));
        withHoliday.AcknowledgeBy.Should().Be(new DateTimeOffset(2028, 2, 5, 0, 0, 0, TimeSpan.Zero), "a holiday is not a business day");
        request.DueAt.Should().Be(new DateTimeOffset(2028, 3, 6, 0, 0, 0, TimeSpan.Zero), "20 January + 45 days is 5 March in a leap year");
        extended.DueAt.Should().Be(new DateTimeOffset(2028, 4, 20, 0, 0, 0, TimeSpan.Zero), "and 19 April with 45 more");
        request.AcknowledgedAt.Should().Be(request.ReceivedAt, "the verification code is the acknowledgement");
    }

    [TestCase(PrivacyRegime.Gdpr)]
    [TestCase(PrivacyRegime.Ccpa)]
    public async Task AnOpenRequest_IsFlaggedOverdueByThePass_AtTheExactTick_AndNotBefore(PrivacyRegime regime)
    {
        var hooks = new RequestHooks();
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 1, 31, 10, 0, 0, TimeSpan.Zero));
        await using var host = await VaultHost.StartAsync(time: time, services: hooks.Register);
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "late@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, Regime = regime, IdentityVerified = true });

        time.SetUtcNow(request.DueAt - TimeSpan.FromTicks(1));
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(0);
        (await requests.GetAsync(request.Id))!.OverdueAt.Should().BeNull();
        hooks.Notices.Should().ContainSingle("only the receipt was notified");

        time.SetUtcNow(request.DueAt);
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(1);
        (await host.Administration.RunDueWorkAsync())["requests"].Should().Be(0, "a request is flagged once");

        (await requests.GetAsync(request.Id))!.OverdueAt.Should().Be(request.DueAt);
        hooks.Notices.Last().Should().Be(new PrivacyRequestNotice(PrivacyRequestEvent.Overdue, request.Id, PrivacyRequestType.Access, regime, PrivacyRequestState.AwaitingApproval, request.DueAt));
        await FluentActions.Awaiting(() => requests.ExtendAsync(request.Id, "too late")).Should().ThrowAsync<PrivacyRequestStateException>("an extension is made within the period");
        (await host.Vault.GetAuditEventsAsync(person)).Should().ContainSingle(e => e.Operation == AuditOperations.RequestOverdue);
    }

    private static async Task<PrivacyRequest> SubmitAsync(
        string received, PrivacyRegime regime, DateOnly[]? holidays = null, TimeZoneInfo? zone = null, TimeSpan? extendAfter = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse(received, System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await VaultHost.StartAsync(
            o =>
            {
                foreach (var holiday in holidays ?? [])
                {
                    o.Requests.Holidays.Add(holiday);
                }

                o.Requests.TimeZone = zone?.Id ?? "UTC";
            },
            time: time,
            services: new RequestHooks().Register);
        var requests = host.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "deadline@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, Regime = regime });
        request.ReceivedAt.Should().Be(time.GetUtcNow());
        if (extendAfter is { } after)
        {
            time.Advance(after);
            var extended = await requests.ExtendAsync(request.Id, "Many requests at once.");
            (await FluentActions.Awaiting(() => requests.ExtendAsync(request.Id, "again")).Should().ThrowAsync<PrivacyRequestStateException>()).Which.State.Should().Be(PrivacyRequestState.Received);
            return extended;
        }

        return request;
    }
}
