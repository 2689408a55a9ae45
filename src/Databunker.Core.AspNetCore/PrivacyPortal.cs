using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Consent;
using Databunker.Core.Export;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Databunker.Core.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The privacy portal: server-rendered pages where a person sees and manages what the vault holds about them. Every
/// value is HTML-encoded, no page runs script, every form carries an antiforgery token, and the portal's own sign-in
/// keeps its state in a vault session whose id is the only thing in its cookie.
/// </summary>
internal sealed partial class PrivacyPortal(string basePath, PortalCodeQueue codes, CodeRequestLimiter limiter, CodeRequestLimiter correctionLimiter, PageRenderer pages)
{
    public const string CookieName = "databunker-portal";
    public const string Actor = "privacy-portal";

    /// <summary>
    /// The actor of the look-up behind a sign-in code: anyone can ask for a code to any address, so the person's history
    /// says a code was asked for, not that they did something.
    /// </summary>
    public const string CodeActor = "privacy-portal-code";

    /// <summary>The profile fields the package has words for; any other is shown by its name.</summary>
    private static readonly HashSet<string> KnownFields = new(StringComparer.Ordinal)
    {
        "email", "phone", "login", "name", "firstName", "lastName", "address", "city", "country", "birthdate",
    };

    private static readonly FormOptions SmallForm = new() { ValueCountLimit = 8, KeyLengthLimit = 64, ValueLengthLimit = 1024, MultipartBodyLengthLimit = 8192, BufferBody = false };

    private static readonly (string Path, string Text)[] Navigation =
    [
        ("", "Nav.Data"), ("correct", "Nav.Correct"), ("consents", "Nav.Consents"), ("requests", "Nav.Requests"), ("sessions", "Nav.Sessions"), ("history", "Nav.History"),
        ("delete", "Nav.Delete"),
    ];

    private static readonly PrivacyRequestType[] Requestable =
        [PrivacyRequestType.Access, PrivacyRequestType.Portability, PrivacyRequestType.Restriction, PrivacyRequestType.Objection, PrivacyRequestType.Erasure];

    public string BasePath => basePath;

    public PageRenderer Pages => pages;

    // ---- pages ---------------------------------------------------------------------------------------------------

    public Task DataPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var services = context.RequestServices;
        var page = PersonContext(context, "");
        var text = (PortalText)page.Text;
        var user = await services.GetRequiredService<IPersonalDataVault>().GetPersonForPurposeAsync(PersonLookup.ByToken(person), Purposes.DataProtection, context.RequestAborted);
        var appData = services.GetRequiredService<IAppDataManager>();
        var sections = new List<PortalSection>();
        foreach (var info in await appData.ListAsync(person, context.RequestAborted))
        {
            sections.Add(new PortalSection(info.App, Fields(text, (await appData.GetForPurposeAsync(person, info.App, Purposes.DataProtection, context.RequestAborted))?.WithCredentialsWithheld(text["Data.Withheld"].Value))));
        }

