using System.Globalization;
using System.Net;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.HostTemplates;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Expiration;
using Databunker.Core.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.AspNetCore.Tests.Support.PortalTour;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// The vault's mails through a host's <see cref="IDatabunkerMailSender"/>: what each says, in which language, what a failed
/// send does, and that a host's templates replace the package's.
/// </summary>
public sealed class MailTests
{
    private const string Product = "Example Shop";

    [Test]
    public async Task StartingAnExpiration_MailsBothLinksAndTheDueDate_InTheCallersLanguage()
    {
        var (host, outbox) = await StartAsync();
        await using var _ = host;

        var ticket = await WithUiCulture("de", () => host.StartExpirationAsync("grete@example.com"));

        var mail = outbox.Sent.Should().ContainSingle().Subject;
        mail.Kind.Should().Be(DatabunkerMailKind.Expiration);
        mail.To.Should().Be("grete@example.com");
        mail.Person.Should().Be(ticket.PersonToken);
        mail.Culture.Name.Should().Be("de");
        mail.Subject.Should().Be(Text("de", "Mail.Expiration.Subject", Product));
        mail.TextBody.Should().Contain(Text("de", "Mail.Expiration.Body", "26. Dezember 2026"), "the due date is written in the mail's language")
            .And.Contain(Text("de", "Mail.Expiration.Keep") + ":\n" + ticket.RetainUrl!.AbsoluteUri)
            .And.Contain(Text("de", "Mail.Expiration.Delete") + ":\n" + ticket.DeleteUrl!.AbsoluteUri);
        mail.HtmlBody.Should().StartWith("<!DOCTYPE html>").And.Contain("<html lang=\"de\">")
            .And.Contain($"href=\"{ticket.RetainUrl.AbsoluteUri}\"").And.Contain($"href=\"{ticket.DeleteUrl.AbsoluteUri}\"")
            .And.Contain(">" + Text("de", "Mail.Expiration.Keep") + "</a>").And.Contain("background:#0f766e");
        mail.ToString().Should().NotContain("grete").And.NotContain(ticket.RetainToken);
        new DatabunkerMailAction("Keep my data", ticket.RetainUrl).ToString().Should().NotContain(ticket.RetainToken, "a logged action shows no link");

        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();
        (await browser.GetAsync(host.Local(ticket.RetainUrl))).StatusCode.Should().Be(HttpStatusCode.OK, "the mailed link is the stored one");
        (await host.Expirations.InspectLinkAsync(ticket.DeleteToken)).Should().NotBeNull();
    }

