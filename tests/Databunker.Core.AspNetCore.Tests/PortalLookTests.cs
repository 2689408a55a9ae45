using System.Text.RegularExpressions;
using Databunker.Core.AspNetCore.Tests.Support;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// Every page as a person sees it: axe-core's rules in two languages, light and dark, on a desktop and a 360-pixel phone;
/// every visible word through the localiser; no internal name on any page; the stylesheet applied under the pages' CSP.
/// With <c>DATABUNKER_SCREENSHOTS</c> set to a folder, every page is saved there in English (desktop and phone, light and
/// dark) and in German (desktop, light): <c>docs/images/portal/</c> holds them.
/// </summary>
[Category(Chromium.Category)]
public sealed partial class PortalLookTests : BrowserTest
{
    private static readonly (string Name, int Width, int Height)[] Viewports = [("desktop", 1280, 800), ("phone", 360, 740)];

    [Test]
    public async Task EveryPage_HasNoAccessibilityViolations_InTwoLanguages_LightAndDark_OnADesktopAndAPhone()
    {
        await using var tour = await PortalTour.StartAsync();
        var findings = new List<string>();
        foreach (var language in new[] { "en", "de" })
        {
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                foreach (var (viewport, width, height) in Viewports)
                {
                    var options = new BrowserNewContextOptions
                    {
                        Locale = language, ColorScheme = scheme, ViewportSize = new ViewportSize { Width = width, Height = height },
                    };
                    var signedIn = await NewPageAsync(options);
                    await tour.SignInAsync(signedIn);
                    foreach (var (name, needsSignIn, open) in tour.Pages)
                    {
                        var page = needsSignIn ? signedIn : await NewPageAsync(options);
                        await open(page);
                        (await page.Locator("html").GetAttributeAsync("lang")).Should().StartWith(language, "{0} is in the browser's language", name);
                        var result = await page.RunAxe();
                        findings.AddRange(result.Violations.Select(v =>
                            $"{name} ({language}, {scheme}, {viewport}): {v.Id} [{v.Impact}] {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}"));
                        if (language == "en" || (viewport == "desktop" && scheme == ColorScheme.Light))
                        {
                            await SaveScreenshotAsync(page, $"{name}-{language}-{viewport}-{(scheme == ColorScheme.Dark ? "dark" : "light")}");
                        }
                    }
                }
            }
        }

        findings.Should().BeEmpty("axe-core finds no violation of any impact on any page");
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task EveryVisibleText_ComesThroughTheLocaliser()
    {
        await using var tour = await PortalTour.StartAsync(o => o.Text = new PseudoLocalizer());
        var signedIn = await NewPageAsync();
        await tour.SignInAsync(signedIn);
        var unlocalised = new List<string>();
        foreach (var (name, needsSignIn, open) in tour.Pages)
        {
            var page = needsSignIn ? signedIn : await NewPageAsync();
            await open(page);
            var texts = await VisibleTextsAsync(page);
            texts.Should().Contain(t => t.Contains('⟦', StringComparison.Ordinal), "{0} was rendered with the pseudo-localiser", name);
            unlocalised.AddRange(texts.Where(t => Letter().IsMatch(Pseudo().Replace(t, string.Empty))).Select(t => $"{name}: \"{t}\""));
        }

        unlocalised.Should().BeEmpty("every visible word, title and label comes through the localiser (data, dates, language names and the host's own catalog texts are marked as such)");
    }

    [Test]
    public async Task NoPage_ShowsAnEnumName_AnOperationCode_AnActorId_OrAnAssemblyName()
    {
        await using var tour = await PortalTour.StartAsync();
        var operations = typeof(AuditOperations).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToArray();
        var internalNames = Enum.GetNames<Requests.PrivacyRequestState>().Concat(Enum.GetNames<Requests.PrivacyRequestType>()).Concat(Enum.GetNames<Consent.ConsentDecision>())
            .Where(n => n.Skip(1).Any(char.IsUpper)).Concat(operations).Concat(["support-desk", "Example.Shop.Checkout", PrivacyPortal.Actor, "Databunker"]).ToArray();
        foreach (var language in new[] { "en", "de" })
        {
            var options = new BrowserNewContextOptions { Locale = language };
            var signedIn = await NewPageAsync(options);
            await tour.SignInAsync(signedIn);
            foreach (var (name, needsSignIn, open) in tour.Pages)
            {
                var page = needsSignIn ? signedIn : await NewPageAsync(options);
                await open(page);
                var text = string.Join("\n", await VisibleTextsAsync(page, includeData: true));
                text.Should().NotContainAny(internalNames, "{0} ({1}) speaks to a person, not in the code's names", name, language);
                ResourceName().Matches(text).Select(m => m.Value).Should().BeEmpty("{0} ({1}) shows no text by its resource name (a missing translation)", name, language);
                if (name == "history")
                {
                    text.Should().Contain("Example Shop support", "an actor the host named is shown by that name")
                        .And.Contain(PortalTour.Text(language, "Event.SignInCode"), "the look-up behind a sign-in code is not the person's own doing");
                }
            }
        }
    }

    [Test]
    public async Task TheStylesheet_IsApplied_UnderThePagesContentSecurityPolicy()
    {
        await using var tour = await PortalTour.StartAsync(o => o.Brand.AccentColor = "#0f766e");
        var page = await NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, message) => blocked.Add(message.Text);
        var response = await page.GotoAsync(new Uri(tour.Host.Address, "/privacy/portal/signin").ToString());

        response!.Headers["content-security-policy"].Should().Contain("style-src 'self'").And.NotContain("unsafe-inline");
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('main button')).backgroundColor")).Should().Be("rgb(15, 118, 110)", "the brand's accent colour styles the button");
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.body).fontFamily")).Should().Contain("system-ui", "the package's stylesheet is applied");
        blocked.Should().BeEmpty("the CSP blocks nothing the page loads");
    }

    /// <summary>The page's visible texts, its title and its accessible labels; without data, dates and language names unless asked.</summary>
    private static async Task<IReadOnlyList<string>> VisibleTextsAsync(IPage page, bool includeData = false) =>
        await page.EvaluateAsync<string[]>(
            """
            includeData => {
              const out = [document.title];
              const skip = el => !includeData && el.closest('[translate=no], time, [data-host-text]');
              const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              while (walker.nextNode()) {
                const node = walker.currentNode, text = node.textContent.trim();
                if (text && !skip(node.parentElement) && node.parentElement.checkVisibility({ visibilityProperty: true }) !== false) out.push(text);
              }
              for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]'))
                for (const name of ['aria-label', 'title', 'alt', 'placeholder']) {
                  const value = (el.getAttribute(name) || '').trim();
                  if (value) out.push(value);
                }
              return out;
            }
            """, includeData);

    private async Task<IPage> NewPageAsync(BrowserNewContextOptions options)
    {
        var page = await NewPageAsync(options, recordDialogs: true);
        return page;
    }

    [GeneratedRegex(@"\b(Layout|Nav|Data|Field|Consents?|Requests?|RequestType|RequestState|Sessions|History|Actor|Event|EventYou|Delete|Deleted|SignIn|Code|TooMany|Expired|Failed|Link|Device|Correct)\.[A-Za-z]")]
    private static partial Regex ResourceName();

    [GeneratedRegex("⟦[^⟧]*⟧")]
    private static partial Regex Pseudo();

    [GeneratedRegex(@"\p{L}")]
    private static partial Regex Letter();
}