        await pages.RenderAsync(context, 200, new PortalDataPage(
            page, text["Nav.Data"].Value, Fields(text, user?.Profile), sections, Url(context, "export"), Options(context).CorrectableFields.Count > 0 ? Url(context, "correct") : null),
            static m => new AspNetCoreGeneratedDocument.Templates_Data { Model = m });
    });

    public Task ConsentsPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var services = context.RequestServices;
        var page = PersonContext(context, "consents");
        var text = page.Text;
        var catalog = services.GetRequiredService<IPrivacyCatalog>();
        var consents = new List<PortalConsent>();
        foreach (var state in await services.GetRequiredService<IConsentLedger>().GetStateAsync(person, context.RequestAborted))
        {
            var activity = catalog.FindActivity(state.Activity);
            var latest = state.Latest;
            var on = latest is null ? string.Empty : PortalCulture.Date(latest.At, page.Culture);
            var status = state.NeedsReconsent ? text["Consent.Reconsent"].Value : state.Decision switch
            {
                ConsentDecision.Granted => text["Consent.GivenOn", on].Value,
                ConsentDecision.Refused => text["Consent.RefusedOn", on].Value,
                ConsentDecision.Withdrawn => text["Consent.WithdrawnOn", on].Value,
                ConsentDecision.Expired => text["Consent.ExpiredOn", on].Value,
                _ => text["Consent.NotAsked"].Value,
            };

            // The notice the person decided on, and the activity's notice in force now if it is another one (the ledger
            // asks again against the activity's notice).
            var noticeName = activity?.Notice ?? latest?.Notice;
            var decided = latest is null ? null : await catalog.GetNoticeAsync(latest.Notice, latest.NoticeVersion, context.RequestAborted);
            var current = noticeName is null ? null : await catalog.GetNoticeAsync(noticeName, null, context.RequestAborted);
            if (current is not null && decided is not null && current.Name == decided.Name && current.Version == decided.Version)
            {
                current = null;
            }

            consents.Add(new PortalConsent(
                state.Activity, activity?.Purpose ?? state.Activity, status, state.IsGranted, state.IsGranted ? text["Consent.Withdraw"].Value : text["Consent.Grant"].Value,
                decided is null ? null : new PortalNotice(decided.Version, decided.Text), current is null ? null : new PortalNotice(current.Version, current.Text),
                state.IsGranted ? latest?.ExpiresAt : null));
        }

        await pages.RenderAsync(context, 200, new PortalConsentsPage(page, text["Nav.Consents"].Value, consents), static m => new AspNetCoreGeneratedDocument.Templates_Consents { Model = m });
    });

    public Task ConsentAsync(HttpContext context) => AsPersonPostAsync(context, async (person, form) =>
    {
        var decision = form["decision"].ToString() == "grant" ? ConsentDecision.Granted : ConsentDecision.Withdrawn;
        await context.RequestServices.GetRequiredService<IConsentLedger>().RecordAsync(
            person, new ConsentRecord { Activity = form["activity"].ToString(), Decision = decision, Method = ConsentMethod.Form, Source = "privacy portal" }, context.RequestAborted);
        Redirect(context, "consents");
    });

    public Task RequestsPageAsync(HttpContext context) => AsPersonAsync(context, person => RequestsAsync(context, person, 200, null));

    private async Task RequestsAsync(HttpContext context, Guid person, int status, string? errorName)
    {
        var page = PersonContext(context, "requests");
        var text = page.Text;
        var zone = PortalCulture.RequestZone(context.RequestServices);
        var requests = (await context.RequestServices.GetRequiredService<IPrivacyRequestManager>().ListForPersonAsync(person, context.RequestAborted))
            .OrderByDescending(r => r.ReceivedAt)
            .Select(r => new PortalRequest(text["RequestType." + r.Type].Value, r.ReceivedAt, RequestStatus(text, page.Culture, zone, r)))
            .ToList();
        var choices = Requestable.Select(t => new PortalChoice(t.ToString(), text["RequestType." + t].Value)).ToList();
        await pages.RenderAsync(context, status, new PortalRequestsPage(page, text["Nav.Requests"].Value, requests, choices, errorName is null ? null : text[errorName].Value),
            static m => new AspNetCoreGeneratedDocument.Templates_Requests { Model = m });
    }

    public Task RequestAsync(HttpContext context) => AsPersonPostAsync(context, async (person, form) =>
    {
        if (!Enum.TryParse<PrivacyRequestType>(form["type"].ToString(), out var type) || !Requestable.Contains(type))
        {
            await RequestsAsync(context, person, 400, "Requests.Invalid");
            return;
        }

        await context.RequestServices.GetRequiredService<IPrivacyRequestManager>().SubmitAsync(
            new PrivacyRequestSubmission { Person = person, Type = type, IdentityVerified = true }, context.RequestAborted);
        Redirect(context, "requests");
    });

    public Task ExportAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var buffer = new MemoryStream();
        await using (buffer.ConfigureAwait(false))
        {
            await context.RequestServices.GetRequiredService<IPersonExporter>().ExportAsync(person, buffer, context.RequestAborted);
            await JsonAttachment.WriteAsync(context, buffer, "my-data.json");
        }
    });

    public Task SessionsPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var sessions = context.RequestServices.GetRequiredService<ISessionManager>();
        var current = context.Request.Cookies[CookieName] is { } id ? (await sessions.GetAsync(id, touch: false, context.RequestAborted))?.Handle : null;
        var page = PersonContext(context, "sessions");
        var text = (PortalText)page.Text;
        var list = (await sessions.ListAsync(person, context.RequestAborted))
            .Select(s => new PortalSession(s.Handle, DeviceNames.Describe(s.Label, text), s.CreatedAt, s.LastSeenAt, s.Handle == current))
            .OrderByDescending(s => s.IsCurrent).ThenByDescending(s => s.LastSeenAt)
            .ToList();
        await pages.RenderAsync(context, 200, new PortalSessionsPage(page, page.Text["Nav.Sessions"].Value, list), static m => new AspNetCoreGeneratedDocument.Templates_Sessions { Model = m });
    });

    public Task EndSessionAsync(HttpContext context) => AsPersonPostAsync(context, async (person, form) =>
    {
        var sessions = context.RequestServices.GetRequiredService<ISessionManager>();
        if (form["others"].ToString() == "all")
        {
            // Every session of the person but this browser's: only where this browser's is known (the portal's own
            // sign-in), never all of them.
            if (Options(context).ResolvePerson is null && context.Request.Cookies[CookieName] is { } current)
            {
                await sessions.EndAllAsync(person, current, context.RequestAborted);
            }
        }
        else if (Guid.TryParse(form["handle"].ToString(), out var handle))
        {
            await sessions.EndByHandleAsync(person, handle, context.RequestAborted);
        }

        Redirect(context, "sessions");
    });

    public Task HistoryPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var page = PersonContext(context, "history");
        var text = (PortalText)page.Text;
        var events = Timeline(await context.RequestServices.GetRequiredService<IPersonalDataVault>().GetAuditEventsAsync(person, context.RequestAborted), e => Describe(text, pages.Options, e, context.RequestServices.GetService<IPrivacyCatalog>()));
        await pages.RenderAsync(context, 200, new PortalHistoryPage(page, text["Nav.History"].Value, events), static m => new AspNetCoreGeneratedDocument.Templates_History { Model = m });
    });

    public Task DeletePageAsync(HttpContext context) => AsPersonAsync(context, person =>
    {
        var page = PersonContext(context, "delete");
        return pages.RenderAsync(context, 200, new PortalDeletePage(page, page.Text["Nav.Delete"].Value, Options(context).DeleteImmediately),
            static m => new AspNetCoreGeneratedDocument.Templates_Delete { Model = m });
    });

    public Task DeleteAsync(HttpContext context) => AsPersonPostAsync(context, async (person, _) =>
    {
        var services = context.RequestServices;
        if (!Options(context).DeleteImmediately)
        {
            await services.GetRequiredService<IPrivacyRequestManager>().SubmitAsync(
                new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Erasure, IdentityVerified = true }, context.RequestAborted);
            Redirect(context, "requests");
            return;
        }

        await services.GetRequiredService<IPersonalDataVault>().ForgetPersonAsync(PersonLookup.ByToken(person), context.RequestAborted);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = basePath });
        await pages.MessageAsync(context, 200, "Deleted.Title", "Deleted.Text", isError: false);
    });

    // ---- words ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// A person's audit events as a history, newest first, each as <paramref name="describe"/> says it. The same thing
    /// again and again in a row on one day (each page view reads the profile) is one line with its count.
    /// </summary>
    internal static List<PortalEvent> Timeline(IReadOnlyList<AuditEvent> trail, Func<AuditEvent, string> describe)
    {
        var events = new List<PortalEvent>();
        foreach (var e in trail.Reverse())
        {
            var what = describe(e);
            var succeeded = e.Outcome == "success";
            if (events.Count > 0 && events[^1] is { } last && last.What == what && last.Succeeded == succeeded && last.At.UtcDateTime.Date == e.At.UtcDateTime.Date)
            {
                events[^1] = last with { Times = last.Times + 1 };
                continue;
            }

            events.Add(new PortalEvent(e.At, what, succeeded, 1));
        }

        return events;
    }

    /// <summary>A stored object's fields: labels in the page's language where the package (or host) knows the field, values as stored.</summary>
    internal static List<PortalField> Fields(PortalText text, JsonElement? value)
    {
        var fields = new List<PortalField>();
        if (value is { ValueKind: JsonValueKind.Object } element)
        {
            foreach (var property in element.EnumerateObject())
            {
                var label = Label(text, property.Name);
                fields.Add(new PortalField(label, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText()));
            }
        }

        return fields;
    }

    /// <summary>A profile field's label: the package's (or the host's) words for a field it knows, otherwise its name.</summary>
    internal static string Label(PortalText text, string field) =>
        KnownFields.Contains(field) ? text["Field." + field].Value : text["Field.Other", field].Value;

    /// <summary>Where a request stands, as a sentence: the last day of its period while it is open, the DPO's reason when refused.</summary>
    private static string RequestStatus(IStringLocalizer text, System.Globalization.CultureInfo culture, TimeZoneInfo zone, PrivacyRequest request) => request.State switch
    {
        PrivacyRequestState.Completed or PrivacyRequestState.Cancelled or PrivacyRequestState.Expired => text["RequestState." + request.State].Value,
        PrivacyRequestState.Rejected => request.Reason is { Length: > 0 } reason ? text["RequestState.RejectedBecause", reason].Value : text["RequestState.Rejected"].Value,
        _ => text["RequestState." + request.State, PortalCulture.LastDay(request.DueAt, zone, culture)].Value,
    };

    /// <summary>
    /// An audit event as a sentence naming who did it: the person's own (in the portal) in the second person, anyone
    /// else by a name the host gave the actor, or as "our service".
    /// </summary>
    internal static string Describe(PortalText text, DatabunkerPageOptions options, AuditEvent e, IPrivacyCatalog? catalog)
    {
        // A read for a purpose of the catalogue: the purpose in the host's words, and the fields read by their labels.
        if (e.Operation is AuditOperations.PersonUse or AuditOperations.AppDataGet or AuditOperations.TokenDetokenize
            && Use(e.Details) is ({ } purpose, var fields) && purpose != Purposes.DataProtection)
        {
            var who = options.ActorNames.TryGetValue(e.Actor, out var name) ? name : text["Actor.Service"].Value;
            var said = catalog?.FindActivity(purpose)?.Purpose ?? purpose;
            return e.Operation switch
            {
                AuditOperations.AppDataGet => text["Event.AppPurposeUse", who, said].Value,
                AuditOperations.TokenDetokenize => text["Event.TokenPurposeUse", who, said].Value,
                _ => text["Event.PurposeUse", who, said, string.Join(", ", fields.Select(f => Label(text, f)).Distinct())].Value,
            };
        }

        if (e.Operation == AuditOperations.PersonUse)
        {
            return Describe(text, options, AuditOperations.PersonGet, e.Actor);
        }

        // Field retention's deletions name the fields that went; the end of a purpose names the purpose in the host's words.
        if (e.Operation is AuditOperations.PersonMinimise or AuditOperations.PurposeEnd && Use(e.Details) is var (ended, gone))
        {
            var who = options.ActorNames.TryGetValue(e.Actor, out var name) ? name : text["Actor.Service"].Value;
            return e.Operation == AuditOperations.PurposeEnd
                ? text["Event.purpose.end", who, ended is null ? string.Empty : catalog?.FindActivity(ended)?.Purpose ?? ended].Value
                : text["Event.person.minimise", who, string.Join(", ", gone.Select(f => Label(text, f)).Distinct())].Value;
        }

        // A DPO's look at the person's record, with the reason the DPO gave (sealed under the person's key), or at a request.
        if (e.Operation == DpoConsole.LookupOperation)
        {
            return Reason(text, e.Details) is { } reason ? text["Event.ConsoleLookup", reason].Value : text["Event.ConsoleLookupNoReason"].Value;
        }

        if (e.Operation == DpoConsole.ActionOperation)
        {
            return Reason(text, e.Details) is { } reason ? text["Event.ConsoleAction", reason].Value : text["Event.ConsoleActionNoReason"].Value;
        }

        if (e.Operation == DpoConsole.RequestViewOperation)
        {
            return text["Event.ConsoleRequest"].Value;
        }

        return Describe(text, options, e.Operation, e.Actor);
    }

    /// <summary>
    /// The reason a DPO gave, from an event's details: the console's reason code (<c>complaint</c>) in the reader's
    /// language, then what the DPO wrote after it (<c>complaint: ticket 4711</c>); a host's own reason as it wrote it.
    /// </summary>
    private static string? Reason(PortalText text, string? details)
    {
        if (Stated(details) is not { } stated)
        {
            return null;
        }

        var colon = stated.IndexOf(": ", StringComparison.Ordinal);
        var code = colon < 0 ? stated : stated[..colon];
        return DpoConsole.Reasons.Contains(code) ? text["Dpo.Reason." + code].Value + (colon < 0 ? string.Empty : stated[colon..]) : stated;
    }

    /// <summary>The purpose an event names and the top-level fields it returned or removed, from its details; a null purpose when it names none.</summary>
    private static (string? Purpose, List<string> Fields) Use(string? details)
    {
        var fields = new List<string>();
        if (details is null)
        {
            return (null, fields);
        }

        try
        {
            using var document = JsonDocument.Parse(details);
            var root = document.RootElement;
            var purpose = root.TryGetProperty("purpose", out var p) && p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0 ? p[0].GetString() : null;
            if ((root.TryGetProperty("fields", out var f) || root.TryGetProperty("removed", out f)) && f.ValueKind == JsonValueKind.Array)
            {
                foreach (var pointer in f.EnumerateArray())
                {
                    // "/address/city" is the person's address: the top-level member, unescaped (RFC 6901).
                    var text = pointer.GetString() ?? string.Empty;
                    var top = text.Length > 1 ? text[1..].Split('/')[0].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal) : text;
                    fields.Add(top);
                }
            }

            return (purpose, fields);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return (null, fields);
        }
    }

    private static string? Stated(string? details)
    {
        if (details is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(details);
            return document.RootElement.TryGetProperty("reason", out var reasons) && reasons.ValueKind == JsonValueKind.Array && reasons.GetArrayLength() > 0
                ? reasons[0].GetString()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    internal static string Describe(PortalText text, DatabunkerPageOptions options, string operation, string actor)
    {
        if (actor == CodeActor)
        {
            return text["Event.SignInCode"].Value;
        }

        if (actor == MailComposer.Actor)
        {
            return text["Event.Mail"].Value;
        }

        if (actor == Actor)
        {
            return text.Has("EventYou." + operation) ? text["EventYou." + operation].Value : text["EventYou.Other"].Value;
        }

        var who = options.ActorNames.TryGetValue(actor, out var name) ? name : text["Actor.Service"].Value;
        var key = "Event." + operation;
        return text.Has(key) ? text[key, who].Value : text["Event.Other", who].Value;
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    private static PrivacyPortalOptions Options(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<PrivacyPortalOptions>>().Value;

    /// <summary>The context of a signed-in page: the navigation with <paramref name="current"/> marked, and the sign-out.</summary>
    private PortalPageContext PersonContext(HttpContext context, string current)
    {
        var page = pages.Context(context);
        var correctable = Options(context).CorrectableFields.Count > 0;
        var navigation = Navigation.Where(n => correctable || n.Path != "correct")
            .Select(n => new PortalLink(page.Text[n.Text].Value, Url(context, n.Path), n.Path == current)).ToArray();
        return page with { Navigation = navigation, SignOutUrl = Url(context, "signout") };
    }

    /// <summary>A browser-session cookie: the vault session's own idle and absolute expiry decide how long it works.</summary>
    private void SetCookie(HttpContext context, string sessionId) =>
        context.Response.Cookies.Append(CookieName, sessionId, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = context.Request.PathBase + basePath,
            IsEssential = true,
        });

    private string Url(HttpContext context, string page) => context.Request.PathBase + basePath + (page.Length == 0 ? "/" : "/" + page);

    private void Redirect(HttpContext context, string page)
    {
        context.Response.Headers.Location = Url(context, page);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private Task SignInPageAsync(HttpContext context, int status, bool codeSent, string? error)
    {
        var page = pages.Context(context);
        return pages.RenderAsync(context, status, new PortalSignInPage(page, page.Text[codeSent ? "Code.Title" : "SignIn.Title"].Value, codeSent, error is null ? null : page.Text[error].Value),
            static m => new AspNetCoreGeneratedDocument.Templates_SignIn { Model = m });
    }

    private static async Task<Guid?> PersonAsync(HttpContext context)
    {
        if (Options(context).ResolvePerson is { } resolve)
        {
            return context.User.Identity?.IsAuthenticated == true ? resolve(context.User) : null;
        }

        var id = context.Request.Cookies[CookieName];
        return id is null ? null : (await context.RequestServices.GetRequiredService<ISessionManager>().GetAsync(id, touch: true, context.RequestAborted))?.Person;
    }

    private async Task AsPersonAsync(HttpContext context, Func<Guid, Task> page)
    {
        SecurityHeaders.Apply(context.Response);
        if (await PersonAsync(context) is not { } person)
        {
            await NotSignedInAsync(context);
            return;
        }

        using (AuditActor.Begin(Actor))
        {
            await page(person);
        }
    }

    private Task AsPersonPostAsync(HttpContext context, Func<Guid, IFormCollection, Task> action) => AsPersonPostAsync(context, SmallForm, action);

    private async Task AsPersonPostAsync(HttpContext context, FormOptions limits, Func<Guid, IFormCollection, Task> action)
    {
        SecurityHeaders.Apply(context.Response);
        if (await PersonAsync(context) is not { } person)
        {
            await NotSignedInAsync(context);
            return;
        }

        if (await ReadFormAsync(context, limits) is not { } form)
        {
            return;
        }

        // The page's language before the action, not only when it renders: a request's receipt is mailed in it.
        System.Globalization.CultureInfo.CurrentUICulture = PortalCulture.Resolve(context, pages.Options.Languages);
        using (AuditActor.Begin(Actor))
        {
            try
            {
                await action(person, form);
            }
            catch (VaultInputException)
            {
                await pages.MessageAsync(context, 400, "Failed.Title", "Failed.Text", isError: true);
            }
        }
    }

    private Task NotSignedInAsync(HttpContext context)
    {
        if (Options(context).ResolvePerson is null)
        {
            Redirect(context, "signin");
            return Task.CompletedTask;
        }

        context.Response.StatusCode = context.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    /// <summary>Reads a small form and checks its antiforgery token; writes the refusal and returns null when either fails.</summary>
    private Task<IFormCollection?> ReadFormAsync(HttpContext context) => ReadFormAsync(context, SmallForm);

    private async Task<IFormCollection?> ReadFormAsync(HttpContext context, FormOptions limits)
    {
        var form = await LimitedForm.ReadAsync(context, limits);
        if (form is null)
        {
            await pages.MessageAsync(context, 400, "Expired.Title", "Expired.Text", isError: true);
        }

        return form;
    }
}
