using System.Net;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The portal's code sign-in under attack: timing, floods and concurrent guessing.</summary>
public sealed class PrivacyPortalSignInTests
{
    [Test]
    public async Task ACodeRequest_AnswersBeforeTheMailIsSent_ForAKnownAddressAsForAnUnknownOne()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "known@example.com" }));
        mailbox.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // With the sender blocked until the test releases it, both requests must still complete.
        var known = await AskForCodeAsync(host, "known@example.com").WaitAsync(TimeSpan.FromSeconds(30));
        var unknown = await AskForCodeAsync(host, "nobody@example.com").WaitAsync(TimeSpan.FromSeconds(30));

        known.Should().Be(HttpStatusCode.OK, "the request does not wait for the mail");
        unknown.Should().Be(HttpStatusCode.OK);
        mailbox.Codes.Should().BeEmpty("the sender has not been released yet");
        mailbox.Gate.SetResult();
        (await mailbox.CodeAsync(person)).Should().MatchRegex("^[0-9]{8}$", "the mail still goes out afterwards");
        mailbox.Codes.Should().ContainSingle("no code goes to an address without an account");
    }

    [Test]
    public async Task QueuedCodes_AreSentBeforeTheHostStops()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var people = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            people.Add(await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = $"drain{i}@example.com" })));
        }

        mailbox.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 3; i++)
        {
            (await AskForCodeAsync(host, $"drain{i}@example.com")).Should().Be(HttpStatusCode.OK);
        }

        // The sender is released only when the host has stopped (its server takes no more requests): the codes still queued
        // then must go out before StopAsync returns.
        host.App.Lifetime.ApplicationStopped.Register(() => mailbox.Gate.SetResult());
        await Task.Run(() => host.App.StopAsync()).WaitAsync(TimeSpan.FromSeconds(30));

        mailbox.Codes.Keys.Should().BeEquivalentTo(people, "every queued code went out before the host stopped");
    }

    [Test]
    public async Task CodeRequests_AreLimitedPerAddress_PerClient_AndOverall_ByDefault()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "flooded@example.com" }));

        var forOneAddress = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            forOneAddress.Add(await AskForCodeAsync(host, "flooded@example.com"));
        }

        var forUnknown = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            forUnknown.Add(await AskForCodeAsync(host, "unknown.flood@example.com"));
        }

        forOneAddress.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
        forUnknown.Should().Equal(forOneAddress, "an address without an account is limited the same way, so a refusal tells nothing");
        var fromOneClient = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            fromOneClient.Add(await AskForCodeAsync(host, $"other{i}@example.com"));
        }

        fromOneClient.Should().Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            "one client may ask for 10 codes in a window, 6 of which it asked for above");
        host.Scalar("SELECT COUNT(*) FROM sessions").Should().Be(10, "a refused request creates no session");
        await mailbox.CodeAsync(person);
        mailbox.Codes.Should().ContainSingle();

        host.Time.Advance(TimeSpan.FromMinutes(15));
        (await AskForCodeAsync(host, "flooded@example.com")).Should().Be(HttpStatusCode.OK, "a new window starts the counts again");
    }

    [Test]
    public async Task SpellingsOfOneMailbox_ShareTheirLimit()
    {
        var (host, _) = await PortalMailbox.StartAsync();
        await using var _host = host;

        var statuses = new List<HttpStatusCode>();
        foreach (var spelling in new[] { "victim@example.com", " VICTIM@example.com", "victim@\uFF45xample.com", "victim@example\u3002com" })
        {
            statuses.Add(await AskForCodeAsync(host, spelling));
        }

        statuses.Should().Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            "upper case, a full-width letter and an ideographic full stop spell the same mailbox");
    }

    [Test]
    public async Task CodeRequests_OverTheOverallLimit_AreRefused_SoAnonymousSessionsAreCapped()
    {
        var (host, _) = await PortalMailbox.StartAsync(portal: o =>
        {
            o.CodeRequestLimits.PerClient = 0;
            o.CodeRequestLimits.Overall = 4;
        });
        await using var _host = host;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add(await AskForCodeAsync(host, $"cap{i}@example.com"));
        }

        statuses.Count(s => s == HttpStatusCode.OK).Should().Be(4);
        host.Scalar("SELECT COUNT(*) FROM sessions").Should().Be(4);
    }

    [Test]
    public async Task ConcurrentWrongCodes_AreAllCounted_AndNoneFails()
    {
        var (host, mailbox) = await PortalMailbox.StartAsync();
        await using var _ = host;
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "raced@example.com" }));
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();
        var signin = new Uri(host.Address, "/privacy/portal/signin");
        var codePage = await (await browser.PostAsync(signin, new FormUrlEncodedContent(
            ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync(signin)).Append(new("email", "raced@example.com"))))).Content.ReadAsStringAsync();
        var code = await mailbox.CodeAsync(person);
        var wrong = code == "00000000" ? "00000001" : "00000000";
        var form = ExpirationLinkEndpointTests.Fields(codePage).Append(new("code", wrong)).ToList();
        var verify = new Uri(host.Address, "/privacy/portal/signin/code");

        var guesses = await Task.WhenAll(Enumerable.Range(0, 24).Select(async _ =>
        {
            using var response = await browser.PostAsync(verify, new FormUrlEncodedContent(form));
            return response.StatusCode;
        }));

        guesses.Should().AllSatisfy(s => s.Should().Be(HttpStatusCode.BadRequest, "a lost race is counted again, not a server error"));
        using var right = await browser.PostAsync(verify, new FormUrlEncodedContent(ExpirationLinkEndpointTests.Fields(codePage).Append(new("code", code))));
        right.StatusCode.Should().Be(HttpStatusCode.BadRequest, "24 wrong guesses, however concurrent, spent the code");
    }

    /// <summary>A fresh browser asks for a code for <paramref name="email"/>; the status of the answer.</summary>
    private static async Task<HttpStatusCode> AskForCodeAsync(LinkHost host, string email)
    {
        using var browser = ExpirationLinkEndpointTests.NewBrowserClient();
        var signin = new Uri(host.Address, "/privacy/portal/signin");
        var form = ExpirationLinkEndpointTests.Fields(await browser.GetStringAsync(signin));
        using var response = await browser.PostAsync(signin, new FormUrlEncodedContent(form.Append(new("email", email))));
        return response.StatusCode;
    }
}
