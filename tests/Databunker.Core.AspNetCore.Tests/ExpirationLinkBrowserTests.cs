using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Expiration;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The keep and delete links in a real browser: open the mail link (a GET that changes nothing), press the button (a POST that does it).</summary>
[Category(Chromium.Category)]
public sealed class ExpirationLinkBrowserTests : BrowserTest
{
    [Test]
    public async Task TheKeepLink_ShowsItsPage_ThenKeepsThePerson_OnlyWhenTheButtonIsPressed()
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync("keep.browser@example.com");
        var page = await NewPageAsync();

        var opened = await page.GotoAsync(host.Local(ticket.RetainUrl!).ToString());
        opened!.Status.Should().Be(200);
        (await page.TitleAsync()).Should().Be("Keep your data" + " · Privacy portal");
        await Chromium.ScreenshotAsync(page, "expiration-keep-page");
        (await host.Expirations.GetStatusAsync(PersonLookup.ByToken(ticket.PersonToken)))!.State.Should().Be(ExpirationState.Waiting, "opening the link changes nothing");

        await page.GetByRole(AriaRole.Button, new() { Name = "Keep my data" }).ClickAsync();

        await page.WaitForURLAsync("**/privacy/retain", AfterPost);
        (await page.TitleAsync()).Should().Be("Your data is kept" + " · Privacy portal");
        page.Url.Should().NotContain(ticket.RetainToken, "after the POST the token is in no address");
        await Chromium.ScreenshotAsync(page, "expiration-kept");
        (await host.Expirations.GetStatusAsync(PersonLookup.ByToken(ticket.PersonToken)))!.State.Should().Be(ExpirationState.Retained);
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task TheDeleteLink_ShowsItsPage_ThenForgetsThePerson_OnlyWhenTheButtonIsPressed()
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync("delete.browser@example.com");
        var page = await NewPageAsync();

        await page.GotoAsync(host.Local(ticket.DeleteUrl!).ToString());
        (await page.TitleAsync()).Should().Be("Delete your data" + " · Privacy portal");
        await Chromium.ScreenshotAsync(page, "expiration-delete-page");
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(ticket.PersonToken))).Should().NotBeNull("opening the link changes nothing");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete my data now" }).ClickAsync();

        await page.WaitForURLAsync("**/privacy/delete", AfterPost);
        (await page.TitleAsync()).Should().Be("Your data is deleted" + " · Privacy portal");
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(ticket.PersonToken))).Should().BeNull();

        await page.GotoAsync(host.Local(ticket.DeleteUrl!).ToString());
        (await page.TitleAsync()).Should().Be("This link does not work" + " · Privacy portal", "a used link gets the neutral page");
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task AFormWithoutItsAntiforgeryToken_IsRefused_AndNothingIsDeleted()
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync("forged.browser@example.com");
        var page = await NewPageAsync();
        await page.GotoAsync(host.Local(ticket.DeleteUrl!).ToString());

        // What a forged form would send: the link's token without the page's antiforgery token.
        await page.EvaluateAsync("() => document.querySelectorAll('input[type=hidden]:not([name=token])').forEach(i => i.remove())");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete my data now" }).ClickAsync();

        await page.WaitForURLAsync("**/privacy/delete", AfterPost);
        (await page.TitleAsync()).Should().Be("The page expired" + " · Privacy portal");
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(ticket.PersonToken))).Should().NotBeNull();
    }

    /// <summary>
    /// The answer to a POST is there once its document is parsed. Waiting for the load event as well timed out now
    /// and then in CI, with both cores busy with the other suites, although the page had arrived.
    /// </summary>
    private static PageWaitForURLOptions AfterPost => new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60_000 };
}
