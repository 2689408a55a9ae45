using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// Debian's headless Chromium (package <c>chromium</c>), driven by Playwright's driver from its NuGet package: no browser
/// is downloaded. It resolves no host name but 127.0.0.1, so it reaches nothing but the app under test.
/// </summary>
public static class Chromium
{
    public const string Category = "browser";

    private const string Executable = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(Executable))
        {
            const string Missing = "Debian's chromium package is not installed (apt-get install chromium); .ci/run installs it.";
            if (Environment.GetEnvironmentVariable("DATABUNKER_REQUIRE_BROWSER") == "1")
            {
                Assert.Fail(Missing);
            }

            Assert.Ignore(Missing);
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--disable-background-networking", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>Saves a screenshot of the page as an artifact of the test, under <c>screenshots/</c> of the test run.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }
}
