using Databunker.Core.AspNetCore.Tests.HostTemplates;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Expiration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>A host puts its own templates (HostTemplates/*.cshtml, compiled in this project) in place of the package's layout and of one page's.</summary>
[Category(Chromium.Category)]
public sealed class TemplateOverrideTests : BrowserTest
{
    [Test]
    public async Task AHostsLayoutAndPageTemplate_AreServed_AndThePageStillWorks()
    {
        await using var host = await LinkHost.StartAsync(configure: b => b.Services.Configure<DatabunkerPageOptions>(o =>
        {
            o.Templates.Layout = HostLayout.Create;
            o.Templates.Replace<ExpirationLinkPage>(HostLinkPage.Create);
        }));
        var ticket = await host.StartExpirationAsync("template@example.com");
        var page = await NewPageAsync();

        await page.GotoAsync(host.Local(ticket.RetainUrl!).ToString());

        (await page.TitleAsync()).Should().Be("Keep your data – Example Shop", "the host's layout writes the title");
        (await page.Locator("#host-header").InnerTextAsync()).Should().Be("Example Shop");
        (await page.Locator("#host-link-page").InnerTextAsync()).Should().Contain("26 December 2026").And.Contain("(Example Shop)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keep my data" }).ClickAsync();
        // Waits for the navigation to commit, not for the load event, which a CI run on two busy cores has missed once.
        await page.WaitForURLAsync("**/privacy/retain", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("#host-header")).ToHaveCountAsync(1);
        (await page.Locator("main p").InnerTextAsync()).Should().Be(PortalTour.Text("en", "Link.KeptText"), "the package's own template for the result page, in the host's layout");
        (await host.Expirations.GetStatusAsync(PersonLookup.ByToken(ticket.PersonToken)))!.State.Should().Be(ExpirationState.Retained);
    }
}
