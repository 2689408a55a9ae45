using System.Text.Json;
using System.Text.RegularExpressions;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Requests;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// Every console page as a DPO sees it: axe-core's rules in two languages, light and dark, and on a phone; no internal name and no
/// resource name on any page. With <c>DATABUNKER_SCREENSHOTS</c> set to a folder, every page is saved there in English
/// (light and dark, and on a phone) and in German (light): <c>docs/images/dpo/</c> holds them.
/// </summary>
[Category(Chromium.Category)]
public sealed partial class DpoConsoleLookTests : BrowserTest
{
    [Test]
    public async Task EveryConsolePage_HasNoAccessibilityViolations_InTwoLanguages_LightAndDark_AndOnAPhone()
    {
        await using var console = await ConsoleHost.StartAsync();
        var pages = await SeedAsync(console);
        var findings = new List<string>();
        var scanned = 0;
        foreach (var language in new[] { "en", "de" })
        {
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                var options = ConsoleHost.DpoBrowser(language, scheme);
                options.ViewportSize = new ViewportSize { Width = 1280, Height = 800 };
                var page = await NewPageAsync(options, recordDialogs: true);
                foreach (var (name, open) in pages)
                {
                    await open(page);
                    (await page.Locator("html").GetAttributeAsync("lang")).Should().StartWith(language, "{0} is in the browser's language", name);
                    var result = await page.RunAxe();
                    scanned++;
                    findings.AddRange(result.Violations.Select(v =>
                        $"{name} ({language}, {scheme}): {v.Id} [{v.Impact}] {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}"));
                    if (language == "en" || scheme == ColorScheme.Light)
                    {
                        await SaveScreenshotAsync(page, $"dpo-{name}-{language}-{(scheme == ColorScheme.Dark ? "dark" : "light")}");
                    }
                }
            }
        }

        // And on a 360-pixel phone, in English.
        var phoneOptions = ConsoleHost.DpoBrowser();
        phoneOptions.ViewportSize = new ViewportSize { Width = 360, Height = 740 };
        var phone = await NewPageAsync(phoneOptions, recordDialogs: true);
        foreach (var (name, open) in pages)
        {
            await open(phone);
            var result = await phone.RunAxe();
            scanned++;
            findings.AddRange(result.Violations.Select(v => $"{name} (en, phone): {v.Id} [{v.Impact}] {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}"));
            (await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1")).Should().BeTrue("{0} fits a phone's width without scrolling sideways", name);
            await SaveScreenshotAsync(phone, $"dpo-{name}-en-phone");
        }

        scanned.Should().Be(pages.Count * 5);
        findings.Should().BeEmpty("axe-core finds no violation of any impact on any console page");
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task NoConsolePage_ShowsAnEnumName_AnOperationCode_OrAResourceName()
    {
        await using var console = await ConsoleHost.StartAsync();
        var pages = await SeedAsync(console);
        var internalNames = Enum.GetNames<PrivacyRequestState>().Concat(Enum.GetNames<PrivacyRequestType>()).Concat(Enum.GetNames<Consent.ConsentDecision>())
            .Where(n => n.Skip(1).Any(char.IsUpper)).Concat(typeof(AuditOperations).GetFields().Select(f => (string)f.GetRawConstantValue()!)).Concat(["Databunker"]).ToArray();
        foreach (var language in new[] { "en", "de" })
        {
            var page = await NewPageAsync(ConsoleHost.DpoBrowser(language), recordDialogs: true);
            foreach (var (name, open) in pages)
            {
                await open(page);
                var text = await page.Locator("body").InnerTextAsync();
                text.Should().NotContainAny(internalNames, "{0} ({1}) speaks to a DPO, not in the code's names", name, language);
                ResourceName().Matches(text).Select(m => m.Value).Should().BeEmpty("{0} ({1}) shows no text by its resource name", name, language);
            }
        }
    }

    /// <summary>Requests of several kinds and ages, a pass, and a way to each page.</summary>
    private static async Task<List<(string Name, Func<IPage, Task> Open)>> SeedAsync(ConsoleHost console)
    {
        var requests = console.Requests;
        var vault = console.Host.Vault;
        var access = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Access, IdentityVerified = true });
        var grace = await vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "grace@example.com", name = "Grace Hopper" }));
        await requests.SubmitAsync(new PrivacyRequestSubmission { Person = grace, Type = PrivacyRequestType.Erasure, IdentityVerified = true, Regime = PrivacyRegime.Ccpa });
        await requests.SubmitAsync(new PrivacyRequestSubmission
        {
            Person = grace, Type = PrivacyRequestType.Rectification, IdentityVerified = true, Change = JsonSerializer.SerializeToElement(new { name = "Grace B. Hopper" }),
        });
        var ledger = console.Host.App.Services.GetRequiredService<Consent.IConsentLedger>();
        foreach (var (name, decision) in new[] { ("bob", Consent.ConsentDecision.Granted), ("cy", Consent.ConsentDecision.Refused), ("di", Consent.ConsentDecision.Withdrawn), ("ed", Consent.ConsentDecision.Granted) })
        {
            var someone = await vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = $"{name}@example.com" }));
            await ledger.RecordAsync(someone, new Consent.ConsentRecord { Activity = "newsletter", Decision = decision });
        }

        console.Host.Time.Advance(TimeSpan.FromDays(40));
        var late = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = grace, Type = PrivacyRequestType.Objection, IdentityVerified = true });
        await requests.ExtendAsync(late.Id, "Three systems hold the data.");
        await requests.SubmitAsync(new PrivacyRequestSubmission { Person = console.Person, Type = PrivacyRequestType.Portability, IdentityVerified = true });
        await console.Host.App.Services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync();

        return
        [
            ("requests", p => console.GoAsync(p, "/databunker/dpo/")),
            ("request", p => console.GoAsync(p, $"/databunker/dpo/requests/{access.Id}")),
            ("request-extended", p => console.GoAsync(p, $"/databunker/dpo/requests/{late.Id}")),
            ("lookup", p => console.GoAsync(p, "/databunker/dpo/people")),
            ("person", async p =>
            {
                await console.GoAsync(p, "/databunker/dpo/people");
                await p.Locator("#value").FillAsync(ConsoleHost.Email);
                await p.Locator("#reason").SelectOptionAsync("complaint");
                await p.Locator("#note").FillAsync("Ticket 4711");
                await p.Locator("main form button[type=submit]").ClickAsync();
                await p.Locator("#forget").WaitForAsync();
            }),
            ("catalogue", p => console.GoAsync(p, "/databunker/dpo/catalogue")),
            ("consents", p => console.GoAsync(p, "/databunker/dpo/consents")),
            ("operations", async p =>
            {
                await console.GoAsync(p, "/databunker/dpo/operations");
                await p.Locator("#chain ~ form button").ClickAsync();
                await p.GetByRole(AriaRole.Status).WaitForAsync();
            }),
            ("minimisation", async p =>
            {
                await console.GoAsync(p, "/databunker/dpo/operations");
                await p.Locator("section[aria-labelledby=minimisation] form button").ClickAsync();
                await p.Locator("section[aria-labelledby=minimisation] table").WaitForAsync();
            }),
        ];
    }

    [GeneratedRegex(@"\b(Dpo|Layout|Nav|Field|RequestType|RequestState|Event|Actor|Failed|Expired)\.[A-Za-z]")]
    private static partial Regex ResourceName();
}
