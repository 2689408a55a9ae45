using System.Text.Json;
using Databunker.Core.Consent;
using Databunker.Core.Requests;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// The privacy portal and the DPO console in one app, as a shop would run them: people sign in to the portal with a
/// mailed code; the DPO is whoever the host's sign-in (here <see cref="HeaderAuthentication"/>) gives the role <c>dpo</c>.
/// </summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    public const string Policy = "dpo";
    public const string Dpo = "dpo.anna@shop.example";
    public const string Email = "ada@example.com";

    private ConsoleHost(LinkHost host, PortalMailbox mailbox, Guid person) => (Host, Mailbox, Person) = (host, mailbox, person);

    public LinkHost Host { get; }

    public PortalMailbox Mailbox { get; }

    /// <summary>A person with a profile, app data, a consent and a session's worth of history.</summary>
    public Guid Person { get; }

    public IPrivacyRequestManager Requests => Host.App.Services.GetRequiredService<IPrivacyRequestManager>();

    public static async Task<ConsoleHost> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var (host, mailbox) = await PortalMailbox.StartAsync(
            portal: o => (o.CodeRequestLimits.PerAddress, o.CodeRequestLimits.PerClient) = (0, 0),
            configure: b =>
            {
                b.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
                b.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.RequireRole("dpo")));
                configure?.Invoke(b);
            },
            map: app => app.MapDatabunkerDpoConsole(Policy));
        var services = host.App.Services;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = Email, name = "Ada Lovelace", phone = "+44 20 7946 0018" }));
        await services.GetRequiredService<AppData.IAppDataManager>().PutAsync(person, "shop", JsonSerializer.SerializeToElement(new { loyaltyTier = "gold" }));
        await services.GetRequiredService<AppData.IAppDataManager>().PutAsync(person, "signin", JsonDocument.Parse("""{"$credentials":["passwordHash"],"passwordHash":"SECRET-HASH-456","emailConfirmed":true}""").RootElement);
        await services.GetRequiredService<IConsentLedger>().RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        return new ConsoleHost(host, mailbox, person);
    }

    /// <summary>An HTTP client that signs in as <paramref name="user"/> with <paramref name="role"/>, keeping cookies, not following redirects.</summary>
    public HttpClient Client(string? user = Dpo, string? role = "dpo")
    {
        var client = ExpirationLinkEndpointTests.NewBrowserClient();
        client.BaseAddress = Host.Address;
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-Test-User", user);
        }

        if (role is not null)
        {
            client.DefaultRequestHeaders.Add("X-Test-Role", role);
        }

        return client;
    }

    /// <summary>The options of a browser context signed in as the DPO.</summary>
    public static BrowserNewContextOptions DpoBrowser(string language = "en", ColorScheme scheme = ColorScheme.Light) => new()
    {
        Locale = language,
        ColorScheme = scheme,
        ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Test-User"] = Dpo, ["X-Test-Role"] = "dpo" },
    };

    /// <summary>Signs the person in to the portal in <paramref name="page"/>'s context.</summary>
    public async Task SignInAsync(IPage page, Guid person, string email)
    {
        await GoAsync(page, "/privacy/portal/signin");
        await page.Locator("input[type=email]").FillAsync(email);
        await page.Locator("main button[type=submit]").ClickAsync();
        await page.Locator("input[name=code]").FillAsync(await Mailbox.CodeAsync(person));
        await page.Locator("main button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/privacy/portal/");
    }

    /// <summary>Sends a request from the portal's requests page, as the signed-in person does.</summary>
    public async Task AskAsync(IPage page, PrivacyRequestType type)
    {
        await GoAsync(page, "/privacy/portal/requests");
        await page.Locator("select[name=type]").SelectOptionAsync(type.ToString());
        await page.Locator("main form button[type=submit]").Last.ClickAsync();
        await page.WaitForURLAsync("**/privacy/portal/requests");
    }

    public async Task GoAsync(IPage page, string path) => await page.GotoAsync(new Uri(Host.Address, path).ToString());

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
