using System.Net;
using System.Text.RegularExpressions;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Expiration;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The link endpoints over HTTP on a loopback port: what a scanner, a browser and an attacker get.</summary>
public sealed partial class ExpirationLinkEndpointTests
{
    [Test]
    public async Task AGet_ShowsTheConfirmationPage_WithTheSafeHeaders_AndChangesNothing()
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync("scanned@example.com");
        ticket.RetainUrl!.AbsolutePath.Should().StartWith("/privacy/retain/", "the links point at the mapped routes");

        // A mail scanner: a plain client without cookies, fetching both links, twice.
        using var scanner = new HttpClient();
        foreach (var link in new[] { ticket.RetainUrl!, ticket.DeleteUrl!, ticket.RetainUrl!, ticket.DeleteUrl! })
        {
            using var response = await scanner.GetAsync(host.Local(link));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            AssertSafeHeaders(response);
            var html = await response.Content.ReadAsStringAsync();
            html.Should().Contain("<form method=\"post\"").And.Contain("26 December 2026");
            html.Should().NotContain("scanned@example.com", "the page names no one");
        }

        (await host.Expirations.GetStatusAsync(PersonLookup.ByToken(ticket.PersonToken)))!.State.Should().Be(ExpirationState.Waiting, "a GET changes nothing");
        (await host.Vault.GetAuditEventsAsync(ticket.PersonToken)).Should().NotContain(e => e.Operation.StartsWith("expiration.retain", StringComparison.Ordinal));
    }

    [TestCase("retain")]
    [TestCase("delete")]
    public async Task ThePagesForm_PostsTheTokenInItsBody_AndDoesIt(string action)
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync($"{action}@example.com");
        using var browser = NewBrowserClient();
        var link = host.Local(action == "retain" ? ticket.RetainUrl! : ticket.DeleteUrl!);

        var page = await (await browser.GetAsync(link)).Content.ReadAsStringAsync();
        var form = Fields(page);
        FormAction(page).Should().Be($"/privacy/{action}", "the POST leaves the token out of the address");
        using var posted = await browser.PostAsync(new Uri(host.Address, FormAction(page)), new FormUrlEncodedContent(form));

        posted.StatusCode.Should().Be(HttpStatusCode.OK);
        AssertSafeHeaders(posted);
        var status = await host.Expirations.GetStatusAsync(PersonLookup.ByToken(ticket.PersonToken));
        if (action == "retain")
        {
            status!.State.Should().Be(ExpirationState.Retained);
            (await posted.Content.ReadAsStringAsync()).Should().Contain("Your data is kept");
        }
        else
        {
            (await host.Vault.GetPersonAsync(PersonLookup.ByToken(ticket.PersonToken))).Should().BeNull("the person was forgotten");
            (await posted.Content.ReadAsStringAsync()).Should().Contain("Your data is deleted");
        }

        using var again = await browser.PostAsync(new Uri(host.Address, FormAction(page)), new FormUrlEncodedContent(form));
        again.StatusCode.Should().Be(HttpStatusCode.NotFound, "a used link gets the neutral page");
        (await again.Content.ReadAsStringAsync()).Should().Contain("This link does not work");
    }

    [Test]
    public async Task APostWithoutTheAntiforgeryToken_OrFromAnotherBrowser_IsRefused_AndChangesNothing()
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync("forged@example.com");
        using var browser = NewBrowserClient();
        var page = await (await browser.GetAsync(host.Local(ticket.DeleteUrl!))).Content.ReadAsStringAsync();
        var fields = Fields(page);
        var post = new Uri(host.Address, "/privacy/delete");

        using var noToken = await browser.PostAsync(post, new FormUrlEncodedContent(fields.Where(f => f.Key == "token")));
        using var otherBrowser = NewBrowserClient();
        using var crossSite = await otherBrowser.PostAsync(post, new FormUrlEncodedContent(fields));
        using var json = await browser.PostAsync(post, new StringContent("{\"token\":\"" + ticket.DeleteToken + "\"}", System.Text.Encoding.UTF8, "application/json"));
        using var oversize = await browser.PostAsync(post, new FormUrlEncodedContent(fields.Append(new("pad", new string('x', 10_000)))));

        noToken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        crossSite.StatusCode.Should().Be(HttpStatusCode.BadRequest, "the antiforgery cookie belongs to the browser that opened the page");
        json.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        oversize.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        AssertSafeHeaders(noToken);
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(ticket.PersonToken))).Should().NotBeNull("nothing was deleted");
    }

    [TestCase("/privacy/retain/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("/privacy/delete/not-a-token")]
    [TestCase("/privacy/retain/%3Cscript%3Ealert(1)%3C%2Fscript%3E")]
    public async Task UnknownOrMalformedTokens_GetOneNeutralPage(string path)
    {
        await using var host = await LinkHost.StartAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri(host.Address, path));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        AssertSafeHeaders(response);
        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("This link does not work").And.NotContain("<script>").And.NotContain("<form");
    }

    [Test]
    public async Task TheRetainToken_DoesNotOpenTheDeletePage_AndNoTokenReachesALogLine()
    {
        await using var host = await LinkHost.StartAsync();
        var ticket = await host.StartExpirationAsync("swapped@example.com");
        using var browser = NewBrowserClient();

        using var swapped = await browser.GetAsync(new Uri(host.Address, "/privacy/delete/" + ticket.RetainToken));
        var page = await (await browser.GetAsync(host.Local(ticket.RetainUrl!))).Content.ReadAsStringAsync();
        var fields = Fields(page).Select(f => f.Key == "token" ? new KeyValuePair<string, string>("token", ticket.RetainToken) : f).ToList();
        using var wrongRoute = await browser.PostAsync(new Uri(host.Address, "/privacy/delete"), new FormUrlEncodedContent(fields));
        using var longToken = await browser.GetAsync(new Uri(host.Address, "/privacy/retain/" + new string('A', 5000)));

        swapped.StatusCode.Should().Be(HttpStatusCode.NotFound);
        wrongRoute.StatusCode.Should().Be(HttpStatusCode.NotFound, "the keep token never deletes");
        longToken.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(ticket.PersonToken))).Should().NotBeNull();
        host.Logs.Lines.Should().NotBeEmpty();
        host.Logs.Lines.Should().NotContain(l => l.Contains(ticket.RetainToken, StringComparison.Ordinal) || l.Contains(ticket.DeleteToken, StringComparison.Ordinal));
    }

    [Test]
    public void Mapping_WithoutALinkBaseAddress_OrAntiforgery_Fails_AtStart()
    {
        var noBase = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        noBase.Services.AddAntiforgery();
        noBase.Services.AddDatabunker().UseSqlite("Data Source=:memory:");
        using var first = noBase.Build();
        FluentActions.Invoking(() => first.MapDatabunkerExpirationLinks()).Should().Throw<InvalidOperationException>().WithMessage("*LinkBaseAddress*");

        var noAntiforgery = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        noAntiforgery.Services.AddDatabunker(o => o.Expiration.LinkBaseAddress = LinkHost.PublicBase).UseSqlite("Data Source=:memory:");
        using var second = noAntiforgery.Build();
        FluentActions.Invoking(() => second.MapDatabunkerExpirationLinks()).Should().Throw<InvalidOperationException>().WithMessage("*AddAntiforgery*");
    }

    /// <summary>A client that keeps cookies, as a browser does.</summary>
    internal static HttpClient NewBrowserClient() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

    internal static void AssertSafeHeaders(HttpResponseMessage response)
    {
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        response.Headers.GetValues("X-Robots-Tag").Single().Should().Contain("noindex");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'");
        response.Headers.Location.Should().BeNull();
    }

    internal static string FormAction(string html) => WebUtility.HtmlDecode(ActionPattern().Match(html).Groups[1].Value);

    internal static List<KeyValuePair<string, string>> Fields(string html) =>
        [.. FieldPattern().Matches(html).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\"")]
    private static partial Regex ActionPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"")]
    private static partial Regex FieldPattern();
}
