using System.Text.RegularExpressions;
using Databunker.Core.AspNetCore.Tests.Support;
using Microsoft.Playwright;
using static Databunker.Core.AspNetCore.Tests.Support.PortalTour;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// The web sample in a browser, as a customer of the shop uses it: sign up, the privacy portal in German (sign in by a
/// mailed code, view, correct, consent, request, history, delete), and the mails the sample sends through MailKit to an
/// SMTP server on loopback: the expiration mail, whose "keep my data" link the customer follows, the sign-in code, and
/// the receipts of their requests, in German; then the shop's DPO approves the customer's erasure in the console. CI runs
/// it against the sample published with native AOT (<c>DATABUNKER_WEB_SAMPLE</c>).
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

        await page.GotoAsync(shop.Address.ToString());
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Name").FillAsync("Grete Weiss");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        var expiration = await NextMailToAsync(shop, email);
        Language(expiration).Should().Be("en", "the shop's sign-up names no language of the pages, and English is the first it offers");
        expiration.Subject.Should().Be(Text("en", "Mail.Expiration.Subject", "Example Shop"));
        var links = Regex.Matches(expiration.TextBody ?? string.Empty, @"^(http://\S+/privacy/(?:retain|delete)/\S+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        links.Should().HaveCount(2, "the mail carries both links");
        expiration.HtmlBody.Should().Contain($"href=\"{links[0]}\"").And.Contain($"href=\"{links[1]}\"");

        // The portal shows and deletes everything the shop holds, so it does not trust the shop's demonstration sign-in:
        // it signs the customer in itself, with a code mailed to them.
        await page.GetByRole(AriaRole.Link, new() { Name = "Your privacy portal" }).ClickAsync();
        await page.Locator("input[type=email]").FillAsync(email);
        await page.Locator("main button[type=submit]").ClickAsync();
        var codeMail = await NextMailToAsync(shop, email);
        Language(codeMail).Should().Be("en", "the sign-in page was in the browser's English");
        codeMail.Subject.Should().Be(Text("en", "Mail.SignInCode.Subject", "Example Shop"));
        await page.Locator("input[name=code]").FillAsync(Regex.Match(codeMail.TextBody ?? string.Empty, "^    ([0-9]{8})$", RegexOptions.Multiline).Groups[1].Value);
        await page.Locator("main button[type=submit]").ClickAsync();
        (await page.Locator(".brand").InnerTextAsync()).Should().Be("Example Shop");
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Grete Weiss");

        await page.GetByRole(AriaRole.Link, new() { Name = "Deutsch" }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Nav.Data"));

        // The name is corrected at once; a new address, which signs in to the portal, is checked by the shop first.
        await Link("Nav.Correct").ClickAsync();
        await page.GetByLabel(T("Field.email")).FillAsync($"neu.{email}");
        await page.GetByLabel(T("Field.name")).FillAsync("Grete Weiß");
        await Button("Correct.Save").ClickAsync();
        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).Should().Be(T("Correct.SavedAndRequested"));
        var rectification = await NextMailToAsync(shop, email);
        Language(rectification).Should().Be("de", "the correction was made in the German portal");
        rectification.Subject.Should().Be(T("Mail.Received.Subject", T("RequestType.Rectification")));
        await Link("Nav.Data").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Grete Weiß");

        await Link("Nav.Consents").ClickAsync();
        await Button("Consent.Grant").ClickAsync();
        (await Button("Consent.Withdraw").CountAsync()).Should().Be(1);

        await Link("Nav.Requests").ClickAsync();
        await page.GetByLabel(T("Requests.AskLabel")).SelectOptionAsync(new SelectOptionValue { Label = T("RequestType.Access") });
        await Button("Requests.Send").ClickAsync();
        (await page.Locator("main table").InnerTextAsync()).Should().Contain(T("RequestType.Access"));
        var receipt = await NextMailToAsync(shop, email);
        Language(receipt).Should().Be("de", "the request was made in the German portal");
        receipt.Subject.Should().Be(T("Mail.Received.Subject", T("RequestType.Access")));
        receipt.TextBody.Should().Contain(new Uri(shop.Address, "/privacy/portal/").ToString(), "the receipt leads to the portal");

        await Link("Nav.History").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain(T("EventYou.person.update")).And.Contain(T("Event.person.create", "Example Shop"));

        // The "keep my data" link of the mail that came when the account was made.
        await page.GotoAsync(links.Single(l => l.Contains("/retain/", StringComparison.Ordinal)));
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Link.KeepTitle"), "the language chosen in the portal is kept");
        await Button("Link.KeepButton").ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).Should().Be(T("Link.KeptTitle"));

        await page.GotoAsync(new Uri(shop.Address, "/privacy/portal/delete").ToString());
        await Button("Delete.RequestButton").ClickAsync();
        (await page.Locator("main table").InnerTextAsync()).Should().Contain(T("RequestType.Erasure"));

        // The shop's DPO signs in with the password the sample made, approves the erasure in the console, and the
        // customer's portal session ends with the account.
        var dpo = await NewPageAsync();
        await dpo.GotoAsync(new Uri(shop.Address, "/databunker/dpo/").ToString());
        await dpo.GetByLabel("Email").FillAsync("dpo@shop.example");
        await dpo.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await dpo.GetByLabel("Password").FillAsync(shop.DpoPassword);
        await dpo.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await dpo.WaitForURLAsync("**/databunker/dpo/");
        (await dpo.Locator(".brand").InnerTextAsync()).Should().Contain("Example Shop").And.Contain(Text("en", "Dpo.Area"));
        await dpo.GotoAsync(new Uri(shop.Address, "/databunker/dpo/?type=Erasure").ToString());
        await dpo.Locator("main table a").First.ClickAsync();
        await dpo.GetByLabel(Text("en", "Dpo.Action.ConfirmErasure")).CheckAsync();
        await dpo.GetByRole(AriaRole.Button, new() { Name = Text("en", "Dpo.Action.Approve") }).ClickAsync();
        (await dpo.GetByRole(AriaRole.Status).InnerTextAsync()).Should().Be(Text("en", "Dpo.Action.Approved"));
        await page.GotoAsync(new Uri(shop.Address, "/privacy/portal/").ToString());
        await page.WaitForURLAsync("**/privacy/portal/signin");
        Dialogs.Should().BeEmpty();
    }

    /// <summary>The language a mail says it is written in.</summary>
    private static string Language(MimeKit.MimeMessage mail) => mail.Body?.Headers[MimeKit.HeaderId.ContentLanguage] ?? "(none)";

    /// <summary>The next mail the shop sent to <paramref name="to"/> alone, passing over those to other customers.</summary>
    private static async Task<MimeKit.MimeMessage> NextMailToAsync(SampleShop shop, string to)
    {
        while (true)
        {
            var mail = await shop.Mail.NextAsync();
            var recipients = mail.To.Mailboxes.Select(m => m.Address).ToList();
            if (recipients.Contains(to))
            {
                recipients.Should().Equal(to);
                return mail;
            }
        }
    }
}
