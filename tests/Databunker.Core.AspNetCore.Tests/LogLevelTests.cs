using System.Net;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>Log levels as documented: quiet when nothing happens, no warnings from a normal visit.</summary>
public sealed class LogLevelTests
{
    [Test]
    public async Task ADueWorkPass_ThatFindsNothing_LogsNothingAboveDebug()
    {
        await using var host = await LinkHost.StartAsync();
        var before = host.Logs.Lines.Count;

        await host.App.Services.GetRequiredService<IVaultAdministration>().RunDueWorkAsync();

        host.Logs.Lines.Skip(before).Should().NotContain(l => l.StartsWith("Information", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal),
            "a pass with nothing to do is a Debug event");
    }

    [Test]
    public async Task VisitingEveryPortalPage_LogsNoWarning()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "quiet@example.com" }));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = host.Address };
        var codePage = await (await browser.PostAsync("privacy/portal/signin", new FormUrlEncodedContent(
            ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync("privacy/portal/signin")).Append(new("email", "quiet@example.com"))))).Content.ReadAsStringAsync();
        (await browser.PostAsync("privacy/portal/signin/code", new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(codePage).Append(new("code", await mailbox.CodeAsync(person))))))
            .StatusCode.Should().Be(HttpStatusCode.SeeOther);

        foreach (var page in new[] { "", "consents", "requests", "sessions", "history", "delete" })
        {
            (await browser.GetAsync("privacy/portal/" + page)).StatusCode.Should().Be(HttpStatusCode.OK, page);
        }

        host.Logs.Lines.Should().NotContain(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal));
    }
}
