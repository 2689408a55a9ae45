using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RazorSlices;

using Databunker.Core.Privacy;

namespace Databunker.Core.AspNetCore;

/// <summary>What a mail says, written by its hook in the language the composer chose.</summary>
internal sealed record MailParts(string Subject, IReadOnlyList<string> Paragraphs, string? Code = null, IReadOnlyList<DatabunkerMailAction>? Actions = null, IReadOnlyList<string>? Closing = null)
{
    /// <summary>The code and the links are secrets, the texts may hold a reason about the person: none of it is for logs.</summary>
    public override string ToString() => "MailParts { [redacted] }";
}

/// <summary>The words and dates of one mail's language, for its hook.</summary>
internal sealed record MailWords(PortalText Text, CultureInfo Formatting, string Product, TimeZoneInfo RequestZone)
{
    public string this[string name, params object[] arguments] => Text[name, arguments].Value;

    /// <summary>The day of an instant, in UTC (an expiration's due time).</summary>
    public string Date(DateTimeOffset at) => PortalCulture.Date(at, Formatting);

    /// <summary>The day of an instant in the requests' time zone (when a request was received).</summary>
    public string Day(DateTimeOffset at) => PortalCulture.Day(at, RequestZone, Formatting);

    /// <summary>The last day of a request's period.</summary>
    public string LastDay(DateTimeOffset dueAt) => PortalCulture.LastDay(dueAt, RequestZone, Formatting);
}

/// <summary>
/// Composes the vault's mails and hands them to the host's <see cref="IDatabunkerMailSender"/>: finds the person's address
/// and language in their profile (a read audited as <see cref="Actor"/>), writes the parts through the hook's words, renders
/// the HTML and plain-text bodies from the templates, and sends, each mail in a service scope of its own.
/// </summary>
internal sealed class MailComposer(
    IServiceScopeFactory scopes, IOptions<DatabunkerMailOptions> mailOptions, IOptions<DatabunkerPageOptions> pageOptions, IOptions<DatabunkerOptions> vaultOptions)
{
    private readonly TimeZoneInfo _requestZone = TimeZoneInfo.FindSystemTimeZoneById(vaultOptions.Value.Requests.TimeZone);

    /// <summary>The audit actor of the profile read that finds where a mail goes.</summary>
    public const string Actor = "databunker-mail";

    /// <summary>
    /// Sends a mail to the person. <paramref name="personIsCaller"/> says whether the call that causes it is the person's
    /// own (a page of theirs, their sign-up): only then does its UI culture speak for them. A DPO's extension or the
    /// scheduler's pass runs in someone else's culture.
    /// </summary>
    public async Task SendToPersonAsync(Guid person, DatabunkerMailKind kind, bool personIsCaller, Func<MailWords, MailParts> write, CancellationToken cancellationToken)
    {
        var options = mailOptions.Value;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            PersonRecord? record;
            using (AuditActor.Begin(Actor))
            {
                record = await scope.ServiceProvider.GetRequiredService<IPersonalDataVault>().GetPersonForPurposeAsync(PersonLookup.ByToken(person), Purposes.DataProtection, cancellationToken).ConfigureAwait(false);
            }

            if (record is null)
            {
                throw new PersonNotFoundException();
            }

            if (!record.Profile.TryGetProperty(options.AddressField, out var address) || address.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(address.GetString()))
            {
                // The field's name is the host's setting, not personal data.
                throw new InvalidOperationException($"The person's profile has no \"{options.AddressField}\" field to mail to (DatabunkerMailOptions.AddressField).");
            }

            var wanted = options.LanguageField is { } field && record.Profile.TryGetProperty(field, out var language) && language.ValueKind == JsonValueKind.String
                ? language.GetString()
                : null;
            var mail = await ComposeAsync(kind, person, address.GetString()!, wanted, personIsCaller, write, cancellationToken).ConfigureAwait(false);
            await scope.ServiceProvider.GetRequiredService<IDatabunkerMailSender>().SendAsync(mail, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a mail to the DPO, in the first language offered, when there is a DPO address; returns whether it did.</summary>
    public async Task<bool> SendToDpoAsync(DatabunkerMailKind kind, Func<MailWords, MailParts> write, CancellationToken cancellationToken)
    {
        if (mailOptions.Value.DpoAddress is not { Length: > 0 } dpo)
        {
            return false;
        }

        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var languages = pageOptions.Value.Languages;
            var mail = await ComposeAsync(kind, null, dpo, languages.Count > 0 ? languages[0] : null, useCallersCulture: false, write, cancellationToken).ConfigureAwait(false);
            await scope.ServiceProvider.GetRequiredService<IDatabunkerMailSender>().SendAsync(mail, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    private async Task<DatabunkerMail> ComposeAsync(
        DatabunkerMailKind kind, Guid? person, string to, string? wanted, bool useCallersCulture, Func<MailWords, MailParts> write, CancellationToken cancellationToken)
    {
        var pages = pageOptions.Value;
        var templates = mailOptions.Value.Templates;
        var languages = pages.Languages;
        var chosen = PortalCulture.Offered(wanted, languages)
            ?? (useCallersCulture ? PortalCulture.Offered(CultureInfo.CurrentUICulture.Name, languages) : null)
            ?? (languages.Count > 0 ? languages[0] : "en");
        var language = CultureInfo.GetCultureInfo(chosen);
        var text = new PortalText(language, pages.Text);

        // The host's words are asked in the current UI culture (as IStringLocalizer does): it is the mail's language while
        // the mail is written, and what it was afterwards.
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = language;
        try
        {
            var product = pages.Brand.ProductName ?? text["Layout.DefaultProduct"].Value;
            var parts = write(new MailWords(text, PortalCulture.Formatting(language), product, _requestZone));
            var content = new DatabunkerMailContent(
                kind, language, text, product, pages.Brand.AccentColor ?? PageRenderer.DefaultAccent, parts.Subject, parts.Paragraphs, parts.Code,
                parts.Actions ?? [], parts.Closing ?? [], toPerson: person is not null);
            var html = new StringBuilder(4096);
            using (var slice = templates.Html?.Invoke(content) ?? new AspNetCoreGeneratedDocument.Templates_Mail { Model = content })
            {
                await slice.RenderAsync(html, null, cancellationToken).ConfigureAwait(false);
            }

            var plain = templates.Text?.Invoke(content) ?? PlainText(content);
            return new DatabunkerMail(kind, person, to, language, parts.Subject, plain, html.ToString());
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    /// <summary>The package's plain-text body: the parts in order, a link under its label, lines as they are.</summary>
    internal static string PlainText(DatabunkerMailContent content)
    {
        var text = new StringBuilder(1024);
        if (content.Greeting is { } greeting)
        {
            text.Append(greeting).Append("\n\n");
        }

        foreach (var paragraph in content.Paragraphs)
        {
            text.Append(paragraph).Append("\n\n");
        }

        if (content.Code is { } code)
        {
            text.Append("    ").Append(code).Append("\n\n");
        }

        foreach (var action in content.Actions)
        {
            text.Append(action.Label).Append(":\n").Append(action.Url.AbsoluteUri).Append("\n\n");
        }

        foreach (var paragraph in content.Closing)
        {
            text.Append(paragraph).Append("\n\n");
        }

        text.Append(content.Regards).Append('\n').Append(content.ProductName).Append('\n');
        if (content.Footer is { } footer)
        {
            // "-- " on a line of its own: mail readers show what follows as the signature.
            text.Append("\n-- \n").Append(footer).Append('\n');
        }

        return text.ToString();
    }
}
