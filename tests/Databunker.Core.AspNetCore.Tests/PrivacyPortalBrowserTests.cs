using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Consent;
using Databunker.Core.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The privacy portal in a real browser: sign in with the mailed code, then every page.</summary>
[Category(Chromium.Category)]
public sealed class PrivacyPortalBrowserTests : BrowserTest
{
    private const string Hostile = "<img src=x onerror=alert(1)>";

    [Test]
    public async Task SignInWithTheMailedCode_ThenEveryPage_ShowsTheDataEncoded_WithNoScriptRunning()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "portal@example.com", name = Hostile, city = "Leeds" }));
        await host.App.Services.GetRequiredService<IAppDataManager>().PutAsync(person, "shop", JsonSerializer.SerializeToElement(new { note = Hostile }));
        await host.App.Services.GetRequiredService<IAppDataManager>().PutAsync(person, "signin", JsonDocument.Parse("""{"$credentials":["passwordHash"],"passwordHash":"SECRET-HASH-123","emailConfirmed":true}""").RootElement);
        var page = await NewPageAsync();

        await SignInAsync(host, mailbox, page, "portal@example.com", person, screenshots: true);

        (await page.TitleAsync()).Should().Be("My data" + " · Privacy portal");
        (await page.Locator("main").InnerTextAsync()).Should().Contain(Hostile, "the value is shown as text").And.Contain("Leeds");
        (await page.Locator("main img").CountAsync()).Should().Be(0, "no markup from the data reaches the page");
        (await page.Locator("main").InnerTextAsync()).Should().NotContain("SECRET-HASH-123", "a member the document names as a credential is withheld")
            .And.Contain(PortalTour.Text("en", "Data.Withheld")).And.NotContain("$credentials");
        await Chromium.ScreenshotAsync(page, "portal-my-data");
        foreach (var (link, name) in new[] { ("My consents", "portal-consents"), ("My requests", "portal-requests"), ("My sessions", "portal-sessions"), ("My history", "portal-history"), ("Delete my account", "portal-delete") })
        {
            await page.GetByRole(AriaRole.Link, new() { Name = link }).ClickAsync();
            (await page.TitleAsync()).Should().Be(link + " · Privacy portal");
            await Chromium.ScreenshotAsync(page, name);
        }

        page.Url.Should().NotContain("code").And.NotContain("token");
        Dialogs.Should().BeEmpty("no script ran, the hostile value included");
    }

    [Test]
    public async Task AWrongCode_IsRefused_AndAnUnknownAddressLooksTheSame()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "known@example.com" }));
        var page = await NewPageAsync();

        await page.GotoAsync(new Uri(host.Address, "/privacy/portal/").ToString());
        (await page.TitleAsync()).Should().Be("Sign in" + " · Privacy portal", "the portal sends strangers to its sign-in");
        await page.GetByLabel("Email address").FillAsync("nobody@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        var unknownText = await page.Locator("main").InnerTextAsync();
        mailbox.Codes.Should().BeEmpty("no code goes to an address without an account");

        await page.GotoAsync(new Uri(host.Address, "/privacy/portal/signin").ToString());
        await page.GetByLabel("Email address").FillAsync("known@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Be(unknownText, "the answer does not tell which addresses have accounts");
        await page.GetByLabel("Code").FillAsync((await mailbox.CodeAsync(person)) == "00000000" ? "00000001" : "00000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        (await page.TitleAsync()).Should().Be("Enter your code" + " · Privacy portal");
        (await page.Locator("[role=alert]").InnerTextAsync()).Should().Contain("does not work");
        await page.GotoAsync(new Uri(host.Address, "/privacy/portal/").ToString());
        (await page.TitleAsync()).Should().Be("Sign in" + " · Privacy portal");
    }

    [Test]
    public async Task WithdrawingConsent_DownloadingTheData_AndSigningOutAnotherBrowser()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "manage@example.com" }));
        var ledger = host.App.Services.GetRequiredService<IConsentLedger>();
        await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        var other = await NewPageAsync();
        await SignInAsync(host, mailbox, other, "manage@example.com", person);
        var page = await NewPageAsync();
        await SignInAsync(host, mailbox, page, "manage@example.com", person);

        await page.GetByRole(AriaRole.Link, new() { Name = "My consents" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw" }).ClickAsync();
        (await page.TitleAsync()).Should().Be("My consents" + " · Privacy portal");
        (await ledger.IsAllowedAsync(person, "newsletter")).Should().BeFalse();
        (await ledger.GetHistoryAsync(person)).Last().Source.Should().Be("privacy portal");

        await page.GetByRole(AriaRole.Link, new() { Name = "My data" }).ClickAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download all my data (JSON)" }).ClickAsync());
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, "downloads", Guid.NewGuid() + ".json");
        await download.SaveAsAsync(file);
        using (var export = JsonDocument.Parse(await File.ReadAllTextAsync(file)))
        {
            export.RootElement.GetProperty("profile").GetProperty("data").GetProperty("email").GetString().Should().Be("manage@example.com");
        }

        var sessions = host.App.Services.GetRequiredService<ISessionManager>();
        (await sessions.ListAsync(person)).Should().HaveCount(2);
        await page.GetByRole(AriaRole.Link, new() { Name = "My sessions" }).ClickAsync();
        (await page.GetByText("You are here").CountAsync()).Should().Be(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign it out" }).ClickAsync();
        (await sessions.ListAsync(person)).Should().ContainSingle("the other browser was signed out");
        await other.ReloadAsync();
        (await other.TitleAsync()).Should().Be("Sign in" + " · Privacy portal");
        Dialogs.Should().BeEmpty();
    }

    private static async Task SignInAsync(LinkHost host, PortalMailbox mailbox, IPage page, string email, Guid person, bool screenshots = false)
    {
        await page.GotoAsync(new Uri(host.Address, "/privacy/portal/signin").ToString());
        await page.GetByLabel("Email address").FillAsync(email);
        if (screenshots)
        {
            await Chromium.ScreenshotAsync(page, "portal-sign-in");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        if (screenshots)
        {
            await Chromium.ScreenshotAsync(page, "portal-code");
        }

        await page.GetByLabel("Code").FillAsync((await mailbox.CodeAsync(person)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        (await page.TitleAsync()).Should().Be("My data" + " · Privacy portal");
    }
}
