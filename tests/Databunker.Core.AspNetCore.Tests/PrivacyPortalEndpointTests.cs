using System.Net;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
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
        var person = await host.Vault.CreateUserAsync(JsonSerializer.SerializeToElement(new { email = "guess@example.com" }));
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();
        var signin = new Uri(host.Address, "/privacy/portal/signin");

        (await browser.PostAsync(signin, new FormUrlEncodedContent([new("email", "guess@example.com")]))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "no antiforgery token");
        mailbox.Codes.Should().BeEmpty();
        var form = ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync(signin));
        (await browser.PostAsync(signin, new FormUrlEncodedContent(form.Append(new("email", new string('e', 20_000)))))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var codePage = await (await browser.PostAsync(signin, new FormUrlEncodedContent(form.Append(new("email", "guess@example.com"))))).Content.ReadAsStringAsync();
        var code = mailbox.Codes[person];
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
            configure: b =>
            {
                b.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
                b.Services.AddAuthorization();
            },
            map: app => app.MapDatabunkerPrivacyPortal("/account/privacy", o => o.ResolvePerson = user => Guid.TryParse(user.Identity?.Name, out var p) ? p : null));
        person = await host.Vault.CreateUserAsync(JsonSerializer.SerializeToElement(new { email = "host.signin@example.com" }));
        using var anonymous = new HttpClient { BaseAddress = host.Address };
        using var signedIn = new HttpClient { BaseAddress = host.Address };
        signedIn.DefaultRequestHeaders.Add("X-Test-User", person.ToString());

        (await anonymous.GetAsync("account/privacy/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("account/privacy/signin")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the host signs people in");
        (await signedIn.GetStringAsync("account/privacy/")).Should().Contain("host.signin@example.com");
    }

    [Test]
    public void Mapping_WithoutASignInWay_OrAntiforgery_Fails_AtStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAntiforgery();
        builder.Services.AddDatabunker().UseSqlite("Data Source=:memory:");
        using var app = builder.Build();
        FluentActions.Invoking(() => app.MapDatabunkerPrivacyPortal()).Should().Throw<InvalidOperationException>().WithMessage("*IPortalCodeSender*");

        var noAntiforgery = WebApplication.CreateSlimBuilder();
        noAntiforgery.Services.AddDatabunker().UseSqlite("Data Source=:memory:");
        using var second = noAntiforgery.Build();
        FluentActions.Invoking(() => second.MapDatabunkerPrivacyPortal(configure: o => o.ResolvePerson = _ => null)).Should().Throw<InvalidOperationException>().WithMessage("*AddAntiforgery*");
    }
}
