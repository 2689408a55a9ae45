using System.Diagnostics;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Tests.Support;
using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>
/// ASP.NET Core Identity on the vault (issue 33) in a real browser: a user's whole life with the default Identity UI
/// and with <c>MapIdentityApi</c>, then <c>databunker scan</c> on the application's own database, which must find no
/// personal data: the users live in the vault.
/// </summary>
[Category(Chromium.Category)]
public sealed class IdentityJourneyTests : BrowserTest
{
    private const string Password = "Correct-Horse-9";

    [Test]
    public async Task DefaultUi_RegisterConfirmSignInPhoneChangeEmailTwoFactorDownloadDelete_AndTheAppDatabaseHoldsNoPersonalData()
    {
        await using var host = await IdentityHost.StartAsync(api: false);
        var visited = new List<string>();
        var page = Tracked(await NewPageAsync(), visited);

        // Register, and confirm the address from the mail.
        await page.GotoAsync(Url(host, "/Identity/Account/Register"));
        await page.Locator("#Input_Email").FillAsync("alice@shop.example");
        await page.Locator("#Input_Password").FillAsync(Password);
        await page.Locator("#Input_ConfirmPassword").FillAsync(Password);
        await page.Locator("#registerSubmit").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain("check your email");
        await page.GotoAsync(host.Mail.LastLinkTo("alice@shop.example"));
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Thank you for confirming your email");
        host.VaultHolds("alice@shop.example").Should().BeFalse("the address is sealed in the vault");

        // Sign in.
        await SignInAsync(page, host, "alice@shop.example");
        (await page.Locator("#Username").InputValueAsync()).Should().Be("alice@shop.example", "the profile page shows the user read from the vault");
        await page.Locator("#Input_PhoneNumber").FillAsync("+44 20 7946 0958");
        await page.Locator("#update-profile-button").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Your profile has been updated");
        (await host.Vault.GetPersonAsync(PersonLookup.ByPhone("+442079460958"))).Should().NotBeNull("the phone number is the person's, in the vault's phone index");
        await Chromium.ScreenshotAsync(page, "identity-ui-profile");

        // Change the email: a link to the new address confirms it.
        await page.GotoAsync(Url(host, "/Identity/Account/Manage/Email"));
        await page.Locator("#Input_NewEmail").FillAsync("alice@new.example");
        await page.Locator("#change-email-button").ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Confirmation link to change email sent");
        await page.GotoAsync(host.Mail.LastLinkTo("alice@new.example"));
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Thank you for confirming your email change");
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("alice@shop.example"))).Should().BeNull("the old address is gone from the vault's index");
        var alice = await host.Vault.GetPersonAsync(PersonLookup.ByEmail("alice@new.example"));
        alice.Should().NotBeNull();

        // Two-factor: the authenticator key the page shows gives the code that turns it on.
        await page.GotoAsync(Url(host, "/Identity/Account/Manage/EnableAuthenticator"));
        var key = (await page.Locator("kbd").First.InnerTextAsync()).Replace(" ", string.Empty, StringComparison.Ordinal);
        await page.Locator("#Input_Code").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        (await page.Locator("main").InnerTextAsync()).Should().Contain("Your authenticator app has been verified");
        (await page.Locator(".recovery-code, code").CountAsync()).Should().BeGreaterThan(0, "the recovery codes are shown once");
        await Chromium.ScreenshotAsync(page, "identity-ui-recovery-codes");

        // A new browser signs in with the new address, the password and a code.
        var other = Tracked(await NewPageAsync(), visited);
        await SignInAsync(other, host, "alice@new.example", expectTwoFactor: true);
        await other.Locator("#Input_TwoFactorCode").FillAsync(Totp.Code(key));
        await other.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        (await other.Locator("#Username").InputValueAsync()).Should().Be("alice@new.example");

        // Download the personal data: Identity's [PersonalData] members, read from the vault.
        await other.GotoAsync(Url(host, "/Identity/Account/Manage/PersonalData"));
        var download = await other.RunAndWaitForDownloadAsync(() => other.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        var json = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
        json.GetProperty("Email").GetString().Should().Be("alice@new.example");
        json.GetProperty("Id").GetString().Should().Be(alice!.Token.ToString(), "the user's id is the person's token");
        json.GetProperty("TwoFactorEnabled").GetString().Should().Be("True");
        json.GetProperty("Authenticator Key").GetString().Should().Be(key.ToUpperInvariant());

        // The application's own database, read by the scan: an account row per user, and no personal data.
        host.Accounts().Should().Be(1, "the application keeps its own row for the user, keyed by the token");
        var (exit, output) = await ScanAsync(host.AppDatabase);
        exit.Should().Be(0, $"the scan finds no personal data in the application's database:\n{output}");
        var (vaultExit, vaultOutput) = await ScanAsync(host.VaultDatabase);
        vaultExit.Should().Be(0, $"even the vault's own file holds the user only sealed:\n{vaultOutput}");

        // Delete the account: the person is forgotten.
        await other.GotoAsync(Url(host, "/Identity/Account/Manage/DeletePersonalData"));
        await other.Locator("#Input_Password").FillAsync(Password);
        await other.GetByRole(AriaRole.Button, new() { Name = "Delete data and close my account" }).ClickAsync();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(alice.Token))).Should().BeNull();
        var again = Tracked(await NewPageAsync(), visited);
        await again.GotoAsync(Url(host, "/Identity/Account/Login"));
        await again.Locator("#Input_Email").FillAsync("alice@new.example");
        await again.Locator("#Input_Password").FillAsync(Password);
        await again.Locator("#login-submit").ClickAsync();
        (await again.Locator("main").InnerTextAsync()).Should().Contain("Invalid login attempt");

        // The default UI itself puts an address in two of its URLs (the page after registering, and the link that
        // confirms a new address); the vault's store adds none, and neither the store nor Identity logs one.
        visited.Where(u => u.Contains("alice", StringComparison.OrdinalIgnoreCase)).Select(u => new Uri(u).AbsolutePath).Distinct()
            .Should().BeEquivalentTo(["/Identity/Account/RegisterConfirmation", "/Identity/Account/ConfirmEmailChange"]);
        host.Logs.Lines.Where(l => l.Contains(" Databunker.", StringComparison.Ordinal) || l.Contains(" Microsoft.AspNetCore.Identity", StringComparison.Ordinal))
            .Should().NotContain(l => l.Contains("alice", StringComparison.OrdinalIgnoreCase));
        host.Logs.Lines.Should().Contain(l => l.Contains(" Microsoft.AspNetCore.Identity", StringComparison.Ordinal), "Identity's own log lines were captured and read");
        Dialogs.Should().BeEmpty();
    }

    [Test]
    public async Task MapIdentityApi_RegisterConfirmSignInChangeEmailTwoFactor_FromTheBrowser()
    {
        await using var host = await IdentityHost.StartAsync(api: true);
        var page = await NewPageAsync();
        await page.GotoAsync(Url(host, "/"));

        (await FetchAsync(page, "POST", "/register", new { email = "bob@shop.example", password = Password })).Status.Should().Be(200);
        (await FetchAsync(page, "POST", "/login?useCookies=true", new { email = "bob@shop.example", password = Password })).Status.Should().Be(401, "the address is not confirmed yet");
        await page.GotoAsync(host.Mail.LastLinkTo("bob@shop.example"));
        (await page.Locator("body").InnerTextAsync()).Should().Contain("Thank you for confirming your email");

        await page.GotoAsync(Url(host, "/"));
        (await FetchAsync(page, "POST", "/login?useCookies=true", new { email = "bob@shop.example", password = Password })).Status.Should().Be(200);
        var info = await FetchAsync(page, "GET", "/manage/info", null);
        info.Body.GetProperty("email").GetString().Should().Be("bob@shop.example");
        info.Body.GetProperty("isEmailConfirmed").GetBoolean().Should().BeTrue();
        host.Accounts().Should().Be(1);

        // Change the email: the new address confirms it.
        (await FetchAsync(page, "POST", "/manage/info", new { newEmail = "bob@new.example" })).Status.Should().Be(200);
        await page.GotoAsync(host.Mail.LastLinkTo("bob@new.example"));
        (await page.Locator("body").InnerTextAsync()).Should().Contain("Thank you for confirming your email");
        await page.GotoAsync(Url(host, "/"));
        (await FetchAsync(page, "POST", "/login?useCookies=true", new { email = "bob@shop.example", password = Password })).Status.Should().Be(401);
        (await FetchAsync(page, "POST", "/login?useCookies=true", new { email = "bob@new.example", password = Password })).Status.Should().Be(200);

        // Two-factor with the shared key, then a sign-in that needs the code, and one with a recovery code.
        var setup = await FetchAsync(page, "POST", "/manage/2fa", new { });
        var key = setup.Body.GetProperty("sharedKey").GetString()!;
        var enabled = await FetchAsync(page, "POST", "/manage/2fa", new { enable = true, twoFactorCode = Totp.Code(key) });
        enabled.Body.GetProperty("isTwoFactorEnabled").GetBoolean().Should().BeTrue();
        var recovery = enabled.Body.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        recovery.Should().HaveCount(10);

        var other = await NewPageAsync();
        await other.GotoAsync(Url(host, "/"));
        var withoutCode = await FetchAsync(other, "POST", "/login?useCookies=true", new { email = "bob@new.example", password = Password });
        withoutCode.Status.Should().Be(401);
        withoutCode.Body.GetProperty("detail").GetString().Should().Be("RequiresTwoFactor");
        (await FetchAsync(other, "POST", "/login?useCookies=true", new { email = "bob@new.example", password = Password, twoFactorCode = Totp.Code(key) })).Status.Should().Be(200);
        (await FetchAsync(other, "GET", "/manage/info", null)).Body.GetProperty("email").GetString().Should().Be("bob@new.example");

        var third = await NewPageAsync();
        await third.GotoAsync(Url(host, "/"));
        (await FetchAsync(third, "POST", "/login?useCookies=true", new { email = "bob@new.example", password = Password, twoFactorRecoveryCode = recovery[0] })).Status.Should().Be(200);
        var fourth = await NewPageAsync();
        await fourth.GotoAsync(Url(host, "/"));
        (await FetchAsync(fourth, "POST", "/login?useCookies=true", new { email = "bob@new.example", password = Password, twoFactorRecoveryCode = recovery[0] })).Status.Should().Be(401, "a recovery code works once");

        host.VaultHolds("bob@new.example").Should().BeFalse();
        var (exit, output) = await ScanAsync(host.AppDatabase);
        exit.Should().Be(0, $"the scan finds no personal data in the application's database:\n{output}");
        Dialogs.Should().BeEmpty();
    }

    /// <summary>The page, with every URL its frames navigate to added to <paramref name="visited"/>.</summary>
    private static IPage Tracked(IPage page, List<string> visited)
    {
        page.FrameNavigated += (_, frame) => visited.Add(frame.Url);
        return page;
    }

    private static string Url(IdentityHost host, string path) => new Uri(host.Address, path).ToString();

    private static async Task SignInAsync(IPage page, IdentityHost host, string email, bool expectTwoFactor = false)
    {
        await page.GotoAsync(Url(host, "/Identity/Account/Login"));
        await page.Locator("#Input_Email").FillAsync(email);
        await page.Locator("#Input_Password").FillAsync(Password);
        await page.Locator("#login-submit").ClickAsync();
        await page.WaitForURLAsync(expectTwoFactor ? "**/LoginWith2fa**" : "**/Identity/Account/Manage**", new() { WaitUntil = WaitUntilState.Commit });
    }

    /// <summary>A <c>fetch</c> from the page (its origin, its cookies): the status and the JSON body, if any.</summary>
    private static async Task<(int Status, JsonElement Body)> FetchAsync(IPage page, string method, string path, object? body)
    {
        var result = await page.EvaluateAsync<JsonElement>(
            """
            async ([method, path, body]) => {
              const response = await fetch(path, { method, headers: body === null ? {} : { 'Content-Type': 'application/json' }, body: body === null ? undefined : JSON.stringify(body), credentials: 'same-origin' });
              const text = await response.text();
              return { status: response.status, body: text.length > 0 && (response.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : null };
            }
            """,
            new object?[] { method, path, body });
        return (result.GetProperty("status").GetInt32(), result.GetProperty("body"));
    }

    /// <summary>Runs <c>databunker scan</c> (the tool, built beside the tests) on a SQLite database: its exit code and what it printed.</summary>
    private static async Task<(int Exit, string Output)> ScanAsync(string database)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tool = Path.Combine(Repository.Root(), "src", "Databunker.Tool", "bin", output.Parent!.Name, output.Name, "databunker.dll");
        File.Exists(tool).Should().BeTrue($"the tool is built with the tests ({tool})");
        var start = new ProcessStartInfo("dotnet", [tool, "scan", "--sqlite", $"Data Source={database}", "--full"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
