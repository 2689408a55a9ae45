using System.Globalization;
using Microsoft.Extensions.Localization;
using RazorSlices;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// Options of the vault's mails (<see cref="DatabunkerMailExtensions.AddDatabunkerMail"/>). The brand, the languages and the
/// host's words are those of the pages (<see cref="DatabunkerPageOptions"/>): a mail says what the pages say, in the same
/// voice, and a host that rewords a page's text through <see cref="DatabunkerPageOptions.Text"/> rewords the mails' there too
/// (their names start with <c>Mail.</c> in <c>Resources/PortalText.resx</c>).
/// </summary>
public sealed class DatabunkerMailOptions
{
    /// <summary>The profile field that holds the person's mail address.</summary>
    /// <value><c>"email"</c>.</value>
    public string AddressField { get; set; } = "email";

    /// <summary>
    /// A profile field that holds the person's language as a BCP 47 tag (<c>"de"</c>, <c>"pt-BR"</c>), or
    /// <see langword="null"/> for none. A mail is written in that language when the pages offer it
    /// (<see cref="DatabunkerPageOptions.Languages"/>); otherwise, when the person's own call caused it (a portal page, whose
    /// language the portal sets, or the host's sign-up that starts an expiration), in that call's current UI culture when
    /// offered; otherwise in the first language offered. A mail the DPO or the scheduler causes (an extension notice) has
    /// only the profile's field to go by: keep the person's language there.
    /// </summary>
    /// <value><c>"language"</c>.</value>
    public string? LanguageField { get; set; } = "language";

    /// <summary>The DPO's address, for the notice that a request is overdue; <see langword="null"/> (the default) sends none.</summary>
    public string? DpoAddress { get; set; }

    /// <summary>
    /// The absolute address of the privacy portal (<c>https://shop.example/privacy/portal/</c>), for a link in the request
    /// receipts; <see langword="null"/> for none. Mails are sent outside any request, so the package cannot know it.
    /// </summary>
    public Uri? PortalAddress { get; set; }

    /// <summary>The host's templates in place of the package's.</summary>
    public DatabunkerMailTemplates Templates { get; } = new();
}

/// <summary>
/// The host's templates for the mails: every mail has the same parts (<see cref="DatabunkerMailContent"/>), so one HTML
/// template and one plain-text template serve them all, and <see cref="DatabunkerMailContent.Kind"/> tells them apart.
/// </summary>
public sealed class DatabunkerMailTemplates
{
    /// <summary>
    /// Makes the HTML body: a RazorSlices slice (<c>@inherits RazorSlice&lt;DatabunkerMailContent&gt;</c> in the host's
    /// project) that writes a whole document; <see langword="null"/> for the package's. Values are HTML-encoded as in any
    /// Razor template.
    /// </summary>
    public Func<DatabunkerMailContent, RazorSlice>? Html { get; set; }

    /// <summary>Writes the plain-text body; <see langword="null"/> for the package's.</summary>
    public Func<DatabunkerMailContent, string>? Text { get; set; }
}

/// <summary>What a mail says, in its language, for its templates.</summary>
public sealed class DatabunkerMailContent
{
    internal DatabunkerMailContent(
        DatabunkerMailKind kind, CultureInfo culture, IStringLocalizer text, string productName, string accentColor, string subject,
        IReadOnlyList<string> paragraphs, string? code, IReadOnlyList<DatabunkerMailAction> actions, IReadOnlyList<string> closing, bool toPerson)
    {
        Kind = kind;
        Culture = culture;
        Text = text;
        ProductName = productName;
        AccentColor = accentColor;
        OnAccentColor = PageRenderer.OnAccent(accentColor);
        Subject = subject;
        Paragraphs = paragraphs;
        Code = code;
        Actions = actions;
        Closing = closing;
        Greeting = toPerson ? text["Mail.Greeting"].Value : null;
        Regards = text["Mail.Regards"].Value;
        Footer = toPerson ? text["Mail.Footer", productName].Value : null;
    }

    /// <summary>Which mail it is.</summary>
    public DatabunkerMailKind Kind { get; }

    /// <summary>Its language; dates in the texts are written in it.</summary>
    public CultureInfo Culture { get; }

    /// <summary>The words, in <see cref="Culture"/>: the host's first, then the package's.</summary>
    public IStringLocalizer Text { get; }

    /// <summary>The product's name (<see cref="PortalBranding.ProductName"/>, or "Privacy portal" in the language).</summary>
    public string ProductName { get; }

    /// <summary>The accent colour as <c>#rrggbb</c> (<see cref="PortalBranding.AccentColor"/>, or the package's blue).</summary>
    public string AccentColor { get; }

    /// <summary>Black or white, whichever contrasts more with <see cref="AccentColor"/>.</summary>
    public string OnAccentColor { get; }

    /// <summary>The subject line.</summary>
    public string Subject { get; }

    /// <summary>The salutation ("Hello,"), or <see langword="null"/> in a mail to the DPO.</summary>
    public string? Greeting { get; }

    /// <summary>What the mail says, paragraph by paragraph, before the code and the actions.</summary>
    public IReadOnlyList<string> Paragraphs { get; }

    /// <summary>A one-time code to show large, or <see langword="null"/>.</summary>
    public string? Code { get; }

    /// <summary>The links to show as buttons, in order.</summary>
    public IReadOnlyList<DatabunkerMailAction> Actions { get; }

    /// <summary>The paragraphs after the code and the actions.</summary>
    public IReadOnlyList<string> Closing { get; }

    /// <summary>The closing ("Kind regards,"), followed by <see cref="ProductName"/>.</summary>
    public string Regards { get; }

    /// <summary>The small print under the mail, or <see langword="null"/> in a mail to the DPO.</summary>
    public string? Footer { get; }
}

/// <summary>A link of a mail, shown as a button.</summary>
/// <param name="Label">What the button says.</param>
/// <param name="Url">Where it leads.</param>
public sealed record DatabunkerMailAction(string Label, Uri Url)
{
    /// <summary>Names the label only: a link may carry a secret (an expiration's token).</summary>
    /// <returns>The action without its address.</returns>
    public override string ToString() => $"DatabunkerMailAction {{ Label = {Label} }}";
}
