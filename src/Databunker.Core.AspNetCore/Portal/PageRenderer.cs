using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RazorSlices;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// Renders the pages of one mapped group (the portal, or the link pages) from their templates, in the request's
/// language, inside the layout, and serves the group's stylesheets under <c>{group}/assets/</c>.
/// </summary>
internal sealed class PageRenderer
{
    private static readonly byte[] Stylesheet = Read("portal.css");
    private static readonly string StylesheetVersion = Version(Stylesheet);
    private static readonly byte[] Icon = Read("icon.svg");
    private static readonly string IconVersion = Version(Icon);

    private readonly string _groupPath;
    private readonly DatabunkerPageOptions _options;
    private readonly byte[]? _brandStylesheet;
    private readonly string? _brandVersion;
    private readonly bool _offerLanguages;
    private readonly PortalBranding _brand;

    public PageRenderer(string groupPath, DatabunkerPageOptions options, bool offerLanguages = true)
    {
        if (Problem(options) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        _groupPath = groupPath;
        _options = options;
        _brand = options.Brand.Snapshot();
        _offerLanguages = offerLanguages;
        if (options.Brand.AccentColor is { } accent)
        {
            _brandStylesheet = Encoding.UTF8.GetBytes(BrandStylesheet(accent));
            _brandVersion = Version(_brandStylesheet);
        }
    }

    public DatabunkerPageOptions Options => _options;

    /// <summary>What keeps the pages (and the mails, which share their brand and languages) from working, or <see langword="null"/>.</summary>
    internal static string? Problem(DatabunkerPageOptions options)
    {
        if (options.Brand.Validate() is { } invalid)
        {
            return invalid;
        }

        if (AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant)
        {
            return "The pages and mails speak the person's language and write dates in it, which needs culture data: this process runs with InvariantGlobalization. " +
                "Set <InvariantGlobalization>false</InvariantGlobalization> in the host's project (the vault's email normalisation needs it too).";
        }

        if (options.Languages.Count == 0 || options.Languages.Any(l => string.IsNullOrWhiteSpace(l) || !IsKnownCulture(l)))
        {
            return "DatabunkerPageOptions.Languages must name at least one language, each a culture .NET knows (\"de\", \"pt-BR\").";
        }

        return null;
    }

    /// <summary>
    /// Maps <c>GET {group}/assets/portal.css</c>, <c>icon.svg</c> and, with an accent colour, <c>brand.css</c>: beside the
    /// group, not in it, and open to anyone, so that a host's authorization on the group (or a fallback policy) does not
    /// keep the sign-in page's own stylesheet from it.
    /// </summary>
    public void MapAssets(IEndpointRouteBuilder endpoints)
    {
        var assets = endpoints.MapGroup(_groupPath + "/assets");
        assets.MapGet("/portal.css", (HttpContext context) => ServeAsync(context, Stylesheet, "text/css; charset=utf-8"));
        assets.MapGet("/icon.svg", (HttpContext context) => ServeAsync(context, Icon, "image/svg+xml"));
        if (_brandStylesheet is { } brand)
        {
            assets.MapGet("/brand.css", (HttpContext context) => ServeAsync(context, brand, "text/css; charset=utf-8"));
        }

        assets.AllowAnonymous().WithMetadata(new ExcludeFromDescriptionAttribute());
    }

    /// <summary>
    /// The page context of this request: its language (the request's culture is set to it, so that the host's words
    /// come in it too), the words, the brand and the stylesheets. The switcher is offered on pages shown by a GET, where
    /// the group offers it (not on the link pages, whose address holds the link's token: a page links to no such address).
    /// </summary>
    public PortalPageContext Context(HttpContext context, IReadOnlyList<PortalLink>? navigation = null, string? signOutUrl = null)
    {
        var language = UseLanguage(context);
        var culture = CultureInfo.CurrentCulture;
        var request = context.Request;
        var assets = request.PathBase + _groupPath + "/assets/";
        var stylesheets = new List<string>(3) { assets + "portal.css?v=" + StylesheetVersion };
        if (_brandVersion is not null)
        {
            stylesheets.Add(assets + "brand.css?v=" + _brandVersion);
        }

        if (_options.Brand.StylesheetPath is { } own)
        {
            stylesheets.Add(own);
        }

        IReadOnlyList<PortalLink> languages = _offerLanguages && HttpMethods.IsGet(request.Method) && _options.Languages.Count > 1
            ? _options.Languages.Select(l => new PortalLink(
                PortalCulture.NativeName(l), request.PathBase + request.Path + "?" + PortalCulture.Query + "=" + Uri.EscapeDataString(l),
                string.Equals(l, language.Name, StringComparison.OrdinalIgnoreCase), l)).ToArray()
            : [];
        var antiforgery = new Lazy<(string, string)>(() =>
        {
            var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
            return (tokens.FormFieldName, tokens.RequestToken ?? string.Empty);
        });
        return new PortalPageContext(
            new PortalText(language, _options.Text), culture, _brand, navigation ?? [], languages, stylesheets, assets + "icon.svg?v=" + IconVersion, antiforgery, signOutUrl,
            page => request.PathBase + _groupPath + (page.Length == 0 ? "/" : "/" + page));
    }

    /// <summary>Sets the request's UI culture to its page language (and its culture to that language's formatting); returns the language.</summary>
    private CultureInfo UseLanguage(HttpContext context)
    {
        var language = PortalCulture.Resolve(context, _options.Languages);
        CultureInfo.CurrentCulture = PortalCulture.Formatting(language);
        CultureInfo.CurrentUICulture = language;
        return language;
    }

    /// <summary>Renders <paramref name="page"/> with the host's template or <paramref name="builtIn"/>, inside the layout.</summary>
    public async Task RenderAsync<TPage>(HttpContext context, int status, TPage page, Func<TPage, RazorSlice> builtIn)
        where TPage : PortalPage
    {
        // The antiforgery cookie is stored before the first byte goes out: a template asks for the token wherever its
        // form is, and a long page may have started its response by then. Only a page that says something, with no
        // form, goes without.
        if (page is not PortalMessagePage || page.SignOutUrl is not null)
        {
            _ = page.AntiforgeryToken;
        }

        using var body = _options.Templates.Page(page, builtIn);
        var model = new PortalLayout(page, body);
        using var layout = _options.Templates.Layout?.Invoke(model) ?? new AspNetCoreGeneratedDocument.Templates__Layout { Model = model };
        var response = context.Response;
        SecurityHeaders.Apply(response);
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentLanguage = page.Culture.Name;
        await layout.RenderAsync(response.BodyWriter, HtmlEncoder.Default, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A page that only says something (a result, or why something did not work), in the request's language.</summary>
    public Task MessageAsync(HttpContext context, int status, string title, string message, bool isError, PortalPageContext? within = null)
    {
        var page = within ?? Context(context);
        return RenderAsync(context, status, new PortalMessagePage(page, page.Text[title].Value, page.Text[message].Value, isError),
            static m => new AspNetCoreGeneratedDocument.Templates_Message { Model = m });
    }

    private static Task ServeAsync(HttpContext context, byte[] stylesheet, string contentType)
    {
        var response = context.Response;
        response.ContentType = contentType;
        // The address carries the content's version, so a browser may keep it: a new version has a new address.
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = stylesheet.Length;
        return response.Body.WriteAsync(stylesheet, context.RequestAborted).AsTask();
    }

    /// <summary>The accent colour and the one of black and white that contrasts more with it.</summary>
    internal static string BrandStylesheet(string accent)
    {
        var hex = accent.ToLowerInvariant();
        return $":root {{ --accent: {hex}; --on-accent: {OnAccent(accent)}; }}\n@media (prefers-color-scheme: light) {{ :root {{ --link: {hex}; --focus: {hex}; }} }}\n";
    }

    /// <summary>Black or white, whichever contrasts more with <paramref name="accent"/> (<c>#rrggbb</c>), by WCAG's relative luminance.</summary>
    internal static string OnAccent(string accent)
    {
        var rgb = Convert.FromHexString(accent.AsSpan(1));
        static double Linear(byte c) => c / 255.0 <= 0.03928 ? c / 255.0 / 12.92 : Math.Pow(((c / 255.0) + 0.055) / 1.055, 2.4);
        var luminance = (0.2126 * Linear(rgb[0])) + (0.7152 * Linear(rgb[1])) + (0.0722 * Linear(rgb[2]));
        return (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) ? "#ffffff" : "#000000";
    }

    /// <summary>The package's accent colour, as <c>portal.css</c> has it.</summary>
    internal const string DefaultAccent = "#1d4ed8";

    private static bool IsKnownCulture(string name)
    {
        try
        {
            _ = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            return true;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    private static string Version(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 6));

    private static byte[] Read(string asset)
    {
        using var stream = typeof(PageRenderer).Assembly.GetManifestResourceStream("Databunker.Core.AspNetCore." + asset)
            ?? throw new InvalidOperationException($"The package's {asset} is missing from its assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
