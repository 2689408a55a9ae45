using System.Text.Json;
using System.Text.RegularExpressions;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Requests;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// Every mail as a person's mail reader shows it, in Chromium: axe-core's rules in two languages on a desktop and a
/// 360-pixel phone, and every visible word through the localiser. With <c>DATABUNKER_SCREENSHOTS</c> set to a folder, each
/// is saved there (<c>docs/images/portal/mail-*.jpg</c>).
/// </summary>
[Category(Chromium.Category)]
public sealed partial class MailLookTests : BrowserTest
{
    [Test]
    public async Task EveryMail_HasNoAccessibilityViolations_InTwoLanguages_OnADesktopAndAPhone()
    {
        var findings = new List<string>();
        foreach (var language in new[] { "en", "de" })
        {
            var mails = await AllMailsAsync(language, pages: null);
            mails.Select(m => m.Kind).Should().BeEquivalentTo(Enum.GetValues<DatabunkerMailKind>(), "every kind of mail is looked at");
            foreach (var mail in mails)
            {
                foreach (var (viewport, width) in new[] { ("desktop", 1000), ("phone", 360) })
                {
                    var page = await NewPageAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 800 }, JavaScriptEnabled = true }, recordDialogs: true);
                    mail.HtmlBody.Should().NotContainAny(["<script", "<img", " src=", "<link", "<iframe", "<form"], "a mail loads nothing and runs nothing");
                    await page.SetContentAsync(mail.HtmlBody);
                    var result = await page.RunAxe();
                    findings.AddRange(result.Violations.Select(v => $"{mail.Kind} ({language}, {viewport}): {v.Id} [{v.Impact}] {v.Help}"));
                    (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).Should().BeLessThanOrEqualTo(width, "the {0} mail fits a {1}-pixel screen", mail.Kind, width);
                    if (language == "en" || viewport == "desktop")
                    {
                        await SaveScreenshotAsync(page, $"mail-{Kebab(mail.Kind)}-{language}-{viewport}");
                    }
                }
            }
        }

        findings.Should().BeEmpty("axe-core finds no violation of any impact in any mail");
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task EveryVisibleWordOfAMail_ComesThroughTheLocaliser()
    {
        var mails = await AllMailsAsync("en", pages: o => o.Text = new PseudoLocalizer());
        var page = await NewPageAsync();
        foreach (var mail in mails)
        {
            await page.SetContentAsync(mail.HtmlBody);
            var visible = await page.Locator("body").InnerTextAsync();

            Rest(visible).Should().BeEmpty("every word of the {0} mail comes through the localiser: {1}", mail.Kind, visible);
            Rest(mail.TextBody).Should().BeEmpty("the plain text of the {0} mail has no word of its own either: {1}", mail.Kind, mail.TextBody);
            mail.Subject.Should().StartWith("⟦Mail.");
        }
    }

    /// <summary>One mail of each kind, to a person whose profile asks for <paramref name="language"/>; the DPO's goes in the first language offered.</summary>
    private static async Task<List<DatabunkerMail>> AllMailsAsync(string language, Action<DatabunkerPageOptions>? pages)
    {
        var outbox = new MailOutbox();
        await using var host = await LinkHost.StartAsync(configure: b =>
        {
            b.Services.AddSingleton<IDatabunkerMailSender>(outbox);
            b.Services.AddDatabunkerMail(o => (o.DpoAddress, o.PortalAddress) = ("dpo@shop.example", new Uri("https://shop.example/privacy/portal/")));
            b.Services.Configure<DatabunkerPageOptions>(o =>
            {
                o.Brand.ProductName = "Example Shop";
                pages?.Invoke(o);
            });
        });
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "mail.look@example.com", language }));
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();

        await host.Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30)));
        await host.App.Services.GetRequiredService<IPortalCodeSender>().SendCodeAsync(person, "12345678", host.Time.GetUtcNow().AddMinutes(10), CancellationToken.None);
        await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Portability });
        var access = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });
        await requests.ExtendAsync(access.Id, "Your data sits in three of our systems, and one of them is being replaced.");
        host.Time.SetUtcNow(access.DueAt.AddDays(60));
        await host.App.Services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync();
        return [.. outbox.Sent.DistinctBy(m => m.Kind)];
    }

    /// <summary>What is left once the localiser's words, the product's name, the links, the codes, the request's number and the signature's dashes are taken out.</summary>
    private static string Rest(string text)
    {
        // Innermost first: a request's type is a localised word inside a localised sentence.
        for (var before = string.Empty; before != text;)
        {
            (before, text) = (text, Pseudo().Replace(text, " "));
        }

        return Regex.Replace(text, @"Example Shop|https?://\S+|\b[0-9]{8}\b|\b[0-9a-f]{8}-[0-9a-f-]{27}\b|^-- $|[\s:]", string.Empty, RegexOptions.Multiline);
    }

    private static string Kebab(DatabunkerMailKind kind) => Regex.Replace(kind.ToString(), "(?<=[a-z])([A-Z])", "-$1").ToLowerInvariant();

    [GeneratedRegex("⟦[^⟦⟧]*⟧")]
    private static partial Regex Pseudo();
}
