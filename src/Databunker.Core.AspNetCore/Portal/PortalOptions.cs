using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;
using RazorSlices;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// How the privacy portal and the link pages look and speak: the brand, the languages, the host's own words and
/// templates. Set with <c>services.Configure&lt;DatabunkerPageOptions&gt;(...)</c>. The brand and the languages are
/// checked and taken when the pages are mapped; the words, the actors' names and the templates are read on each request.
/// </summary>
public sealed class DatabunkerPageOptions
{
    /// <summary>The languages the package ships: English, German, French, Spanish, Italian, Dutch, Polish and Portuguese.</summary>
    public static IReadOnlyList<string> ShippedLanguages { get; } = ["en", "de", "fr", "es", "it", "nl", "pl", "pt"];

    /// <summary>The host's product name, logo, colour and stylesheet.</summary>
    public PortalBranding Brand { get; } = new();

    /// <summary>The host's replacements for the package's templates.</summary>
    public PortalTemplates Templates { get; } = new();

    /// <summary>
    /// The languages offered, as BCP 47 tags, in the switcher's order; the first is the one used when the person's browser
    /// asks for none of them. A language the package does not ship shows the host's words (<see cref="Text"/>) and English
    /// where those have none.
    /// </summary>
    /// <value>The <see cref="ShippedLanguages"/>.</value>
    public IList<string> Languages { get; } = [.. ShippedLanguages];

    /// <summary>
    /// The host's own words, asked first for every text of the pages (by the names in the package's
    /// <c>Resources/PortalText.resx</c>) in the request's UI culture; a name it does not have (<see cref="LocalizedString.ResourceNotFound"/>)
    /// comes from the package. Use it to add a language or reword one: an <c>IStringLocalizer&lt;T&gt;</c> over the host's resources, say.
    /// </summary>
    public IStringLocalizer? Text { get; set; }

    /// <summary>
    /// The names the history shows for the actors of the audit trail (<see cref="AuditActor"/>): <c>"support-desk"</c> →
    /// <c>"Shop support"</c>. An actor not listed is shown as "our service", never by its internal name.
    /// </summary>
    public IDictionary<string, string> ActorNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>The host's brand on the pages. Everything is served from the host's own origin, so the pages' Content-Security-Policy allows it.</summary>
public sealed partial class PortalBranding
{
    /// <summary>The product's name, in the header and the title of every page; <see langword="null"/> for "Privacy portal" in the person's language.</summary>
    public string? ProductName { get; set; }

    /// <summary>The path of the logo on the host's own origin (<c>/images/logo.svg</c>), shown 32 pixels high beside the name; <see langword="null"/> for none.</summary>
    public string? LogoPath { get; set; }

    /// <summary>
    /// The accent colour of buttons, links and the focus ring, as <c>#rrggbb</c>; <see langword="null"/> for the package's
    /// blue. Text on it is black or white, whichever contrasts more.
    /// </summary>
    public string? AccentColor { get; set; }

    /// <summary>The path of an extra stylesheet on the host's own origin (<c>/css/privacy.css</c>), loaded after the package's; <see langword="null"/> for none.</summary>
    public string? StylesheetPath { get; set; }

    /// <summary>A copy, as the pages were mapped with: a template cannot change the brand of later requests.</summary>
    internal PortalBranding Snapshot() => new() { ProductName = ProductName, LogoPath = LogoPath, AccentColor = AccentColor, StylesheetPath = StylesheetPath };

    /// <summary>What is wrong with the settings, or <see langword="null"/>.</summary>
    internal string? Validate()
    {
        if (AccentColor is { } color && !Color().IsMatch(color))
        {
            return "PortalBranding.AccentColor must be a colour written #rrggbb.";
        }

        foreach (var (name, path) in new[] { ("LogoPath", LogoPath), ("StylesheetPath", StylesheetPath) })
        {
            if (path is not null && (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
                || !Uri.IsWellFormedUriString(path, UriKind.Relative)))
            {
                return $"PortalBranding.{name} must be a path on the host's own origin, starting with one '/': the pages' Content-Security-Policy allows nothing from elsewhere.";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^#[0-9a-fA-F]{6}\z")]
    private static partial Regex Color();
}

/// <summary>
/// The host's templates in place of the package's: for any page (by its model type) and for the layout around every
/// page. A template is a RazorSlices slice (<c>@inherits RazorSlice&lt;PortalDataPage&gt;</c> in the host's project);
/// a page's template renders what goes inside the layout's <c>main</c> element, after its heading.
/// </summary>
public sealed class PortalTemplates
{
    private readonly Dictionary<Type, Delegate> _pages = [];

    /// <summary>
    /// The layout around every page, or <see langword="null"/> for the package's. It gets the page's model and the page's
    /// rendered body (write it with <c>@await RenderPartialAsync(Model.Body)</c>), and must link the stylesheets in
    /// <see cref="PortalPage.Stylesheets"/> and post <see cref="PortalPage.AntiforgeryFieldName"/> with every form it has.
    /// </summary>
    public Func<PortalLayout, RazorSlice>? Layout { get; set; }

    /// <summary>Puts the host's template in place of the package's for the page whose model is <typeparamref name="TPage"/>.</summary>
    /// <typeparam name="TPage">The page's model, such as <see cref="PortalDataPage"/>.</typeparam>
    /// <param name="template">Makes the host's slice for the page's model.</param>
    /// <returns>These templates, for chaining.</returns>
    public PortalTemplates Replace<TPage>(Func<TPage, RazorSlice> template)
        where TPage : PortalPage
    {
        ArgumentNullException.ThrowIfNull(template);
        if (typeof(TPage).IsAbstract)
        {
            throw new ArgumentException("Name the page by its own model (PortalDataPage, ExpirationLinkPage, ...): PortalPage is the base of them all.", nameof(template));
        }

        _pages[typeof(TPage)] = template;
        return this;
    }

    /// <summary>The host's slice for the page if it has one, otherwise the package's.</summary>
    internal RazorSlice Page<TPage>(TPage page, Func<TPage, RazorSlice> builtIn)
        where TPage : PortalPage =>
        (_pages.TryGetValue(typeof(TPage), out var template) ? (Func<TPage, RazorSlice>)template : builtIn)(page);
}

/// <summary>The model of the layout: the page, and its body to render inside the layout.</summary>
public sealed class PortalLayout
{
    internal PortalLayout(PortalPage page, RazorSlice body) => (Page, Body) = (page, body);

    /// <summary>The page's model.</summary>
    public PortalPage Page { get; }

    /// <summary>The page's body, rendered by its template: write it with <c>@await RenderPartialAsync(Model.Body)</c>.</summary>
    public RazorSlice Body { get; }
}
