using Microsoft.Playwright;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>A fixture with one headless Chromium for its tests; every page records the dialogs that a script would open.</summary>
[Category(Chromium.Category)]
[NonParallelizable]
public abstract class BrowserTest
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The messages of the dialogs opened in this test's pages: a script ran when it is not empty.</summary>
    protected List<string> Dialogs { get; } = [];

    [OneTimeSetUp]
    public async Task LaunchAsync() => (_playwright, _browser) = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    [SetUp]
    public void ClearDialogs() => Dialogs.Clear();

    /// <summary>
    /// Saves the whole page as <c>{name}.jpg</c> in the folder that <c>DATABUNKER_SCREENSHOTS</c> names; does nothing
    /// without it. The docs' screenshots are made this way.
    /// </summary>
    protected static async Task SaveScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (Environment.GetEnvironmentVariable("DATABUNKER_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".jpg"), FullPage = true, Type = ScreenshotType.Jpeg, Quality = 80 });
        }
    }

    /// <summary>A page in a fresh browser context (its own cookies), with a dialog handler attached before it acts.</summary>
    protected Task<IPage> NewPageAsync() => NewPageAsync(new BrowserNewContextOptions(), recordDialogs: true);

    /// <summary>A page in a fresh browser context with <paramref name="options"/> (a language, a colour scheme, a viewport).</summary>
    protected async Task<IPage> NewPageAsync(BrowserNewContextOptions options, bool recordDialogs)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AcceptDownloads = true;
        var context = await _browser!.NewContextAsync(options);
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) =>
        {
            if (recordDialogs)
            {
                Dialogs.Add(dialog.Message);
            }

            _ = dialog.DismissAsync();
        };
        return page;
    }
}
