using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Consent;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// The web package's part of the leakage suite: after a person signs up for an expiration, opens and uses a link, signs
/// in to the portal with a code and visits every page, no response header carries personal data, no address in a
/// page or redirect carries a token, a code, a session id or personal data, and no log line carries any of them.
/// </summary>
public sealed partial class WebLeakageTests
{
    [Test]
    public async Task PagesHeadersAddressesAndLogs_CarryNoTokenAndNoPersonalData()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var recorder = new RecordingHandler();
        using var browser = new HttpClient(recorder) { BaseAddress = host.Address };
        string[] personal = ["leak.person-qz@example.com", "Secretname-qz", "Secretstreet-qz"];
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = personal[0], name = personal[1], street = personal[2] }));
        await host.App.Services.GetRequiredService<IConsentLedger>().RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        var ticket = await host.Expirations.StartAsync(PersonLookup.ByToken(person), Databunker.Core.ExpirationTime.FromDelay(TimeSpan.FromDays(30)));

        // The mail's links: opened (as a scanner would, and as the person does), then used.
        await browser.GetAsync(ticket.DeleteUrl!.AbsolutePath);
        var retainPage = await (await browser.GetAsync(ticket.RetainUrl!.AbsolutePath)).Content.ReadAsStringAsync();
        await browser.PostAsync(ExpirationLinkEndpointTests.FormAction(retainPage), new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(retainPage)));

        // The portal: sign in with the mailed code, then every page, a consent withdrawn and a request sent.
        var signIn = await browser.GetStringAsync("privacy/portal/signin");
        var codePage = await (await browser.PostAsync("privacy/portal/signin", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(signIn).Append(new("email", personal[0])))))
            .Content.ReadAsStringAsync();
        var code = (await mailbox.CodeAsync(person));
        var signedIn = await browser.PostAsync("privacy/portal/signin/code", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(codePage).Append(new("code", code))));
        signedIn.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        foreach (var page in new[] { "privacy/portal/", "privacy/portal/consents", "privacy/portal/requests", "privacy/portal/sessions", "privacy/portal/history", "privacy/portal/delete", "privacy/portal/export" })
        {
            (await browser.GetAsync(page)).StatusCode.Should().Be(HttpStatusCode.OK, page);
        }

        var consents = await browser.GetStringAsync("privacy/portal/consents");
        await browser.PostAsync("privacy/portal/consents", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(consents).DistinctBy(f => f.Key)));
        var requests = await browser.GetStringAsync("privacy/portal/requests");
        await browser.PostAsync("privacy/portal/requests", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(requests).DistinctBy(f => f.Key).Append(new("type", "Access"))));
        (await host.App.Services.GetRequiredService<IConsentLedger>().IsAllowedAsync(person, "newsletter")).Should().BeFalse("the walk did withdraw");
        (await host.App.Services.GetRequiredService<Databunker.Core.Requests.IPrivacyRequestManager>().ListForPersonAsync(person)).Should().ContainSingle("the walk sent a request");

        var sessionIds = recorder.Responses.SelectMany(r => r.SetCookies).Where(c => c.StartsWith(PrivacyPortal.CookieName + "=", StringComparison.Ordinal))
            .Select(c => c[(PrivacyPortal.CookieName.Length + 1)..c.IndexOf(';', StringComparison.Ordinal)]).Where(v => v.Length > 0).ToList();
        sessionIds.Should().HaveCountGreaterThanOrEqualTo(2, "the pending and the signed-in session");
        string[] secrets = [ticket.RetainToken, ticket.DeleteToken, code, .. sessionIds];

        recorder.Responses.Should().HaveCountGreaterThan(12);
        foreach (var response in recorder.Responses)
        {
            foreach (var value in personal)
            {
                response.Headers.Should().NotContain(h => h.Contains(value, StringComparison.OrdinalIgnoreCase), $"no header of {response.Path} carries personal data");
            }

            foreach (var address in Addresses(response.Body).Append(response.Location ?? string.Empty))
            {
                foreach (var value in secrets.Concat(personal))
                {
                    address.Contains(value, StringComparison.OrdinalIgnoreCase).Should().BeFalse($"an address in {response.Path} carries no token, code, session id or personal data");
                }
            }
        }

        var logs = string.Join("\n", host.Logs.Lines);
        host.Logs.Lines.Should().NotBeEmpty();
        foreach (var value in secrets.Concat(personal))
        {
            logs.Contains(value, StringComparison.OrdinalIgnoreCase).Should().BeFalse("no log line carries a token, code, session id or personal data");
        }
    }

    private static IEnumerable<string> Addresses(string html) => AddressPattern().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value));

    [GeneratedRegex("(?:href|action|src)=\"([^\"]*)\"")]
    private static partial Regex AddressPattern();

    /// <summary>A browser's cookie jar that also keeps every response's headers, redirect and body.</summary>
    private sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
    {
        public List<(string Path, List<string> Headers, List<string> SetCookies, string? Location, string Body)> Responses { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Set-Cookie").SelectMany(h => h.Value.Select(v => $"{h.Key}: {v}")).ToList();
            var cookies = response.Headers.TryGetValues("Set-Cookie", out var set) ? set.ToList() : [];
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Responses.Add((request.RequestUri!.AbsolutePath, headers.Concat(cookies.Select(c => "Set-Cookie: " + c)).ToList(), cookies, response.Headers.Location?.ToString(), body));
            return response;
        }
    }
}
