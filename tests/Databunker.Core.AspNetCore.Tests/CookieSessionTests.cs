using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>Cookie authentication with its tickets in the vault: the cookie holds a session id, the vault the claims.</summary>
public sealed class CookieSessionTests
{
    [Test]
    public async Task ASignIn_KeepsItsTicketInTheVault_ListedForThePerson_AndEndingItSignsTheBrowserOut()
    {
        await using var host = await StartAsync();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "cookie@example.com" }));
        using var phone = ExpirationLinkEndpointTests.NewBrowserClient();
        using var laptop = ExpirationLinkEndpointTests.NewBrowserClient();
        var sessions = host.App.Services.GetRequiredService<ISessionManager>();

        (await phone.PostAsync(new Uri(host.Address, $"/signin/{person}"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await laptop.PostAsync(new Uri(host.Address, $"/signin/{person}"), null)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await phone.GetStringAsync(new Uri(host.Address, "/me"))).Should().Be("Claire Cookie <claire.cookie@example.com>");
        (await sessions.ListAsync(person)).Should().HaveCount(2, "each browser's ticket is a session of the person");
        host.Holds("claire.cookie@example.com").Should().BeFalse("the ticket's claims are sealed in the vault");

        var signedOut = await sessions.EndAllAsync(person);
        signedOut.Should().Be(2);
        (await phone.GetAsync(new Uri(host.Address, "/me"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "an ended session signs the browser out");
        (await laptop.GetAsync(new Uri(host.Address, "/me"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task ForgettingThePerson_OrTheSessionExpiring_SignsTheBrowserOut()
    {
        await using var host = await StartAsync();
        var sessions = host.App.Services.GetRequiredService<ISessionManager>();
        var forgotten = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "forget.cookie@example.com" }));
        var idle = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "idle.cookie@example.com" }));
        using var first = ExpirationLinkEndpointTests.NewBrowserClient();
        using var second = ExpirationLinkEndpointTests.NewBrowserClient();
        await first.PostAsync(new Uri(host.Address, $"/signin/{forgotten}"), null);
        await second.PostAsync(new Uri(host.Address, $"/signin/{idle}"), null);

        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(forgotten));
        (await first.GetAsync(new Uri(host.Address, "/me"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await second.GetAsync(new Uri(host.Address, "/me"))).StatusCode.Should().Be(HttpStatusCode.OK);

        host.Time.Advance(TimeSpan.FromMinutes(21));
        (await host.App.Services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync())["sessions"].Should().Be(1);
        (await sessions.ListAsync(idle)).Should().BeEmpty();
        (await second.GetAsync(new Uri(host.Address, "/me"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task ATicketWithoutThePersonClaim_IsAnAnonymousSession_AndSigningOutEndsIt()
    {
        await using var host = await StartAsync();
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();

        (await browser.PostAsync(new Uri(host.Address, "/signin/guest"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetStringAsync(new Uri(host.Address, "/me"))).Should().StartWith("Claire Cookie");
        (await browser.PostAsync(new Uri(host.Address, "/signout"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetAsync(new Uri(host.Address, "/me"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        host.Scalar("SELECT COUNT(*) FROM sessions").Should().Be(0, "signing out ended the session");
    }

    [Test]
    public async Task SigningIn_OverACookiePlantedByAnotherPerson_IssuesANewSession_AndTheOldCookieIsSignedOut()
    {
        await using var host = await StartAsync();
        var sessions = host.App.Services.GetRequiredService<ISessionManager>();
        var attacker = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "attacker@example.com" }));
        var victim = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "victim@example.com" }));
        var (attackerBrowser, attackerCookies) = NewBrowser();
        using var _ = attackerBrowser;
        await attackerBrowser.PostAsync(new Uri(host.Address, $"/signin/{attacker}"), null);

        // The attacker plants their cookie in the shared browser and keeps a copy; the victim signs in over it.
        var (sharedBrowser, sharedCookies) = NewBrowser();
        using var __ = sharedBrowser;
        sharedCookies.Add(host.Address, attackerCookies.GetCookies(host.Address));
        (await sharedBrowser.PostAsync(new Uri(host.Address, $"/signin/{victim}"), null)).StatusCode.Should().Be(HttpStatusCode.OK);

        sharedCookies.GetCookies(host.Address)[".AspNetCore.Cookies"]!.Value
            .Should().NotBe(attackerCookies.GetCookies(host.Address)[".AspNetCore.Cookies"]!.Value, "the victim gets a cookie of their own");
        (await attackerBrowser.GetAsync(new Uri(host.Address, "/who"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the planted session ended when someone else signed in over it");
        (await sharedBrowser.GetStringAsync(new Uri(host.Address, "/who"))).Should().Be(victim.ToString());
        (await sessions.ListAsync(victim)).Should().ContainSingle("the victim's session is listed under the victim");
        (await sessions.ListAsync(attacker)).Should().BeEmpty();

        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(victim));
        (await sharedBrowser.GetAsync(new Uri(host.Address, "/who"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "forgetting the victim ends their session");
    }

    [Test]
    public async Task SigningIn_OverAnAnonymousCookie_IssuesANewSession_AndTheAnonymousOneEnds()
    {
        await using var host = await StartAsync();
        var sessions = host.App.Services.GetRequiredService<ISessionManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "anonymous.first@example.com" }));
        var (planter, plantedCookies) = NewBrowser();
        using var _ = planter;
        await planter.PostAsync(new Uri(host.Address, "/signin/guest"), null);
        var (browser, cookies) = NewBrowser();
        using var __ = browser;
        cookies.Add(host.Address, plantedCookies.GetCookies(host.Address));

        await browser.PostAsync(new Uri(host.Address, $"/signin/{person}"), null);

        (await planter.GetAsync(new Uri(host.Address, "/who"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await browser.GetStringAsync(new Uri(host.Address, "/who"))).Should().Be(person.ToString());
        (await sessions.ListAsync(person)).Should().ContainSingle();
        host.Scalar("SELECT COUNT(*) FROM sessions").Should().Be(1, "the anonymous session was ended, not kept beside the new one");
    }

    [Test]
    public async Task SigningInAgain_AsTheSamePerson_GetsANewSession_AndTheOldCookieIsSignedOut()
    {
        await using var host = await StartAsync();
        var sessions = host.App.Services.GetRequiredService<ISessionManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "twice@example.com" }));
        var (browser, cookies) = NewBrowser();
        using var _ = browser;
        await browser.PostAsync(new Uri(host.Address, $"/signin/{person}"), null);
        var first = (await sessions.ListAsync(person)).Single().Handle;
        var (copy, copied) = NewBrowser();
        using var __ = copy;
        copied.Add(host.Address, cookies.GetCookies(host.Address));

        await browser.PostAsync(new Uri(host.Address, $"/signin/{person}"), null);

        (await sessions.ListAsync(person)).Should().ContainSingle().Which.Handle.Should().NotBe(first, "every sign-in gets a new session id");
        (await browser.GetStringAsync(new Uri(host.Address, "/who"))).Should().Be(person.ToString());
        (await copy.GetAsync(new Uri(host.Address, "/who"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a copy of the cookie from before the sign-in is worthless");
    }

    [Test]
    public async Task SigningIn_OverACookieOfAHostUserWhoIsNoVaultPerson_IssuesANewSession()
    {
        await using var host = await StartAsync();
        var (attackerBrowser, attackerCookies) = NewBrowser();
        using var _ = attackerBrowser;
        await attackerBrowser.PostAsync(new Uri(host.Address, "/signin/mallory"), null);
        var (sharedBrowser, sharedCookies) = NewBrowser();
        using var __ = sharedBrowser;
        sharedCookies.Add(host.Address, attackerCookies.GetCookies(host.Address));

        await sharedBrowser.PostAsync(new Uri(host.Address, "/signin/alice"), null);

        (await sharedBrowser.GetStringAsync(new Uri(host.Address, "/who"))).Should().Be("alice");
        (await attackerBrowser.GetAsync(new Uri(host.Address, "/who"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized,
            "a host whose user ids are not vault tokens (names, numbers, staff) is protected as well");
    }

    [Test]
    public async Task ASlidingRefresh_KeepsTheSessionId_SoConcurrentRequestsStaySignedIn()
    {
        await using var host = await StartAsync(cookieLifetime: TimeSpan.FromMinutes(15));
        var sessions = host.App.Services.GetRequiredService<ISessionManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "sliding@example.com" }));
        var (browser, cookies) = NewBrowser();
        using var _ = browser;
        await browser.PostAsync(new Uri(host.Address, $"/signin/{person}"), null);
        var handle = (await sessions.ListAsync(person)).Single().Handle;
        var (copy, copied) = NewBrowser();
        using var __ = copy;
        copied.Add(host.Address, cookies.GetCookies(host.Address));

        // Past half of the cookie's 15 minutes the cookie is renewed on the next request; the session idles for 20.
        host.Time.Advance(TimeSpan.FromMinutes(9));
        using var refreshed = await browser.GetAsync(new Uri(host.Address, "/who"));

        refreshed.Headers.Contains("Set-Cookie").Should().BeTrue("the sliding expiration renewed the cookie");
        (await sessions.ListAsync(person)).Should().ContainSingle().Which.Handle.Should().Be(handle);
        (await copy.GetStringAsync(new Uri(host.Address, "/who"))).Should().Be(person.ToString(), "another request with the cookie from before the refresh still works");
    }

    [Test]
    public async Task AMinimalApiHandler_ThatTakesTheSessionVault_Answers()
    {
        await using var host = await LinkHost.StartAsync(map: app => app.MapGet("/sessions/count", (ISessionManager sessions) => sessions is not null ? "ok" : "none"));
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();

        using var response = await browser.GetAsync(new Uri(host.Address, "/sessions/count"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the vault has no member that minimal APIs take for their BindAsync hook");
        (await response.Content.ReadAsStringAsync()).Should().Be("ok");
    }

    private static (HttpClient Client, CookieContainer Cookies) NewBrowser()
    {
        var cookies = new CookieContainer();
        return (new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }), cookies);
    }

    private static async Task<LinkHost> StartAsync(TimeSpan? cookieLifetime = null) => await LinkHost.StartAsync(
        configure: b =>
        {
            b.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
            {
                o.ExpireTimeSpan = cookieLifetime ?? o.ExpireTimeSpan;
                o.Events.OnRedirectToLogin = c =>
                {
                    c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
            });
            b.Services.AddAuthorization();
            b.Services.AddDatabunkerCookieSessions();
        },
        map: app =>
        {
            app.MapPost("/signin/{who}", async (HttpContext context, string who) =>
            {
                var claims = new List<Claim> { new(ClaimTypes.Name, "Claire Cookie"), new(ClaimTypes.Email, "claire.cookie@example.com") };
                // A vault person's token, a host user who is no vault person (a name), or an anonymous guest.
                if (who != "guest")
                {
                    claims.Add(new Claim(ClaimTypes.NameIdentifier, who));
                }

                await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
                return Results.Ok();
            });
            app.MapPost("/signout", async (HttpContext context) =>
            {
                await context.SignOutAsync();
                return Results.Ok();
            });
            app.MapGet("/who", (ClaimsPrincipal user) => user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "anonymous").RequireAuthorization();
            app.MapGet("/me", (ClaimsPrincipal user) => $"{user.Identity!.Name} <{user.FindFirst(ClaimTypes.Email)!.Value}>").RequireAuthorization();
        });
}
