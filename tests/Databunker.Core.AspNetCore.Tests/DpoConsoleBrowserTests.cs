using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Requests;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The DPO console in Chromium, beside the person's portal: requests from the portal handled in the console end to end.</summary>
[Category(Chromium.Category)]
public sealed class DpoConsoleBrowserTests : BrowserTest
{
    [Test]
    public async Task AnAccessRequest_FromThePortal_IsApprovedInTheConsole_AndThePersonDownloadsTheExport()
    {
        await using var console = await ConsoleHost.StartAsync();
        var person = await NewPageAsync();
        await console.SignInAsync(person, console.Person, ConsoleHost.Email);
        await console.AskAsync(person, PrivacyRequestType.Access);

        var dpo = await NewPageAsync(ConsoleHost.DpoBrowser(), recordDialogs: true);
        await console.GoAsync(dpo, "/databunker/dpo/");
        await dpo.Locator("main table a").First.ClickAsync();
        await Assertions.Expect(dpo.Locator("main dl").First).ToContainTextAsync(PortalTour.Text("en", "Dpo.State.AwaitingApproval"));
        await dpo.GetByRole(AriaRole.Button, new() { Name = PortalTour.Text("en", "Dpo.Action.Approve") }).ClickAsync();

        await Assertions.Expect(dpo.GetByRole(AriaRole.Status)).ToHaveTextAsync(PortalTour.Text("en", "Dpo.Action.Approved"));
        (await console.Requests.ListForPersonAsync(console.Person)).Single().State.Should().Be(PrivacyRequestState.Completed);
        await console.GoAsync(person, "/privacy/portal/requests");
        await Assertions.Expect(person.Locator("main table")).ToContainTextAsync(PortalTour.Text("en", "RequestState.Completed"));
        await console.GoAsync(person, "/privacy/portal/");
        var download = await person.RunAndWaitForDownloadAsync(() => person.Locator("main a[href$='/export']").ClickAsync());
        using var export = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!));
        export.RootElement.GetRawText().Should().Contain("Ada Lovelace");
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task AnErasureRequest_ApprovedInTheConsole_EndsThePersonsPortalSession()
    {
        await using var console = await ConsoleHost.StartAsync();
        var person = await NewPageAsync();
        await console.SignInAsync(person, console.Person, ConsoleHost.Email);
        await console.AskAsync(person, PrivacyRequestType.Erasure);

        var dpo = await NewPageAsync(ConsoleHost.DpoBrowser(), recordDialogs: true);
        await console.GoAsync(dpo, "/databunker/dpo/?type=Erasure");
        await dpo.Locator("main table a").First.ClickAsync();
        await dpo.GetByLabel(PortalTour.Text("en", "Dpo.Action.ConfirmErasure")).CheckAsync();
        await dpo.GetByRole(AriaRole.Button, new() { Name = PortalTour.Text("en", "Dpo.Action.Approve") }).ClickAsync();
        await Assertions.Expect(dpo.GetByRole(AriaRole.Status)).ToHaveTextAsync(PortalTour.Text("en", "Dpo.Action.Approved"));

        await console.GoAsync(person, "/privacy/portal/");
        await person.WaitForURLAsync("**/privacy/portal/signin", new() { Timeout = 10_000 });
        (await console.Host.Vault.GetPersonAsync(PersonLookup.ByToken(console.Person))).Should().BeNull();
    }

    [Test]
    public async Task AnExtension_WithoutAReason_IsRefused_AndWithOne_IsShown()
    {
        await using var console = await ConsoleHost.StartAsync();
        var request = await console.Requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Access, IdentityVerified = true });
        var dpo = await NewPageAsync(ConsoleHost.DpoBrowser(), recordDialogs: true);
        await console.GoAsync(dpo, $"/databunker/dpo/requests/{request.Id}");
        var reason = dpo.Locator("#reason-extend");
        var extend = dpo.GetByRole(AriaRole.Button, new() { Name = PortalTour.Text("en", "Dpo.Action.Extend") });

        // The browser will not send the form empty; without that check, the server refuses it too.
        (await reason.EvaluateAsync<bool>("e => e.required")).Should().BeTrue();
        await reason.EvaluateAsync("e => e.required = false");
        await extend.ClickAsync();
        await Assertions.Expect(dpo.GetByRole(AriaRole.Alert)).ToHaveTextAsync(PortalTour.Text("en", "Dpo.Action.ReasonNeeded"));
        (await console.Requests.GetAsync(request.Id))!.IsExtended.Should().BeFalse();

        await dpo.Locator("#reason-extend").FillAsync("Three systems hold the data.");
        await dpo.GetByRole(AriaRole.Button, new() { Name = PortalTour.Text("en", "Dpo.Action.Extend") }).ClickAsync();
        await Assertions.Expect(dpo.GetByRole(AriaRole.Status)).ToHaveTextAsync(PortalTour.Text("en", "Dpo.Action.Extended"));
        await Assertions.Expect(dpo.Locator("main dl").First).ToContainTextAsync("Three systems hold the data.");
    }

    [Test]
    public async Task ALookup_WithoutAReason_IsRefused_AndOneWithAReason_IsInThePersonsHistory()
    {
        await using var console = await ConsoleHost.StartAsync();
        var dpo = await NewPageAsync(ConsoleHost.DpoBrowser(), recordDialogs: true);
        await console.GoAsync(dpo, "/databunker/dpo/people");
        await dpo.Locator("#value").FillAsync(ConsoleHost.Email);
        await dpo.Locator("#reason").EvaluateAsync("e => e.required = false");
        await dpo.GetByRole(AriaRole.Button, new() { Name = PortalTour.Text("en", "Dpo.Lookup.Find") }).ClickAsync();
        await Assertions.Expect(dpo.GetByRole(AriaRole.Alert)).ToHaveTextAsync(PortalTour.Text("en", "Dpo.Lookup.ReasonNeeded"));
        await Assertions.Expect(dpo.Locator("main")).Not.ToContainTextAsync("Ada Lovelace");

        await dpo.Locator("#reason").SelectOptionAsync("request");
        await dpo.Locator("#note").FillAsync("Her access request of today");
        await dpo.GetByRole(AriaRole.Button, new() { Name = PortalTour.Text("en", "Dpo.Lookup.Find") }).ClickAsync();
        await Assertions.Expect(dpo.Locator("main")).ToContainTextAsync("Ada Lovelace");

        var person = await NewPageAsync();
        await console.SignInAsync(person, console.Person, ConsoleHost.Email);
        await console.GoAsync(person, "/privacy/portal/history");
        await Assertions.Expect(person.Locator("main ol")).ToContainTextAsync(
            PortalTour.Text("en", "Event.ConsoleLookup", PortalTour.Text("en", "Dpo.Reason.request") + ": Her access request of today"));
        Dialogs.Should().BeEmpty();
    }
}
