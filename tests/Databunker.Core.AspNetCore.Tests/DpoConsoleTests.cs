using System.Globalization;
using System.Net;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Consent;
using Databunker.Core.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The DPO console over HTTP: who gets in, the forms' protections, the actions, the audit trail and the documents.</summary>
public sealed class DpoConsoleTests
{
    [Test]
    public async Task EveryConsoleRoute_RefusesAnonymousWith401_AndNonDpoWith403()
    {
        await using var console = await ConsoleHost.StartAsync();
        var routes = console.Host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/databunker/dpo", StringComparison.Ordinal) && !e.RoutePattern.RawText.Contains("/assets/", StringComparison.Ordinal))
            .Select(e => (Method: e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single(), Path: Fill(e.RoutePattern.RawText!)))
            .ToList();
        using var anonymous = console.Client(user: null, role: null);
        using var customer = console.Client("carol@example.com", "customer");
        using var dpo = console.Client();

        routes.Should().HaveCount(12, "every route of the console is enumerated");
        foreach (var (method, path) in routes)
        {
            foreach (var (client, expected) in new[] { (anonymous, HttpStatusCode.Unauthorized), (customer, HttpStatusCode.Forbidden) })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new FormUrlEncodedContent([]) : null });
                response.StatusCode.Should().Be(expected, "{0} {1}", method, path);
            }
        }

        (await dpo.GetAsync("/databunker/dpo/")).StatusCode.Should().Be(HttpStatusCode.OK, "the DPO gets in");

        static string Fill(string pattern) =>
            pattern.Replace("{id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("{token:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{document}", "record.json", StringComparison.Ordinal);
    }

    [Test]
    public void Mapping_WithoutARegisteredPolicy_Throws()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAntiforgery();
        builder.Services.AddAuthorization();
        builder.Services.AddDatabunker().UseSqlite("Data Source=:memory:").UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var app = builder.Build();

        FluentActions.Invoking(() => app.MapDatabunkerDpoConsole("dpo")).Should().Throw<InvalidOperationException>().WithMessage("*policy*");
        FluentActions.Invoking(() => app.MapDatabunkerDpoConsole(" ")).Should().Throw<ArgumentException>();
    }

    [Test]
    public async Task EveryPage_IsNoStore_UnderTheCsp_AndEveryViewIsAuditedAsTheDpo()
    {
        await using var console = await ConsoleHost.StartAsync();
        var request = await console.Requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Access, IdentityVerified = true });
        using var dpo = console.Client();

        foreach (var path in new[] { "/databunker/dpo/", $"/databunker/dpo/requests/{request.Id}", "/databunker/dpo/people", "/databunker/dpo/catalogue", "/databunker/dpo/consents", "/databunker/dpo/operations" })
        {
            using var response = await dpo.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            ExpirationLinkEndpointTests.AssertSafeHeaders(response);
        }

        foreach (var operation in new[] { "console.requests", "console.people", "console.catalogue", "console.consents", "console.operations" })
        {
            console.Host.Scalar($"SELECT COUNT(*) FROM audit_events WHERE operation = '{operation}' AND actor = '{ConsoleHost.Dpo}'").Should().Be(1, operation);
        }

        var trail = await console.Host.Vault.GetAuditEventsAsync(console.Person);
        trail.Should().ContainSingle(e => e.Operation == DpoConsole.RequestViewOperation && e.Actor == ConsoleHost.Dpo, "opening a person's request is a look at their data");
    }

    [Test]
    public async Task APost_WithoutTheAntiforgeryToken_OrFromAnotherSite_ChangesNothing()
    {
        await using var console = await ConsoleHost.StartAsync();
        var request = await console.Requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Erasure, IdentityVerified = true });
        using var dpo = console.Client();
        var path = $"/databunker/dpo/requests/{request.Id}";
        var token = Token(await dpo.GetStringAsync(path));

        using var bare = await dpo.PostAsync(path, new FormUrlEncodedContent([new("action", "approve")]));
        var crossSite = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(token.Append(new("action", "approve"))) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var forged = await dpo.SendAsync(crossSite);

        bare.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        forged.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a form another site sends carries the DPO's cookies but says where it comes from");
        (await console.Requests.GetAsync(request.Id))!.State.Should().Be(PrivacyRequestState.AwaitingApproval);
        (await console.Host.Vault.GetPersonAsync(PersonLookup.ByToken(console.Person))).Should().NotBeNull();
    }

    [Test]
    public async Task TwoDpos_ApprovingAtOnce_OneCarriesItOut_TheOtherIsToldItIsAlreadyDone()
    {
        await using var console = await ConsoleHost.StartAsync();
        var request = await console.Requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Erasure, IdentityVerified = true });
        using var anna = console.Client();
        using var ben = console.Client("dpo.ben@shop.example");
        var path = $"/databunker/dpo/requests/{request.Id}";
        var annaForm = Token(await anna.GetStringAsync(path)).Append(new("action", "approve")).Append(new("confirm", "erase"));
        var benForm = Token(await ben.GetStringAsync(path)).Append(new("action", "approve")).Append(new("confirm", "erase"));

        var responses = await Task.WhenAll(anna.PostAsync(path, new FormUrlEncodedContent(annaForm)), ben.PostAsync(path, new FormUrlEncodedContent(benForm)));

        responses.Select(r => r.StatusCode).Should().BeEquivalentTo([HttpStatusCode.OK, HttpStatusCode.Conflict]);
        var loser = await responses.Single(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadAsStringAsync();
        loser.Should().Contain(PortalTour.Text("en", "Dpo.Action.AlreadyDone"));
        var done = await console.Requests.GetAsync(request.Id);
        done!.State.Should().Be(PrivacyRequestState.Completed);
        done.DecidedBy.Should().BeOneOf(ConsoleHost.Dpo, "dpo.ben@shop.example");
        (await console.Host.Vault.GetPersonAsync(PersonLookup.ByToken(console.Person))).Should().BeNull("the erasure was carried out once");
    }

    [Test]
    public async Task Extending_OrRejecting_WithoutAReason_IsRefused_AndWithOne_IsDone()
    {
        await using var console = await ConsoleHost.StartAsync();
        var request = await console.Requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Access, IdentityVerified = true });
        using var dpo = console.Client();
        var path = $"/databunker/dpo/requests/{request.Id}";
        var token = Token(await dpo.GetStringAsync(path));

        using var noReason = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "extend")).Append(new("reason", "  "))));
        using var rejectNoReason = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "reject"))));
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        rejectNoReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).Should().Contain(PortalTour.Text("en", "Dpo.Action.ReasonNeeded"));
        (await console.Requests.GetAsync(request.Id))!.IsExtended.Should().BeFalse();

        using var extended = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "extend")).Append(new("reason", "Three systems hold the data."))));
        extended.StatusCode.Should().Be(HttpStatusCode.OK);
        var now = await console.Requests.GetAsync(request.Id);
        (now!.IsExtended, now.ExtensionReason).Should().Be((true, "Three systems hold the data."));
    }

    [Test]
    public async Task ALookup_WithoutAReason_IsRefused_AndOneWithAReason_IsInThePersonsHistory_InTheirWords()
    {
        await using var console = await ConsoleHost.StartAsync();
        using var dpo = console.Client();
        var token = Token(await dpo.GetStringAsync("/databunker/dpo/people"));

        using var noReason = await dpo.PostAsync("/databunker/dpo/people", new FormUrlEncodedContent(token.Append(new("by", "email")).Append(new("value", ConsoleHost.Email))));
        using var otherWithoutWords = await dpo.PostAsync("/databunker/dpo/people", new FormUrlEncodedContent(
            token.Append(new("by", "email")).Append(new("value", ConsoleHost.Email)).Append(new("reason", "other"))));
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        otherWithoutWords.StatusCode.Should().Be(HttpStatusCode.BadRequest, "\"another reason\" must be written out");
        (await noReason.Content.ReadAsStringAsync()).Should().NotContain("Ada Lovelace", "nothing about the person is shown");
        (await console.Host.Vault.GetAuditEventsAsync(console.Person)).Should().NotContain(e => e.Operation == DpoConsole.LookupOperation);

        using var found = await dpo.PostAsync("/databunker/dpo/people", new FormUrlEncodedContent(
            token.Append(new("by", "email")).Append(new("value", "ADA@example.com")).Append(new("reason", "complaint")).Append(new("note", "Ticket 4711"))));
        found.StatusCode.Should().Be(HttpStatusCode.OK);
        var page = await found.Content.ReadAsStringAsync();
        page.Should().Contain("Ada Lovelace").And.Contain("gold", "the app data is shown").And.Contain("newsletter", "the consents are shown");
        page.Should().NotContain("SECRET-HASH-456", "a member a document names as a credential is withheld from the DPO too").And.Contain(PortalTour.Text("en", "Data.Withheld"));

        var lookup = (await console.Host.Vault.GetAuditEventsAsync(console.Person)).Single(e => e.Operation == DpoConsole.LookupOperation);
        lookup.Actor.Should().Be(ConsoleHost.Dpo);
        lookup.Details.Should().Contain("complaint: Ticket 4711", "the reason's code and the DPO's words are kept, not the console's language");
        PrivacyPortal.Describe(new PortalText(CultureInfo.GetCultureInfo("en"), null), new DatabunkerPageOptions(), lookup, null)
            .Should().Be("Our data protection officer looked at your data. The reason they gave: Looking into a complaint: Ticket 4711");
        PrivacyPortal.Describe(new PortalText(CultureInfo.GetCultureInfo("de"), null), new DatabunkerPageOptions(), lookup, null)
            .Should().Be(PortalTour.Text("de", "Event.ConsoleLookup", PortalTour.Text("de", "Dpo.Reason.complaint") + ": Ticket 4711"), "a German reader reads the reason in German");
        console.Host.Holds("Ticket 4711").Should().BeFalse("the reason is sealed under the person's key");
    }

    [Test]
    public async Task Forgetting_NeedsTheEmailTyped()
    {
        await using var console = await ConsoleHost.StartAsync();
        using var dpo = console.Client();
        var token = Token(await dpo.GetStringAsync("/databunker/dpo/people"));
        var path = $"/databunker/dpo/people/{console.Person}";

        using var noReason = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "forget")).Append(new("confirm", ConsoleHost.Email))));
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest, "an action comes from the person page, with the reason given for looking");
        using var wrong = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "forget")).Append(new("why", "A complaint")).Append(new("confirm", "someone@example.com"))));
        wrong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await console.Host.Vault.GetPersonAsync(PersonLookup.ByToken(console.Person))).Should().NotBeNull();

        using var right = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "forget")).Append(new("why", "A complaint")).Append(new("confirm", " Ada@Example.com "))));
        right.StatusCode.Should().Be(HttpStatusCode.OK);
        (await console.Host.Vault.GetPersonAsync(PersonLookup.ByToken(console.Person))).Should().BeNull();
        var trail = await console.Host.Vault.GetAuditEventsAsync(console.Person);
        trail.Should().Contain(e => e.Operation == AuditOperations.PersonForget && e.Actor == ConsoleHost.Dpo);
        trail.Should().Contain(e => e.Operation == DpoConsole.ActionOperation && e.Actor == ConsoleHost.Dpo, "the reason went with the action (unreadable now that the key is gone)");

        using var again = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "forget")).Append(new("why", "A complaint")).Append(new("confirm", ConsoleHost.Email))));
        again.StatusCode.Should().Be(HttpStatusCode.NotFound, "a second DPO is told the person is gone");
        (await again.Content.ReadAsStringAsync()).Should().Contain(PortalTour.Text("en", "Dpo.Gone.Title"));
    }

    [Test]
    public async Task TheCatalogue_DownloadsItsRecordAsJsonMarkdownAndCsv_WithSpreadsheetFormulasDefused()
    {
        await using var console = await ConsoleHost.StartAsync();
        using var dpo = console.Client();

        var json = await dpo.GetAsync("/databunker/dpo/catalogue/record.json");
        var markdown = await dpo.GetStringAsync("/databunker/dpo/catalogue/record.md");
        var csv = await dpo.GetAsync("/databunker/dpo/catalogue/record.csv");
        var retention = await dpo.GetStringAsync("/databunker/dpo/catalogue/retention-notice.md");

        JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        json.Content.Headers.ContentDisposition!.FileName.Should().Contain("record.json");
        markdown.Should().Contain("Sending the weekly newsletter");
        retention.Should().Contain("newsletter");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        lines[0].Should().StartWith("name,purpose,legal_basis");
        lines[1].Should().StartWith("newsletter,Sending the weekly newsletter,Consent,");
        (await dpo.GetAsync("/databunker/dpo/catalogue/secrets.txt")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public void TheRecordsCsv_QuotesSeparators_AndDefusesFormulas()
    {
        var services = new ServiceCollection();
        services.AddDatabunker(o =>
        {
            o.Privacy.Controller = "Example Shop Ltd";
            o.Privacy.Activities.Add(new Privacy.ProcessingActivity
            {
                Name = "x", Purpose = "=HYPERLINK(\"https://evil.example\")", LegalBasis = Privacy.LegalBasis.Contract, SubjectCategories = ["customers"],
                DataCategories = ["a, b", "line\nbreak"], RetentionDescription = "a year", Recipients = ["\n=1+1"],
                Transfers = [new Privacy.ThirdCountryTransfer("United States", "standard contractual clauses")],
            });
        }).UseSqlite("Data Source=:memory:").UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var provider = services.BuildServiceProvider();

        var row = DpoConsole.RecordCsv(provider.GetRequiredService<Privacy.IPrivacyCatalog>()).Split("\r\n")[1];

        row.Should().StartWith("x,\"'=HYPERLINK(\"\"https://evil.example\"\")\",Contract,,customers,\"a, b; line\nbreak\",\"'\n=1+1\",United States (standard contractual clauses),");
    }

    [Test]
    public async Task TheConsentOverview_CountsDecisionsPerNoticeVersion_AndNamesNoOne()
    {
        await using var console = await ConsoleHost.StartAsync();
        var ledger = console.Host.App.Services.GetRequiredService<IConsentLedger>();
        var bob = await console.Host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "bob@example.com", name = "Bob Example" }));
        var cy = await console.Host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "cy@example.com" }));
        await ledger.RecordAsync(bob, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        await ledger.RecordAsync(bob, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn });
        await ledger.RecordAsync(cy, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Refused });
        using var dpo = console.Client();

        var page = await dpo.GetStringAsync("/databunker/dpo/consents");

        var row = System.Text.RegularExpressions.Regex.Match(page, "<tr><td data-label=\"Purpose\">Sending the weekly newsletter</td>.*?</tr>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;
        System.Text.RegularExpressions.Regex.Matches(row, "<td data-label=\"[^\"]*\">(\\d+)</td>").Select(m => m.Groups[1].Value).Should().Equal("1", "1", "1", "0", "0");
        page.Should().NotContain("Bob").And.NotContain("bob@example.com").And.NotContain(bob.ToString());
    }

    [Test]
    public async Task Operations_ShowsThePasses_TheKeys_AndVerifiesTheAuditChain()
    {
        await using var console = await ConsoleHost.StartAsync();
        var admin = console.Host.App.Services.GetRequiredService<IVaultAdministration>();
        await admin.RunDueWorkAsync();
        await console.Host.StartExpirationAsync("leaving@example.com");
        console.Host.Time.Advance(TimeSpan.FromDays(31));
        await admin.RunDueWorkAsync();
        using var dpo = console.Client();

        var page = await dpo.GetStringAsync("/databunker/dpo/operations");
        page.Should().Contain(PortalTour.Text("en", "Dpo.Pass.Module", PortalTour.Text("en", "Dpo.Module.expiration"), 1), "the newest pass forgot the person who was due")
            .And.Contain(PortalTour.Text("en", "Dpo.Pass.Nothing"), "the first found nothing due");
        WebUtility.HtmlDecode(page).Should().Contain((await admin.GetAuditChainHeadAsync()).Link, "the chain's head is shown to anchor elsewhere");

        using var verified = await dpo.PostAsync("/databunker/dpo/operations/verify", new FormUrlEncodedContent(Token(page)));
        verified.StatusCode.Should().Be(HttpStatusCode.OK);
        (await verified.Content.ReadAsStringAsync()).Should().Contain("Intact:");
        console.Host.Scalar($"SELECT COUNT(*) FROM audit_events WHERE operation = '{DpoConsole.VerifyOperation}' AND actor = '{ConsoleHost.Dpo}'").Should().Be(1, "the check is audited");
    }

    [Test]
    public async Task TheMinimisationReport_IsMadeOnRequest_CountsOnly_AndAudited()
    {
        await using var console = await ConsoleHost.StartAsync(b => b.Services.Configure<DatabunkerOptions>(o => o.Privacy.Activities.Add(new Privacy.ProcessingActivity
        {
            Name = "account", Purpose = "Keeping your account", LegalBasis = Privacy.LegalBasis.Contract, Fields = [new() { Path = "/email" }],
        })));
        using var dpo = console.Client();
        var page = await dpo.GetStringAsync("/databunker/dpo/operations");
        page.Should().Contain(PortalTour.Text("en", "Dpo.Ops.MinimisationRun")).And.NotContain(PortalTour.Text("en", "Dpo.Min.PastRetention"), "the report is made only on request: it reads every profile");

        using var made = await dpo.PostAsync("/databunker/dpo/operations/minimisation", new FormUrlEncodedContent(Token(page)));

        made.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = WebUtility.HtmlDecode(await made.Content.ReadAsStringAsync());
        report.Should().Contain(PortalTour.Text("en", "Dpo.Min.Summary", "1", 2, 0), "the name and the phone are held with no purpose");
        report.Should().Contain("<code translate=\"no\">/email</code>").And.Contain("<code translate=\"no\">/phone</code>").And.Contain("account");
        report.Should().NotContain("Ada Lovelace").And.NotContain("7946");
        console.Host.Scalar($"SELECT COUNT(*) FROM audit_events WHERE operation = '{DpoConsole.MinimisationOperation}' AND actor = '{ConsoleHost.Dpo}'").Should().Be(1);
        console.Host.Scalar("SELECT COUNT(*) FROM audit_events WHERE operation = 'admin.minimisation'").Should().Be(1);
    }

    [Test]
    public async Task TheExport_FromThePersonPage_IsTheirJson_AndTheirHistoryGivesTheReason()
    {
        await using var console = await ConsoleHost.StartAsync();
        using var dpo = console.Client();
        var token = Token(await dpo.GetStringAsync("/databunker/dpo/people"));
        using var found = await dpo.PostAsync("/databunker/dpo/people", new FormUrlEncodedContent(
            token.Append(new("by", "token")).Append(new("value", console.Person.ToString())).Append(new("reason", "legal")).Append(new("note", "Court order 12/2026"))));
        var page = await found.Content.ReadAsStringAsync();
        var why = ExpirationLinkEndpointTests.Fields(page).First(f => f.Key == "why").Value;

        using var export = await dpo.PostAsync($"/databunker/dpo/people/{console.Person}", new FormUrlEncodedContent(token.Append(new("action", "export")).Append(new("why", why))));

        export.Content.Headers.ContentDisposition!.FileName.Should().Contain("export-");
        JsonDocument.Parse(await export.Content.ReadAsStringAsync()).RootElement.GetRawText().Should().Contain("Ada Lovelace");
        var trail = await console.Host.Vault.GetAuditEventsAsync(console.Person);
        var action = trail.Single(e => e.Operation == DpoConsole.ActionOperation);
        trail.SkipWhile(e => e.Operation != AuditOperations.PersonExport).Select(e => e.Operation).Should().StartWith(
            [AuditOperations.PersonExport, DpoConsole.ActionOperation], "the reason follows the export, so the history (newest first) shows it just above what was done");
        PrivacyPortal.Describe(new PortalText(CultureInfo.GetCultureInfo("en"), null), new DatabunkerPageOptions(), action, null)
            .Should().Be(PortalTour.Text("en", "Event.ConsoleAction", PortalTour.Text("en", "Dpo.Reason.legal") + ": Court order 12/2026"));
    }

    [Test]
    public async Task ApprovingAnErasure_NeedsItsConfirmation()
    {
        await using var console = await ConsoleHost.StartAsync();
        var request = await console.Requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Erasure, IdentityVerified = true });
        using var dpo = console.Client();
        var path = $"/databunker/dpo/requests/{request.Id}";
        var token = Token(await dpo.GetStringAsync(path));

        using var unconfirmed = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "approve"))));
        unconfirmed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unconfirmed.Content.ReadAsStringAsync()).Should().Contain(PortalTour.Text("en", "Dpo.Action.ConfirmNeeded"));
        (await console.Requests.GetAsync(request.Id))!.State.Should().Be(PrivacyRequestState.AwaitingApproval);

        using var confirmed = await dpo.PostAsync(path, new FormUrlEncodedContent(token.Append(new("action", "approve")).Append(new("confirm", "erase"))));
        confirmed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await console.Requests.GetAsync(request.Id))!.State.Should().Be(PrivacyRequestState.Completed);
    }

    [Test]
    public async Task StartingAnExpiration_ForAPersonTheMailsCannotReach_SaysSo_AndStartsNothing()
    {
        await using var console = await ConsoleHost.StartAsync(b =>
        {
            b.Services.AddSingleton<IDatabunkerMailSender, NoMail>();
            b.Services.AddDatabunkerMail();
        });
        var nameless = await console.Host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { name = "No Address", login = "no-address" }));
        using var dpo = console.Client();
        var token = Token(await dpo.GetStringAsync("/databunker/dpo/people"));

        using var started = await dpo.PostAsync($"/databunker/dpo/people/{nameless}", new FormUrlEncodedContent(
            token.Append(new("action", "start-expiration")).Append(new("why", "Data minimisation review"))));

        started.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await started.Content.ReadAsStringAsync()).Should().Contain(PortalTour.Text("en", "Dpo.Expiration.Failed.Title"));
        (await console.Host.Expirations.GetStatusAsync(PersonLookup.ByToken(nameless)))!.State.Should().Be(Expiration.ExpirationState.None);
        (await console.Host.Vault.GetAuditEventsAsync(nameless)).Should().NotContain(e => e.Operation == DpoConsole.ActionOperation, "nothing was done, so no reason for it is recorded");
        console.Host.Logs.Lines.Should().Contain(l => l.Contains("expiration did not start", StringComparison.Ordinal)).And.NotContain(l => l.Contains("No Address", StringComparison.Ordinal));
    }

    private sealed class NoMail : IDatabunkerMailSender
    {
        public Task SendAsync(DatabunkerMail mail, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal static IEnumerable<KeyValuePair<string, string>> Token(string html) =>
        ExpirationLinkEndpointTests.Fields(html).Where(f => f.Key.StartsWith("__", StringComparison.Ordinal)).DistinctBy(f => f.Key).ToList();
}
