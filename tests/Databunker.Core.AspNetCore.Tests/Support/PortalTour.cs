using System.Globalization;
using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Consent;
using Databunker.Core.Requests;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// A portal with a person who has used it for a while (a profile, an application's data, a consent, requests in several
/// states, actions by named and unnamed actors) and every page a person can reach: the portal's pages signed in, the
/// sign-in and code pages, and the link pages. Each page is opened the way a person reaches it.
/// </summary>
public sealed class PortalTour : IAsyncDisposable
{
    public const string Email = "ada@example.com";

    private PortalTour(LinkHost host, PortalMailbox mailbox, Guid person) => (Host, Mailbox, Person) = (host, mailbox, person);

    public LinkHost Host { get; }

    public PortalMailbox Mailbox { get; }

    public Guid Person { get; }

    /// <summary>The pages, by name, each with how to reach it from a signed-in page of a fresh context.</summary>
    public IReadOnlyList<(string Name, bool SignedIn, Func<IPage, Task> Open)> Pages =>
    [
        ("my-data", true, p => GoAsync(p, "/privacy/portal/")),
        ("correct", true, p => GoAsync(p, "/privacy/portal/correct")),
        ("consents", true, p => GoAsync(p, "/privacy/portal/consents")),
        ("requests", true, p => GoAsync(p, "/privacy/portal/requests")),
        ("sessions", true, p => GoAsync(p, "/privacy/portal/sessions")),
        ("history", true, p => GoAsync(p, "/privacy/portal/history")),
        ("delete", true, p => GoAsync(p, "/privacy/portal/delete")),
        ("sign-in", false, p => GoAsync(p, "/privacy/portal/signin")),
        ("code", false, async p =>
        {
            await GoAsync(p, "/privacy/portal/signin");
            await p.Locator("input[type=email]").FillAsync("nobody@example.com");
            await p.Locator("main button[type=submit]").ClickAsync();
        }),
        ("link-keep", false, async p => await p.GotoAsync(Host.Local((await Host.StartExpirationAsync(NewAddress())).RetainUrl!).ToString())),
        ("link-delete", false, async p => await p.GotoAsync(Host.Local((await Host.StartExpirationAsync(NewAddress())).DeleteUrl!).ToString())),
        ("link-kept", false, async p =>
        {
            await p.GotoAsync(Host.Local((await Host.StartExpirationAsync(NewAddress())).RetainUrl!).ToString());
            await p.Locator("main button[type=submit]").ClickAsync();
            await p.WaitForURLAsync("**/privacy/retain");
        }),
        ("link-unknown", false, p => GoAsync(p, "/privacy/retain/this-link-does-not-exist")),
    ];

    /// <summary>The page's words as the package has them in <paramref name="language"/>.</summary>
    public static string Text(string language, string name, params object[] arguments) =>
        new PortalText(System.Globalization.CultureInfo.GetCultureInfo(language), null)[name, arguments].Value;

    public static async Task<PortalTour> StartAsync(Action<DatabunkerPageOptions>? pages = null)
    {
        // One person signs in many times here, from one address and one client: the code limits would soon refuse.
        var (host, mailbox) = await PortalMailbox.StartAsync(
            configure: b => b.Services.Configure<DatabunkerOptions>(o => o.Privacy.Activities.Add(new Privacy.ProcessingActivity
            {
                Name = "delivery", Purpose = "Delivering your orders", LegalBasis = Privacy.LegalBasis.Contract,
                DataCategories = ["name", "city", "card number"], Fields = [new() { Path = "/name" }, new() { Path = "/city" }], TokenScopes = ["card"],
            })),
            portal: o =>
            {
                (o.CodeRequestLimits.PerAddress, o.CodeRequestLimits.PerClient) = (0, 0);
                foreach (var field in new[] { "name", "email", "phone", "city" })
                {
                    o.CorrectableFields.Add(field);
                }

                o.FieldsCheckedFirst.Add("name");
                o.FieldsCheckedFirst.Add("email");
            },
            pages: o =>
        {
            o.ActorNames["support-desk"] = "Example Shop support";
            pages?.Invoke(o);
        });
        var services = host.App.Services;
        Guid person;
        string card;
        using (AuditActor.Begin("Example.Shop.Checkout"))
        {
            person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = Email, name = "Ada Lovelace", phone = "+44 20 7946 0018", city = "London" }));
            await services.GetRequiredService<IAppDataManager>().PutAsync(person, "shop", JsonSerializer.SerializeToElement(new { loyaltyTier = "gold", newsletterFormat = "html" }));
            card = await services.GetRequiredService<ITokenizer>().TokenizeAsync("4111 1111 1111 1111", new TokenizeOptions { Scope = "card", Person = person });
        }

        using (AuditActor.Begin("support-desk"))
        {
            await host.Vault.GetPersonAsync(PersonLookup.ByToken(person));
            await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(person));
            await host.Vault.ForPurpose("delivery").DetokenizeAsync(card);
            await services.GetRequiredService<IConsentLedger>().RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
            var requests = services.GetRequiredService<IPrivacyRequestManager>();
            await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });
            var refused = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Objection, IdentityVerified = true });
            await requests.RejectAsync(refused.Id, "dpo@example.com", "The newsletter is already off.");
        }

        host.Time.Advance(TimeSpan.FromHours(3));
        return new PortalTour(host, mailbox, person);
    }

    /// <summary>Signs in in <paramref name="page"/>'s context, as the person does: address, mailed code, button.</summary>
    public async Task SignInAsync(IPage page)
    {
        await GoAsync(page, "/privacy/portal/signin");
        await page.Locator("input[type=email]").FillAsync(Email);
        await page.Locator("main button[type=submit]").ClickAsync();
        await page.Locator("input[name=code]").FillAsync(await Mailbox.CodeAsync(Person));
        await page.Locator("main button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/privacy/portal/");
    }

    public async Task GoAsync(IPage page, string path) => await page.GotoAsync(new Uri(Host.Address, path).ToString());

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    private static string NewAddress() => $"link.{Guid.NewGuid():N}@example.com";
}

/// <summary>
/// A pseudo-localisation: every text the pages ask for comes back as <c>⟦name⟧</c> (with its arguments, <c>⟦name:a|b⟧</c>),
/// so a text on a page that is not wholly inside such brackets did not come through the localiser.
/// </summary>
public sealed class PseudoLocalizer : IStringLocalizer
{
    public LocalizedString this[string name] => new(name, "⟦" + name + "⟧");

    public LocalizedString this[string name, params object[] arguments] =>
        new(name, "⟦" + name + (arguments.Length == 0 ? string.Empty : ":" + string.Join("|", arguments.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)))) + "⟧");

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
}

/// <summary>A host's own words, for the names it has; every other name is left to the package.</summary>
public sealed class HostWords(IReadOnlyDictionary<string, string> words) : IStringLocalizer
{
    public LocalizedString this[string name] => words.TryGetValue(name, out var value) ? new(name, value) : new(name, name, resourceNotFound: true);

    public LocalizedString this[string name, params object[] arguments] =>
        words.TryGetValue(name, out var value) ? new(name, string.Format(CultureInfo.CurrentCulture, value, arguments)) : new(name, name, resourceNotFound: true);

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => words.Select(w => new LocalizedString(w.Key, w.Value));
}
