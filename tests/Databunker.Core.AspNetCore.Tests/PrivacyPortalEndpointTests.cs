using System.Net;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The portal over HTTP: what a stranger, a forger and a guesser get.</summary>
public sealed class PrivacyPortalEndpointTests
{
    [TestCase("GET", "/privacy/portal/")]
    [TestCase("GET", "/privacy/portal/consents")]
    [TestCase("GET", "/privacy/portal/export")]
    [TestCase("GET", "/privacy/portal/history")]
    [TestCase("POST", "/privacy/portal/delete")]
    [TestCase("POST", "/privacy/portal/sessions")]
    public async Task WithoutSignIn_EveryPageSendsToTheSignIn_AndChangesNothing(string method, string path)
    {
        var (host, _) = await PortalMailbox.StartAsync();
        await using var _host = host;
        using var client = ExpirationLinkEndpointTests.NewBrowserClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(host.Address, path)) { Content = method == "POST" ? new FormUrlEncodedContent([]) : null });

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.ToString().Should().Be("/privacy/portal/signin");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
    }

    [Test]
    public async Task TheSignInForms_RefuseMissingAntiforgery_OversizeBodies_AndGuessing()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _host = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "guess@example.com" }));
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();
        var signin = new Uri(host.Address, "/privacy/portal/signin");

        (await browser.PostAsync(signin, new FormUrlEncodedContent([new("email", "guess@example.com")]))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "no antiforgery token");
        mailbox.Codes.Should().BeEmpty();
        var form = ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync(signin));
        (await browser.PostAsync(signin, new FormUrlEncodedContent(form.Append(new("email", new string('e', 20_000)))))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var codePage = await (await browser.PostAsync(signin, new FormUrlEncodedContent(form.Append(new("email", "guess@example.com"))))).Content.ReadAsStringAsync();
        var code = (await mailbox.CodeAsync(person));
        var codeForm = ExpirationLinkEndpointTests.Fields(codePage);
        var verify = new Uri(host.Address, "/privacy/portal/signin/code");
        for (var i = 0; i < 5; i++)
        {
            (await browser.PostAsync(verify, new FormUrlEncodedContent(codeForm.Append(new("code", code == "00000000" ? "00000001" : "00000000"))))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        (await browser.PostAsync(verify, new FormUrlEncodedContent(codeForm.Append(new("code", code))))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "five wrong guesses spend the code");
        using var stranger = ExpirationLinkEndpointTests.NewBrowserClient();
        var strangerForm = ExpirationLinkEndpointTests.Fields(await stranger.GetStringAsync(signin));
        var strangerCode = await stranger.PostAsync(verify, new FormUrlEncodedContent(strangerForm.Append(new("code", code))));
        strangerCode.StatusCode.Should().Be(HttpStatusCode.SeeOther, "a code counts only in the browser that asked for it");
        host.Logs.Lines.Should().NotContain(l => l.Contains(code, StringComparison.Ordinal), "no log line carries the code");
    }

    [Test]
    public async Task WithTheHostsOwnSignIn_ThePortalShowsTheResolvedPerson_AndHasNoCodeSignIn()
    {
        Guid person = default;
        await using var host = await LinkHost.StartAsync(
            configure: b => HeaderSignIn(b),
            map: app => app.MapDatabunkerPrivacyPortal("/account/privacy", o => o.ResolvePerson = user => Guid.TryParse(user.Identity?.Name, out var p) ? p : null));
        person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "host.signin@example.com" }));
        using var anonymous = new HttpClient { BaseAddress = host.Address };
        using var signedIn = new HttpClient { BaseAddress = host.Address };
        signedIn.DefaultRequestHeaders.Add("X-Test-User", person.ToString());

        (await anonymous.GetAsync("account/privacy/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("account/privacy/signin")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the host signs people in");
        (await signedIn.GetStringAsync("account/privacy/")).Should().Contain("host.signin@example.com");
    }

    [Test]
    public async Task WithTheHostsOwnSignIn_SignOutEverywhereElse_IsNotOffered_AndEndsNoSession()
    {
        await using var host = await LinkHost.StartAsync(
            configure: b => HeaderSignIn(b),
            map: app => app.MapDatabunkerPrivacyPortal("/account/privacy", o => o.ResolvePerson = user => Guid.TryParse(user.Identity?.Name, out var p) ? p : null));
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "host.sessions@example.com" }));
        var sessions = host.App.Services.GetRequiredService<Databunker.Core.Sessions.ISessionManager>();
        for (var i = 0; i < 3; i++)
        {
            await sessions.BindToPersonAsync((await sessions.CreateAsync(JsonSerializer.SerializeToElement(new { }))).SessionId, person);
        }

        using var signedIn = new HttpClient { BaseAddress = host.Address };
        signedIn.DefaultRequestHeaders.Add("X-Test-User", person.ToString());
        var page = await signedIn.GetStringAsync("account/privacy/sessions");
        page.Should().NotContain("name=\"others\"", "the portal does not know which of the sessions is this browser's");
        var token = ExpirationLinkEndpointTests.Fields(page).Where(f => f.Key.StartsWith("__", StringComparison.Ordinal)).DistinctBy(f => f.Key);
        (await signedIn.PostAsync("account/privacy/sessions", new FormUrlEncodedContent(token.Append(new("others", "all"))))).StatusCode.Should().Be(HttpStatusCode.OK, "the form is taken (and the sessions page follows)");

        (await sessions.ListAsync(person)).Should().HaveCount(3, "a forged request to sign out everywhere else ends no session, this browser's included");
    }

    [Test]
    public async Task TheStylesheet_IsServedToAnyone_WhenTheHostPutsThePortalBehindAuthorization()
    {
        await using var host = await LinkHost.StartAsync(
            configure: b => HeaderSignIn(b, o => o.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()),
            map: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapDatabunkerPrivacyPortal("/account/privacy", o => o.ResolvePerson = _ => null).RequireAuthorization();
            });
        using var anonymous = new HttpClient { BaseAddress = host.Address };

        (await anonymous.GetAsync("account/privacy/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        foreach (var asset in new[] { "account/privacy/assets/portal.css", "account/privacy/assets/icon.svg", "privacy/assets/portal.css" })
        {
            using var response = await anonymous.GetAsync(asset);
            response.StatusCode.Should().Be(HttpStatusCode.OK, "{0} is the package's own static file", asset);
            response.Headers.CacheControl!.ToString().Should().Contain("immutable");
        }
    }

    [Test]
    public void Mapping_WithoutASignInWay_OrAntiforgery_Fails_AtStart()
    {
        using var app = UnmappedApp();
        FluentActions.Invoking(() => app.MapDatabunkerPrivacyPortal()).Should().Throw<InvalidOperationException>().WithMessage("*IPortalCodeSender*");

        var noAntiforgery = WebApplication.CreateSlimBuilder();
        noAntiforgery.Services.AddDatabunker().UseSqlite("Data Source=:memory:");
        using var second = noAntiforgery.Build();
        FluentActions.Invoking(() => second.MapDatabunkerPrivacyPortal(configure: o => o.ResolvePerson = _ => null)).Should().Throw<InvalidOperationException>().WithMessage("*AddAntiforgery*");
    }

    [Test]
    public void Mapping_WithOptionsOutOfRange_Fails_NamingEachOption()
    {
        using var app = UnmappedApp();

        var act = () => app.MapDatabunkerPrivacyPortal(configure: o =>
        {
            o.ResolvePerson = _ => null;
            o.MaxCodeAttempts = 0;
            o.CodeQueueCapacity = 0;
            o.CodeRequestLimits.Window = TimeSpan.Zero;
        });

        var failures = act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Failures;
        failures.Should().HaveCount(3).And.Contain(f => f.Contains("MaxCodeAttempts")).And.Contain(f => f.Contains("CodeQueueCapacity"))
            .And.Contain(f => f.Contains("Window"));
    }

    [Test]
    public void Mapping_WithAFieldCheckedFirstThatCannotBeCorrected_Fails()
    {
        using var app = UnmappedApp();

        var act = () => app.MapDatabunkerPrivacyPortal(configure: o =>
        {
            o.ResolvePerson = _ => null;
            o.CorrectableFields.Add("city");
            o.FieldsCheckedFirst.Add("name");
        });

        act.Should().Throw<InvalidOperationException>().WithMessage("*FieldsCheckedFirst*");
    }

    [Test]
    public void Mapping_WithTheEmailCorrectedAtOnce_UnderTheCodeSignIn_Fails()
    {
        using var app = UnmappedApp(services => services.AddSingleton<IPortalCodeSender>(new PortalMailbox()));

        var act = () => app.MapDatabunkerPrivacyPortal(configure: o => o.CorrectableFields.Add("email"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*email*FieldsCheckedFirst*", "the address signs the person in: a stolen session must not move it");
    }

    [Test]
    public async Task Corrections_AreCountedPerPerson_AndRefusedPastTheLimit_ChangingNothing()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync(portal: o =>
        {
            o.CorrectableFields.Add("city");
            o.MaxCorrectionsPerHour = 2;
        });
        await using var _host = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "often@example.com", city = "Leeds" }));
        using var browser = await SignInAsync(host, mailbox, person, "often@example.com");

        async Task<HttpResponseMessage> SaveAsync(string city)
        {
            // The page's two forms (the sign-out and the correction) carry the same antiforgery field: posted once.
            var form = ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync("privacy/portal/correct")).Where(f => f.Key.StartsWith("__", StringComparison.Ordinal)).DistinctBy(f => f.Key);
            return await browser.PostAsync("privacy/portal/correct", new FormUrlEncodedContent(form.Append(new("field.city", city))));
        }

        (await SaveAsync("York")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await SaveAsync("Hull")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var third = await SaveAsync("Bath");

        third.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await third.Content.ReadAsStringAsync()).Should().Contain(PortalTour.Text("en", "Correct.TooMany").Replace("'", "&#x27;", StringComparison.Ordinal));
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person)))!.Profile.GetProperty("city").GetString().Should().Be("Hull");
        host.Time.Advance(TimeSpan.FromHours(1));
        using var later = await SignInAsync(host, mailbox, person, "often@example.com");
        var page = ExpirationLinkEndpointTests.Fields(await later.GetStringAsync("privacy/portal/correct")).Where(f => f.Key.StartsWith("__", StringComparison.Ordinal)).DistinctBy(f => f.Key);
        (await later.PostAsync("privacy/portal/correct", new FormUrlEncodedContent(page.Append(new("field.city", "Bath"))))).StatusCode
            .Should().Be(HttpStatusCode.OK, "the count starts over with the next hour");
    }

    [Test]
    public async Task AReadForAPurpose_IsInThePersonsHistory_WithThePurposeAndTheFieldsUsed()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync(configure: b => b.Services.Configure<DatabunkerOptions>(o => o.Privacy.Activities.Add(new Privacy.ProcessingActivity
        {
            Name = "delivery",
            Purpose = "Delivering your orders",
            LegalBasis = Privacy.LegalBasis.Contract,
            Fields = [new() { Path = "/name" }, new() { Path = "/address/city" }, new() { Path = "/address/street" }],
            TokenScopes = ["door-code"],
        })));
        await using var _host = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "parcel@example.com", name = "Pat", address = new { city = "Leeds", street = "1 High St" } }));
        await host.Vault.ForPurpose("delivery").GetPersonAsync(PersonLookup.ByToken(person));
        var tokens = host.App.Services.GetRequiredService<Tokenization.ITokenizer>();
        var doorCode = await tokens.TokenizeAsync("4711", new Tokenization.TokenizeOptions { Scope = "door-code", Person = person });
        (await host.Vault.ForPurpose("delivery").DetokenizeAsync(doorCode)).Should().Be("4711");
        using var browser = await SignInAsync(host, mailbox, person, "parcel@example.com");

        var history = WebUtility.HtmlDecode(await browser.GetStringAsync("privacy/portal/history?culture=en"));
        history.Should().Contain("Our service used your data for “Delivering your orders”: Name, Address.")
            .And.Contain("Our service read a value of yours from the vault for “Delivering your orders”.");
        history.Should().NotContain("4711").And.NotContain("door-code", "a token's value and the host's scope name stay out of the page");
        var german = WebUtility.HtmlDecode(await browser.GetStringAsync("privacy/portal/history?culture=de"));
        german.Should().Contain("Unser Service hat Ihre Daten für „Delivering your orders“ verwendet: Name, Adresse.", "the fields are named in the reader's language, the purpose in the host's words");
        history.Should().NotContain("Leeds", "the history names fields, never their values");

        await host.Vault.EndPurposeAsync(PersonLookup.ByToken(person), "delivery");
        (await host.Vault.DeleteExpiredFieldsAsync()).Should().Be(3);
        var after = WebUtility.HtmlDecode(await browser.GetStringAsync("privacy/portal/history?culture=en"));
        after.Should().Contain("Our service stopped using your data for “Delivering your orders”.")
            .And.Contain("Our service deleted data that no purpose needed any longer: Name, Address.");
    }

    [Test]
    public void Mapping_WithABrandOutsideTheHostsOrigin_Fails()
    {
        using var app = UnmappedApp(services => services.Configure<DatabunkerPageOptions>(o => o.Brand.LogoPath = "https://cdn.example/logo.svg"));

        var act = () => app.MapDatabunkerPrivacyPortal(configure: o => o.ResolvePerson = _ => null);

        act.Should().Throw<InvalidOperationException>().WithMessage("*LogoPath*own origin*");
    }

    [Test]
    public async Task SignedIn_BadFormsAreRefused_AndChangeNothing()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _host = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "forms@example.com" }));
        using var browser = await SignInAsync(host, mailbox, person, "forms@example.com");
        var requests = host.App.Services.GetRequiredService<Databunker.Core.Requests.IPrivacyRequestManager>();
        var token = ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync("privacy/portal/consents")).DistinctBy(f => f.Key).ToList();

        (await browser.PostAsync("privacy/portal/consents", new FormUrlEncodedContent(token.Where(f => f.Key.StartsWith("__", StringComparison.Ordinal))
            .Append(new("activity", "no-such-activity")).Append(new("decision", "grant"))))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        foreach (var type in new[] { "Rectification", "ConsentWithdrawal", "Bogus", "" })
        {
            (await browser.PostAsync("privacy/portal/requests", new FormUrlEncodedContent(token.Where(f => f.Key.StartsWith("__", StringComparison.Ordinal)).Append(new("type", type)))))
                .StatusCode.Should().Be(HttpStatusCode.BadRequest, type);
        }

        (await browser.PostAsync("privacy/portal/sessions", new FormUrlEncodedContent(token.Where(f => f.Key.StartsWith("__", StringComparison.Ordinal)).Append(new("handle", "not-a-handle")))))
            .StatusCode.Should().Be(HttpStatusCode.SeeOther, "a malformed handle ends nothing");
        (await requests.ListForPersonAsync(person)).Should().BeEmpty();
        (await host.App.Services.GetRequiredService<Databunker.Core.Sessions.ISessionManager>().ListAsync(person)).Should().ContainSingle();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task DeleteMyAccount_IsARequest_OrImmediate_AsTheHostConfigures(bool immediately)
    {
        var (host, mailbox) = await PortalMailbox.StartAsync(deleteImmediately: immediately);
        await using var _host = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "leaving@example.com" }));
        using var browser = await SignInAsync(host, mailbox, person, "leaving@example.com");
        var form = ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync("privacy/portal/delete")).DistinctBy(f => f.Key);

        using var response = await browser.PostAsync("privacy/portal/delete", new FormUrlEncodedContent(form));

        var requests = await host.App.Services.GetRequiredService<Databunker.Core.Requests.IPrivacyRequestManager>().ListForPersonAsync(person);
        if (immediately)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().BeNull();
            (await browser.GetAsync("privacy/portal/")).StatusCode.Should().Be(HttpStatusCode.SeeOther, "the forgotten person's sessions are gone");
        }
        else
        {
            response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
            (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().NotBeNull();
            requests.Should().ContainSingle().Which.Type.Should().Be(Databunker.Core.Requests.PrivacyRequestType.Erasure);
        }
    }

    [Test]
    public async Task TheSignInRateLimitPolicy_LimitsCodeRequests()
    {
        await using var host = await LinkHost.StartAsync(
            configure: b =>
            {
                b.Services.AddSingleton<IPortalCodeSender>(new PortalMailbox());
                b.Services.AddRateLimiter(o =>
                {
                    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                    o.AddFixedWindowLimiter("signin", w =>
                    {
                        w.PermitLimit = 2;
                        w.Window = TimeSpan.FromHours(1);
                    });
                });
            },
            map: app =>
            {
                app.UseRateLimiter();
                app.MapDatabunkerPrivacyPortal(configure: o => o.SignInRateLimitPolicy = "signin");
            });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.GetAsync("privacy/portal/signin")).StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
        (await client.GetAsync("privacy/portal/")).StatusCode.Should().Be(HttpStatusCode.SeeOther, "only the sign-in is limited");
    }

    /// <summary>An app with the vault and antiforgery, built but with nothing mapped: for the portal's checks at mapping.</summary>
    private static WebApplication UnmappedApp(Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAntiforgery();
        services?.Invoke(builder.Services);
        builder.Services.AddDatabunker().UseSqlite("Data Source=:memory:");
        return builder.Build();
    }

    /// <summary>The host's own sign-in: the person named by the test's header (<see cref="HeaderAuthentication"/>).</summary>
    private static void HeaderSignIn(WebApplicationBuilder builder, Action<Microsoft.AspNetCore.Authorization.AuthorizationOptions>? authorization = null)
    {
        builder.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(authorization ?? (_ => { }));
    }

    private static async Task<HttpClient> SignInAsync(LinkHost host, PortalMailbox mailbox, Guid person, string email)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = host.Address };
        var signIn = await browser.GetStringAsync("privacy/portal/signin");
        var codePage = await (await browser.PostAsync("privacy/portal/signin", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(signIn).Append(new("email", email)))))
            .Content.ReadAsStringAsync();
        (await browser.PostAsync("privacy/portal/signin/code", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(codePage).Append(new("code", (await mailbox.CodeAsync(person)))))))
            .StatusCode.Should().Be(HttpStatusCode.SeeOther);
        return browser;
    }
}
