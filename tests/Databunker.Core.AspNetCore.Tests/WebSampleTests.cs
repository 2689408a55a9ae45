using System.Net;
using Databunker.Core.AspNetCore.Tests.Support;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The web sample as a person runs it: bad input gets the form back with a message, and its pages are as safe as the package's.</summary>
public sealed class WebSampleTests
{
    private static SampleShop _shop = null!;

    [OneTimeSetUp]
    public static async Task StartAsync() => _shop = await SampleShop.StartAsync();

    [OneTimeTearDown]
    public static void Stop() => _shop?.Dispose();

    [TestCase("not-an-email", "That is not an email address")]
    [TestCase("nobody@example.com", "We know no account")]
    public async Task SigningIn_WithABadOrUnknownEmail_ShowsTheFormAgain_WithTheError(string email, string message)
    {
        using var browser = Browser();

        using var response = await PostFormAsync(browser, "signin", ("email", email));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var page = await response.Content.ReadAsStringAsync();
        page.Should().Contain(message).And.Contain("<form method=\"post\" action=\"/signin\"");
    }

    [Test]
    public async Task SigningUp_WithAnEmailThatHasAnAccount_ShowsTheFormAgain_WithTheError()
    {
        using var first = Browser();
        using var second = Browser();
        var email = $"twice.{Guid.NewGuid():N}@example.com";

        (await PostFormAsync(first, "signup", ("email", email), ("name", "First"))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        using var again = await PostFormAsync(second, "signup", ("email", email), ("name", "Second"));
        using var malformed = await PostFormAsync(second, "signup", ("email", "not an email"), ("name", "Third"));

        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).Should().Contain("exists already").And.Contain("action=\"/signup\"");
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task TheSamplesPages_SendThePackagesSecurityHeaders_AndSayTheSignInIsADemonstration()
    {
        using var browser = Browser();

        foreach (var path in new[] { "/", "/signin" })
        {
            using var response = await browser.GetAsync(new Uri(_shop.Address, path));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            foreach (var (name, value) in PackageHeaders())
            {
                // HttpClient re-orders Cache-Control's directives: compared as sets.
                Directives(Header(response, name)).Should().BeEquivalentTo(Directives(value), $"{path} sends {name} as the package's pages do");
            }

            (await response.Content.ReadAsStringAsync()).Should().Contain("A demonstration");
        }
    }

    [Test]
    public async Task TheVaultAndItsKey_OutliveARestart_AndTheHealthCheckSaysSo()
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "shops", Guid.NewGuid().ToString("N"));
        var email = $"again.{Guid.NewGuid():N}@example.com";
        using (var first = await SampleShop.StartAsync(folder))
        {
            using var browser = Browser();
            (await PostFormAsync(browser, first, "signup", ("email", email), ("name", "Returning"))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(folder, "master.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the key file is its owner's only");
        }

        using var second = await SampleShop.StartAsync(folder);
        using var again = Browser();
        using var signIn = await PostFormAsync(again, second, "signin", ("email", email));
        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect, "the person made in the first run is found with the same stored key");
        using var health = await again.GetAsync(new Uri(second.Address, "/health"));
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    /// <summary>The headers the package's own pages send, read from a response of the package.</summary>
    private static IEnumerable<(string Name, string Value)> PackageHeaders()
    {
        var package = new Microsoft.AspNetCore.Http.DefaultHttpContext().Response;
        SecurityHeaders.Apply(package);
        return package.Headers.Select(h => (h.Key, h.Value.ToString()));
    }

    private static string[] Directives(string header) => header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Header(HttpResponseMessage response, string name) =>
        string.Join(", ", response.Headers.TryGetValues(name, out var values) ? values : response.Content.Headers.TryGetValues(name, out var content) ? content : []);

    private static HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string action, params (string Name, string Value)[] fields) =>
        PostFormAsync(browser, _shop, action, fields);

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, SampleShop shop, string action, params (string Name, string Value)[] fields)
    {
        var page = await browser.GetStringAsync(new Uri(shop.Address, action == "signin" ? "/signin" : "/"));
        var form = ExpirationLinkEndpointTests.Fields(page).Where(f => f.Key.StartsWith("__", StringComparison.Ordinal))
            .Concat(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return await browser.PostAsync(new Uri(shop.Address, "/" + action), new FormUrlEncodedContent(form));
    }
}
