using Databunker.Core.AspNetCore.Tests.Support;
using Microsoft.Playwright;
using static Databunker.Core.AspNetCore.Tests.Support.PortalTour;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// The web sample in a browser, as a customer of the shop uses it: sign up, the privacy portal in German (view, correct,
/// consent, request, history, delete), and the "keep my data" link of the mail. CI runs it against the sample published
/// with native AOT (<c>DATABUNKER_WEB_SAMPLE</c>).
/// </summary>
[Category(Chromium.Category)]
public sealed class WebSampleBrowserTests : BrowserTest
{
    [Test]
    public async Task ACustomer_SignsUp_UsesThePortalInGerman_AndKeepsTheirData()
    {
        using var shop = await SampleShop.StartAsync();
        var page = await NewPageAsync();
        var email = $"kunde.{Guid.NewGuid():N}@example.com";
        string T(string name, params object[] arguments) => Text("de", name, arguments);
        ILocator Link(string name) => page.GetByRole(AriaRole.Link, new() { Name = T(name), Exact = true });
        ILocator Button(string name) => page.GetByRole(AriaRole.Button, new() { Name = T(name), Exact = true });

        var taken = $"vergeben.{Guid.NewGuid():N}@example.com";
        var someoneElse = await NewPageAsync();
        await someoneElse.GotoAsync(shop.Address.ToString());
        await someoneElse.GetByLabel("Email").FillAsync(taken);
        await someoneElse.GetByLabel("Name").FillAsync("Someone Else");
        await someoneElse.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();

        await page.GotoAsync(shop.Address.ToString());
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Name").FillAsync("Grete Weiss");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Your privacy portal" }).ClickAsync();
        (await page.Locator(".brand").InnerTextAsync()).Should().Be("Example Shop");
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Grete Weiss");

        await page.GetByRole(AriaRole.Link, new() { Name = "Deutsch" }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Nav.Data"));

        await Link("Nav.Correct").ClickAsync();
        await page.GetByLabel(T("Field.email")).FillAsync(taken);
        await Button("Correct.Save").ClickAsync();
        (await page.Locator("#field-email-error").InnerTextAsync()).Should().Be(T("Correct.EmailTaken"), "the shop signs people in itself, so the address is corrected at once, and checked");
        await page.GetByLabel(T("Field.email")).FillAsync(email);
        await page.GetByLabel(T("Field.name")).FillAsync("Grete Weiß");
        await Button("Correct.Save").ClickAsync();
        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).Should().Be(T("Correct.Saved"));
        await Link("Nav.Data").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Grete Weiß");

        await Link("Nav.Consents").ClickAsync();
        await Button("Consent.Grant").ClickAsync();
        (await Button("Consent.Withdraw").CountAsync()).Should().Be(1);

        await Link("Nav.Requests").ClickAsync();
        await page.GetByLabel(T("Requests.AskLabel")).SelectOptionAsync(new SelectOptionValue { Label = T("RequestType.Access") });
        await Button("Requests.Send").ClickAsync();
        (await page.Locator("main table").InnerTextAsync()).Should().Contain(T("RequestType.Access"));

        await Link("Nav.History").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain(T("EventYou.person.update")).And.Contain(T("Event.person.create", "Example Shop"));

        // The "mail" the sample writes to its console when the account is made.
        var keep = shop.Output.Select(l => l.Trim()).First(l => l.StartsWith("Keep my data:", StringComparison.Ordinal))["Keep my data:".Length..].Trim();
        await page.GotoAsync(new Uri(shop.Address, new Uri(keep).AbsolutePath).ToString());
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Link.KeepTitle"), "the language chosen in the portal is kept");
        await Button("Link.KeepButton").ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Link.KeptTitle"));

        await page.GotoAsync(new Uri(shop.Address, "/privacy/portal/delete").ToString());
        await Button("Delete.RequestButton").ClickAsync();
        (await page.Locator("main table").InnerTextAsync()).Should().Contain(T("RequestType.Erasure"));
        Dialogs.Should().BeEmpty();
    }
}
