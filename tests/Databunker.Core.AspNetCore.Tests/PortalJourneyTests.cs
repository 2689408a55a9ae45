using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Consent;
using Databunker.Core.Requests;
using Databunker.Core.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Databunker.Core.AspNetCore.Tests.Support.PortalTour;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// Every journey of the portal as a person walks it, by the words on the page in their language: sign in by code, view,
/// correct, download, consents, requests, sessions, delete the account; in English on a desktop and in German on a phone.
/// </summary>
[Category(Chromium.Category)]
public sealed class PortalJourneyTests : BrowserTest
{
    [TestCase("en", 1280, 800)]
    [TestCase("de", 360, 740)]
    public async Task EveryJourney_InThePersonsLanguage(string language, int width, int height)
    {
        await using var tour = await StartAsync();
        var services = tour.Host.App.Services;
        var other = await NewPageAsync(Options(language, width, height), recordDialogs: true);
        await tour.SignInAsync(other);
        var third = await NewPageAsync(Options(language, width, height), recordDialogs: true);
        await tour.SignInAsync(third);
        var page = await NewPageAsync(Options(language, width, height), recordDialogs: true);
        string T(string name, params object[] arguments) => Text(language, name, arguments);
        ILocator Link(string name) => page.GetByRole(AriaRole.Link, new() { Name = T(name), Exact = true });
        ILocator Button(string name) => page.GetByRole(AriaRole.Button, new() { Name = T(name), Exact = true });

        // Sign in by the mailed code, typed into the page as the person reads it.
        await page.GotoAsync(new Uri(tour.Host.Address, "/privacy/portal/").ToString());
        await page.GetByLabel(T("SignIn.Email")).FillAsync(Email);
        await Button("SignIn.Send").ClickAsync();
        await page.GetByLabel(T("Code.Label")).FillAsync(await tour.Mailbox.CodeAsync(tour.Person));
        await Button("Code.Submit").ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Nav.Data"));
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Ada Lovelace").And.Contain(T("Field.phone")).And.Contain("gold");

        // Correct: a number another account has is refused next to its field and nothing changes; the city changes at
        // once; the name and the address, which the host checks first, become a rectification request.
        await tour.Host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "taken@example.com", phone = "+44 20 7946 0999" }));
        await Link("Nav.Correct").ClickAsync();
        await page.GetByLabel(T("Field.phone")).FillAsync("+44 20 7946 0999");
        await page.GetByLabel(T("Field.city")).FillAsync("Cambridge");
        await Button("Correct.Save").ClickAsync();
        (await page.Locator("#field-phone-error").InnerTextAsync()).Should().Be(T("Correct.PhoneTaken"));
        (await page.GetByLabel(T("Field.phone")).GetAttributeAsync("aria-invalid")).Should().Be("true");
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).Should().Be(T("Correct.Errors"));
        (await Profile()).GetProperty("city").GetString().Should().Be("London", "a refused save changes nothing");
        await page.GetByLabel(T("Field.phone")).FillAsync("12");
        await Button("Correct.Save").ClickAsync();
        (await page.Locator("#field-phone-error").InnerTextAsync()).Should().Be(T("Correct.PhoneInvalid"));
        await page.GetByLabel(T("Field.phone")).FillAsync("+44 20 7946 0018");
        await page.GetByLabel(T("Field.name")).FillAsync("Augusta Ada King");
        await page.GetByLabel(T("Field.email")).FillAsync("ada.king@example.com");
        await Button("Correct.Save").ClickAsync();
        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).Should().Be(T("Correct.SavedAndRequested"));
        (await Profile()).GetProperty("city").GetString().Should().Be("Cambridge");
        (await Profile()).GetProperty("name").GetString().Should().Be("Ada Lovelace", "the name is checked first");
        (await tour.Host.Vault.GetPersonAsync(PersonLookup.ByEmail(Email))).Should().NotBeNull("the address, checked first, still finds the person");
        var rectification = (await services.GetRequiredService<IPrivacyRequestManager>().ListForPersonAsync(tour.Person)).Single(r => r.Type == PrivacyRequestType.Rectification);
        rectification.State.Should().Be(PrivacyRequestState.AwaitingApproval);

        // Download everything.
        await Link("Nav.Data").ClickAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => Link("Data.Export").ClickAsync());
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, "downloads", Guid.NewGuid() + ".json");
        await download.SaveAsAsync(file);
        using (var export = JsonDocument.Parse(await File.ReadAllTextAsync(file)))
        {
            export.RootElement.GetProperty("profile").GetProperty("data").GetProperty("city").GetString().Should().Be("Cambridge");
        }

        // Consents: the notice agreed to is there to read; withdraw with one button.
        await Link("Nav.Consents").ClickAsync();
        var consent = page.Locator(".consent").First;
        (await consent.InnerTextAsync()).Should().Contain("Sending the weekly newsletter").And.Contain(T("Consent.GivenOn", DateText(language)));
        await consent.Locator("summary").ClickAsync();
        (await consent.Locator("details p").InnerTextAsync()).Should().Be("Our weekly newsletter about new products.");
        await Button("Consent.Withdraw").ClickAsync();
        (await services.GetRequiredService<IConsentLedger>().IsAllowedAsync(tour.Person, "newsletter")).Should().BeFalse();
        (await Button("Consent.Grant").CountAsync()).Should().Be(1);

        // Requests: the ones sent, in words, and a new one.
        await Link("Nav.Requests").ClickAsync();
        var requests = await page.Locator("main table").InnerTextAsync();
        requests.Should().Contain(T("RequestType.Rectification")).And.Contain(T("RequestState.RejectedBecause", "The newsletter is already off."));
        await page.GetByLabel(T("Requests.AskLabel")).SelectOptionAsync(new SelectOptionValue { Label = T("RequestType.Portability") });
        await Button("Requests.Send").ClickAsync();
        (await page.Locator("main table").InnerTextAsync()).Should().Contain(T("RequestType.Portability"));

        // Sessions: each with its browser and system; sign out one, then everywhere else.
        await Link("Nav.Sessions").ClickAsync();
        var sessionsTable = await page.Locator("main table").InnerTextAsync();
        sessionsTable.Should().Contain(T("Device.On", "Chrome", "Linux")).And.Contain(T("Sessions.Current"));
        var sessions = services.GetRequiredService<ISessionManager>();
        (await sessions.ListAsync(tour.Person)).Should().HaveCount(3);
        await page.Locator("main table").GetByRole(AriaRole.Button, new() { Name = T("Sessions.SignOut"), Exact = true }).First.ClickAsync();
        (await sessions.ListAsync(tour.Person)).Should().HaveCount(2, "one other browser was signed out");
        (await Button("Sessions.SignOutOthers").CountAsync()).Should().Be(0, "with one other browser left, its own button does it");
        await tour.SignInAsync(other);
        await page.ReloadAsync();
        await Button("Sessions.SignOutOthers").ClickAsync();
        (await sessions.ListAsync(tour.Person)).Should().ContainSingle("the other two browsers were signed out");
        await other.ReloadAsync();
        await third.ReloadAsync();
        (await other.Locator("h1").InnerTextAsync()).Should().Be(T("SignIn.Title"));
        (await third.Locator("h1").InnerTextAsync()).Should().Be(T("SignIn.Title"));
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Nav.Sessions"), "this browser stays signed in");

        // History, in sentences.
        await Link("Nav.History").ClickAsync();
        var history = await page.Locator("main").InnerTextAsync();
        history.Should().Contain(T("EventYou.person.update")).And.Contain(T("Event.person.get", "Example Shop support"));

        // Delete the account: a request for the DPO (the host's default).
        await Link("Nav.Delete").ClickAsync();
        await Button("Delete.RequestButton").ClickAsync();
        (await page.Locator("main table").InnerTextAsync()).Should().Contain(T("RequestType.Erasure"));
        Dialogs.Should().BeEmpty();

        async Task<JsonElement> Profile() => (await tour.Host.Vault.GetPersonAsync(PersonLookup.ByToken(tour.Person)))!.Profile;
    }

    [TestCase("en", 1280, 800)]
    [TestCase("de", 360, 740)]
    public async Task BothLinkPages_InThePersonsLanguage(string language, int width, int height)
    {
        await using var host = await LinkHost.StartAsync();
        var page = await NewPageAsync(Options(language, width, height), recordDialogs: true);
        string T(string name, params object[] arguments) => Text(language, name, arguments);

        var keep = await host.StartExpirationAsync("keep.journey@example.com");
        await page.GotoAsync(host.Local(keep.RetainUrl!).ToString());
        (await page.Locator("main").InnerTextAsync()).Should().Contain(T("Link.KeepText", DateText(language, 12, 26)));
        await page.GetByRole(AriaRole.Button, new() { Name = T("Link.KeepButton") }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Link.KeptTitle"));

        var delete = await host.StartExpirationAsync("delete.journey@example.com");
        await page.GotoAsync(host.Local(delete.DeleteUrl!).ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = T("Link.DeleteButton") }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Link.DeletedTitle"));
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(delete.PersonToken))).Should().BeNull();
        Dialogs.Should().BeEmpty();
    }

    private static BrowserNewContextOptions Options(string language, int width, int height) =>
        new() { Locale = language, ViewportSize = new ViewportSize { Width = width, Height = height } };

    /// <summary>A date of the test's clock as the page writes it.</summary>
    private static string DateText(string language, int month = 11, int day = 26) =>
        language == "de" ? $"{day}. {(month == 11 ? "November" : "Dezember")} 2026" : $"{day} {(month == 11 ? "November" : "December")} 2026";
}