    [Test]
    public async Task AFailedExpirationMail_StartsNothing_AndTheHostSeesWhy()
    {
        var (host, outbox) = await StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "unreachable@example.com" }));
        outbox.Failure = new IOException("The mail server is down.");

        await FluentActions.Awaiting(() => host.Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30))))
            .Should().ThrowAsync<IOException>();

        (await host.Expirations.GetStatusAsync(PersonLookup.ByToken(person)))!.State.Should().Be(ExpirationState.None, "no one falls due without having been told");
        (await host.Vault.GetAuditEventsAsync(person)).Should().NotContain(e => e.Operation == AuditOperations.ExpirationStart);
    }

    [Test]
    public async Task ThePersonsOwnLanguage_InTheirProfile_WinsOverTheCallers()
    {
        var (host, outbox) = await StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "amelie@example.com", language = "fr-BE" }));

        await WithUiCulture("de", () => host.Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30))));

        var mail = outbox.Sent.Should().ContainSingle().Subject;
        mail.Culture.Name.Should().Be("fr", "the profile names Belgian French, and the pages offer French");
        mail.Subject.Should().Be(Text("fr", "Mail.Expiration.Subject", Product));
    }

    [Test]
    public async Task AMailsAddressLookup_IsInThePersonsHistory_AsAMail()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var ticket = await host.StartExpirationAsync("history@example.com");

        var read = (await host.Vault.GetAuditEventsAsync(ticket.PersonToken)).Should().ContainSingle(e => e.Operation == AuditOperations.PersonUse).Subject;
        read.Actor.Should().Be(MailComposer.Actor);
        PrivacyPortal.Describe(new PortalText(CultureInfo.GetCultureInfo("en"), null), new DatabunkerPageOptions(), read, null)
            .Should().Be(Text("en", "Event.Mail"));
    }

    [Test]
    public async Task ThePortalsSignInCode_IsMailedInThePagesLanguage_AndSignsThePersonIn()
    {
        var (host, outbox) = await StartAsync(map: app => app.MapDatabunkerPrivacyPortal());
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "lucia@example.com" }));
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();
        var signIn = new Uri(host.Address, "/privacy/portal/signin");

        var page = await browser.GetStringAsync(signIn + "?culture=es");
        var codePage = await (await browser.PostAsync(signIn, new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(page).Append(new("email", "lucia@example.com"))))).Content.ReadAsStringAsync();
        var mail = await outbox.NextAsync();

        mail.Kind.Should().Be(DatabunkerMailKind.SignInCode);
        mail.Person.Should().Be(person);
        mail.Culture.Name.Should().Be("es", "the page asked for Spanish");
        mail.Subject.Should().Be(Text("es", "Mail.SignInCode.Subject", Product));
        var code = System.Text.RegularExpressions.Regex.Match(mail.TextBody, "^    ([0-9]{8})$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
        mail.TextBody.Should().Contain(Text("es", "Mail.Code.ValidMinutes", 10)).And.Contain(Text("es", "Mail.SignInCode.Ignore"));
        mail.HtmlBody.Should().Contain(">" + code + "</p>");
        (await browser.PostAsync(new Uri(host.Address, "/privacy/portal/signin/code"), new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(codePage).Append(new("code", code)))))
            .StatusCode.Should().Be(HttpStatusCode.SeeOther, "the mailed code signs in");
    }

    [Test]
    public async Task AVerifiedRequest_GetsAReceiptWithItsDueDate_AndAnExtension_ANoticeWithTheReason()
    {
        var (host, outbox) = await StartAsync(mail: o => o.PortalAddress = new Uri("https://shop.example/privacy/portal/"));
        await using var _ = host;
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "jan@example.com", language = "nl" }));

        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, Regime = PrivacyRegime.Gdpr, IdentityVerified = true });
        var receipt = outbox.Sent.Should().ContainSingle().Subject;
        receipt.Kind.Should().Be(DatabunkerMailKind.RequestReceived);
        receipt.Subject.Should().Be(Text("nl", "Mail.Received.Subject", Text("nl", "RequestType.Access")));
        receipt.TextBody.Should().Contain(Text("nl", "Mail.Received.Body", "26 november 2026", Text("nl", "RequestType.Access")))
            .And.Contain(Text("nl", "Mail.Received.Due", "28 december 2026"), "a month is up on Saturday 26 December, so the period ends on Monday 28th")
            .And.Contain("https://shop.example/privacy/portal/");

        await WithUiCulture("de", () => requests.ExtendAsync(request.Id, "Uw verzoek betreft <veel> systemen."));
        var notice = outbox.Sent.Last();
        notice.Kind.Should().Be(DatabunkerMailKind.RequestExtended);
        notice.Culture.Name.Should().Be("nl", "the profile's language, though the DPO's call runs in another");
        notice.TextBody.Should().Contain(Text("nl", "Mail.Extended.Body", "26 november 2026", Text("nl", "RequestType.Access"), "26 februari 2027"))
            .And.Contain(Text("nl", "Mail.Extended.Reason", "Uw verzoek betreft <veel> systemen."));
        notice.HtmlBody.Should().Contain("Uw verzoek betreft &lt;veel&gt; systemen.", "the DPO's words are encoded in the HTML").And.NotContain("<veel>");
    }

    [Test]
    public async Task AnUnverifiedRequest_MailsItsCode_ThenItsReceiptOnceVerified_AndAnOverdueOne_ADpoNoticeWithNoPersonalData()
    {
        var (host, outbox) = await StartAsync(mail: o => o.DpoAddress = "dpo@shop.example");
        await using var _ = host;
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "erin@example.com", name = "Erin Example" }));

        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Erasure, Regime = PrivacyRegime.Gdpr });
        var codeMail = outbox.Sent.Should().ContainSingle("no receipt before the request is verified").Subject;
        codeMail.Kind.Should().Be(DatabunkerMailKind.RequestCode);
        codeMail.Subject.Should().Be(Text("en", "Mail.RequestCode.Subject", Product));
        var code = System.Text.RegularExpressions.Regex.Match(codeMail.TextBody, "^    ([0-9]{8})$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
        (await requests.VerifyAsync(request.Id, code)).Should().Be(PrivacyRequestVerification.Verified, "the mailed code verifies the request");
        var receipt = outbox.Sent.Last();
        receipt.Kind.Should().Be(DatabunkerMailKind.RequestReceived, "the request counts once verified");
        receipt.TextBody.Should().Contain(Text("en", "Mail.Received.Due", "28 December 2026"));

        host.Time.SetUtcNow(request.DueAt);
        await host.App.Services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync();
        var overdue = outbox.Sent.Last();
        overdue.Kind.Should().Be(DatabunkerMailKind.RequestOverdue);
        overdue.To.Should().Be("dpo@shop.example");
        overdue.Person.Should().BeNull();
        overdue.TextBody.Should().Contain(request.Id.ToString("D")).And.Contain(Text("en", "Mail.Overdue.Body", Text("en", "RequestType.Erasure"), "28 December 2026"));
        foreach (var body in new[] { overdue.Subject, overdue.TextBody, overdue.HtmlBody })
        {
            body.Should().NotContain("erin").And.NotContain("Erin").And.NotContain(person.ToString("D"));
        }
    }

    [Test]
    public async Task AnExtensionNotice_ForAPersonWithNoLanguageInTheProfile_IsInTheFirstLanguage_NotTheDposCulture()
    {
        var (host, outbox) = await StartAsync();
        await using var _ = host;
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "no.language@example.com" }));
        var request = await WithUiCulture("fr", () => requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true }));
        outbox.Sent.Single().Culture.Name.Should().Be("fr", "the person's own page was in French");

        await WithUiCulture("de", () => requests.ExtendAsync(request.Id, "Mehrere Systeme sind betroffen."));

        outbox.Sent.Last().Culture.Name.Should().Be("en", "the DPO's German says nothing about the person, so the first language offered is used");
    }

    [Test]
    public async Task AReceiptThatCannotBeSent_LeavesTheRequestStanding()
    {
        var (host, outbox) = await StartAsync();
        await using var _ = host;
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "down@example.com" }));
        // A mail client's timeout, whose message names the address, as a mail server's answer may.
        outbox.Failure = new TaskCanceledException("No answer from the server while sending to down@example.com.");

        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });

        (await requests.GetAsync(request.Id)).Should().NotBeNull("the receipt is told after the request is stored, and its failure, a cancellation too, undoes nothing");
        host.Logs.Lines.Should().Contain(m => m.Contains("TaskCanceledException", StringComparison.Ordinal)).And.NotContain(m => m.Contains("down@example.com", StringComparison.Ordinal));
    }

    [Test]
    public async Task ARequestsDays_AreCountedInTheRequestsTimeZone()
    {
        var (host, outbox) = await StartAsync(options: o => o.Requests.TimeZone = "Europe/Berlin");
        await using var _ = host;
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "berlin@example.com" }));
        host.Time.SetUtcNow(new DateTimeOffset(2026, 11, 26, 23, 30, 0, TimeSpan.Zero));

        await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });

        // 23:30 UTC on 26 November is 00:30 on the 27th in Berlin: received on the 27th, and a month later is Sunday
        // 27 December, so the period's last day is Monday 28 December.
        outbox.Sent.Single().TextBody.Should().Contain(Text("en", "Mail.Received.Body", "27 November 2026", Text("en", "RequestType.Access")))
            .And.Contain(Text("en", "Mail.Received.Due", "28 December 2026"));
    }

    [Test]
    public async Task AHostsOwnCodeSender_RegisteredBeforeTheMails_StaysInTheirPlace()
    {
        var mailbox = new PortalMailbox();
        var outbox = new MailOutbox();
        await using var host = await LinkHost.StartAsync(configure: b =>
        {
            b.Services.AddSingleton<IPortalCodeSender>(mailbox);
            b.Services.AddSingleton<IDatabunkerMailSender>(outbox);
            b.Services.AddDatabunkerMail();
        });

        host.App.Services.GetRequiredService<IPortalCodeSender>().Should().BeSameAs(mailbox);
        host.App.Services.GetRequiredService<IExpirationLinkSender>().Should().NotBeNull("the hooks the host did not fill are the mails'");
    }

    [Test]
    public async Task WithoutAMailSender_TheHostDoesNotStart_AndSaysWhatToRegister()
    {
        var starting = LinkHost.StartAsync(configure: b => b.Services.AddDatabunkerMail());

        (await FluentActions.Awaiting(() => starting).Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Message.Should().Contain("register an IDatabunkerMailSender");
    }

    [Test]
    public async Task AHostsTemplates_ReplaceTheHtmlAndThePlainText_AndItsWordsTheSubject()
    {
        var (host, outbox) = await StartAsync(
            mail: o =>
            {
                o.Templates.Html = content => HostMail.Create(content);
                o.Templates.Text = content => $"{content.Kind}: {string.Join(" | ", content.Actions.Select(a => a.Url.AbsoluteUri))}";
            },
            pages: o => o.Text = new HostWords(new Dictionary<string, string> { ["Mail.Expiration.Subject"] = "Still with us, {0}?" }));
        await using var _ = host;

        var ticket = await host.StartExpirationAsync("host@example.com");

        var mail = outbox.Sent.Should().ContainSingle().Subject;
        mail.Subject.Should().Be("Still with us, Example Shop?");
        mail.TextBody.Should().Be($"Expiration: {ticket.RetainUrl!.AbsoluteUri} | {ticket.DeleteUrl!.AbsoluteUri}");
        mail.HtmlBody.Should().Be($"<p class=\"host-mail\">Still with us, Example Shop?</p><a href=\"{ticket.RetainUrl.AbsoluteUri}\">{Text("en", "Mail.Expiration.Keep")}</a>");
    }

    private static async Task<(LinkHost Host, MailOutbox Outbox)> StartAsync(
        Action<DatabunkerMailOptions>? mail = null, Action<DatabunkerPageOptions>? pages = null, Action<WebApplication>? map = null, Action<DatabunkerOptions>? options = null)
    {
        var outbox = new MailOutbox();
        var host = await LinkHost.StartAsync(
            configure: b =>
            {
                b.Services.AddSingleton<IDatabunkerMailSender>(outbox);
                b.Services.AddDatabunkerMail(mail);
                b.Services.Configure<DatabunkerPageOptions>(o =>
                {
                    o.Brand.ProductName = Product;
                    o.Brand.AccentColor = "#0f766e";
                    pages?.Invoke(o);
                });
            },
            options: options,
            map: map);
        return (host, outbox);
    }

    private static async Task<T> WithUiCulture<T>(string language, Func<Task<T>> call)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            return await call();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

}
