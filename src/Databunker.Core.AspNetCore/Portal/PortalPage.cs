using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// What every page of the privacy portal and the link pages gives its template: the title, the words in the person's
/// language, the brand, the navigation and the antiforgery field. A template (the package's own, or one a host puts in
/// its place with <see cref="PortalTemplates.Replace{TPage}"/>) reads its page's model, a subclass of this one.
/// </summary>
public abstract class PortalPage
{
    private readonly Func<string, string> _url;
    private readonly Lazy<(string Name, string Token)> _antiforgery;

    private protected PortalPage(PortalPageContext context, string title)
    {
        ArgumentNullException.ThrowIfNull(context);
        Text = context.Text;
        Culture = context.Culture;
        Brand = context.Brand;
        Navigation = context.Navigation;
        Languages = context.Languages;
        Stylesheets = context.Stylesheets;
        IconUrl = context.IconUrl;
        _antiforgery = context.Antiforgery;
        SignOutUrl = context.SignOutUrl;
        _url = context.Url;
        Area = context.Area;
        Title = title;
    }

    /// <summary>The page's title, in the person's language: the document's title and its one heading.</summary>
    public string Title { get; }

    /// <summary>The words of the pages in the person's language (the host's own first, then the package's).</summary>
    public IStringLocalizer Text { get; }

    /// <summary>
    /// The page's culture: its language (the document's <c>lang</c>) and how it writes dates and numbers. English without
    /// a region is <c>en-GB</c> here ("7 January 2027").
    /// </summary>
    public CultureInfo Culture { get; }

    /// <summary>The host's product name, logo and extra stylesheet.</summary>
    public PortalBranding Brand { get; }

    /// <summary>
    /// The part of the site the page belongs to, in the page's language, when it is not the privacy portal: the DPO
    /// console's pages say "Data protection console" beside the product's name (and have no footer for the person).
    /// </summary>
    public string? Area { get; }

    /// <summary>The portal's pages, the current one marked; empty when no one is signed in and on the link pages.</summary>
    public IReadOnlyList<PortalLink> Navigation { get; }

    /// <summary>The same page in each language the host offers, the current one marked.</summary>
    public IReadOnlyList<PortalLink> Languages { get; }

    /// <summary>The stylesheets of the page, in order: the package's, the brand's colour, the host's own.</summary>
    public IReadOnlyList<string> Stylesheets { get; }

    /// <summary>The address of the pages' icon (the package's), for the layout's <c>link rel="icon"</c>.</summary>
    public string IconUrl { get; }

    /// <summary>The name of the antiforgery field that every form must post (asking for it stores the antiforgery cookie).</summary>
    public string AntiforgeryFieldName => _antiforgery.Value.Name;

    /// <summary>The value of the antiforgery field.</summary>
    public string AntiforgeryToken => _antiforgery.Value.Token;

    /// <summary>Where the sign-out form posts, when someone is signed in to the portal; otherwise <see langword="null"/>.</summary>
    public string? SignOutUrl { get; }

    /// <summary>The address of a portal page (<c>""</c> for the first, <c>"consents"</c>, ...), under the host's path base.</summary>
    /// <param name="page">The page's path below the portal.</param>
    /// <returns>The address.</returns>
    public string Url(string page) => _url(page);

    /// <summary>A date in the page's language, such as "7 January 2027" or "7. Januar 2027".</summary>
    /// <param name="at">The instant; shown as its UTC date.</param>
    /// <returns>The date as text.</returns>
    public string FormatDate(DateTimeOffset at) => PortalCulture.Date(at, Culture);

    /// <summary>A date and time in the page's language, in UTC.</summary>
    /// <param name="at">The instant.</param>
    /// <returns>The date and time as text, ending with "UTC".</returns>
    public string FormatDateTime(DateTimeOffset at) => PortalCulture.Date(at, Culture) + ", " + at.UtcDateTime.ToString("t", Culture) + " UTC";
}

/// <summary>A link of a page's navigation or language switcher.</summary>
/// <param name="Text">What the link says.</param>
/// <param name="Href">Where it goes.</param>
/// <param name="IsCurrent">Whether it is the page (or language) shown.</param>
/// <param name="Language">The language it switches to, as a BCP 47 tag; <see langword="null"/> for a page link.</param>
public sealed record PortalLink(string Text, string Href, bool IsCurrent, string? Language = null);

/// <summary>What a page model is made from; built by the package for each request.</summary>
internal sealed record PortalPageContext(
    IStringLocalizer Text, CultureInfo Culture, PortalBranding Brand, IReadOnlyList<PortalLink> Navigation, IReadOnlyList<PortalLink> Languages,
    IReadOnlyList<string> Stylesheets, string IconUrl, Lazy<(string Name, string Token)> Antiforgery, string? SignOutUrl, Func<string, string> Url, string? Area = null);
