namespace Databunker.Core.AspNetCore;

/// <summary>
/// The browser and system of a User-Agent header, by a short list of the major ones (no parser: the label only helps a
/// person tell their sessions apart). Stored as <c>browser|system</c>, each part a name or empty when unknown; a label a
/// host supplies has no bar and is shown as it is.
/// </summary>
internal static class DeviceNames
{
    // Order matters: Edge, Opera and Samsung Internet also say Chrome; Chrome also says Safari; Android also says Linux.
    private static readonly (string Marker, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Version/", "Safari"),
    ];

    private static readonly (string Marker, string Name)[] Systems =
    [
        ("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"), ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"),
    ];

    public static string? FromUserAgent(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return null;
        }

        var browser = Browsers.FirstOrDefault(b => userAgent.Contains(b.Marker, StringComparison.Ordinal)).Name;
        var system = Systems.FirstOrDefault(s => userAgent.Contains(s.Marker, StringComparison.Ordinal)).Name;
        return browser is null && system is null ? null : browser + "|" + system;
    }

    /// <summary>A stored label in the page's words: "Firefox on Windows", "Firefox", "Unknown browser", or the host's label.</summary>
    public static string Describe(string? label, PortalText text)
    {
        if (label is null)
        {
            return text["Device.Unknown"].Value;
        }

        var bar = label.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return label;
        }

        var (browser, system) = (label[..bar], label[(bar + 1)..]);
        return (browser.Length, system.Length) switch
        {
            ( > 0, > 0) => text["Device.On", browser, system].Value,
            ( > 0, 0) => browser,
            (0, > 0) => text["Device.On", text["Device.Unknown"].Value, system].Value,
            _ => text["Device.Unknown"].Value,
        };
    }
}
