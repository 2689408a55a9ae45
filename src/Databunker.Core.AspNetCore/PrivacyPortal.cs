using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Consent;
using Databunker.Core.Export;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Databunker.Core.Sessions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The privacy portal: server-rendered pages where a person sees and manages what the vault holds about them. Every
/// value is HTML-encoded, no page runs script, every form carries an antiforgery token, and the portal's own sign-in
/// keeps its state in a vault session whose id is the only thing in its cookie.
/// </summary>
internal sealed partial class PrivacyPortal(string basePath, PortalCodeQueue codes, CodeRequestLimiter limiter)
{
    public const string CookieName = "databunker-portal";
    public const string Actor = "privacy-portal";

    private static readonly FormOptions SmallForm = new() { ValueCountLimit = 8, KeyLengthLimit = 64, ValueLengthLimit = 1024, MultipartBodyLengthLimit = 8192, BufferBody = false };

    private static readonly (string Path, string Title)[] Navigation =
    [
        ("", "My data"), ("consents", "My consents"), ("requests", "My requests"), ("sessions", "My sessions"), ("history", "My history"), ("delete", "Delete my account"),
    ];

    private static readonly PrivacyRequestType[] Requestable =
        [PrivacyRequestType.Access, PrivacyRequestType.Portability, PrivacyRequestType.Restriction, PrivacyRequestType.Objection, PrivacyRequestType.Erasure];

    public string BasePath => basePath;

    // ---- pages ---------------------------------------------------------------------------------------------------

    public Task DataPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var services = context.RequestServices;
        var user = await services.GetRequiredService<IPersonalDataVault>().GetPersonAsync(PersonLookup.ByToken(person), context.RequestAborted);
        var html = new StringBuilder("<h2>Profile</h2>");
        AppendObject(html, user?.Profile);
        var appData = services.GetRequiredService<IAppDataManager>();
        foreach (var info in await appData.ListAsync(person, context.RequestAborted))
        {
            html.Append("<h2>").Append(Encode(info.App)).Append("</h2>");
            AppendObject(html, (await appData.GetAsync(person, info.App, context.RequestAborted))?.Data);
        }

        html.Append("<p><a href=\"").Append(Encode(Url(context, "export"))).Append("\">Download all my data (JSON)</a></p>");
        await WriteAsync(context, 200, "My data", person, html.ToString());
    });

    public Task ConsentsPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var services = context.RequestServices;
        var catalog = services.GetRequiredService<IPrivacyCatalog>();
        var html = new StringBuilder("<table><thead><tr><th>What for</th><th>Your choice</th><th></th></tr></thead><tbody>");
        foreach (var state in await services.GetRequiredService<IConsentLedger>().GetStateAsync(person, context.RequestAborted))
        {
            var purpose = catalog.FindActivity(state.Activity)?.Purpose ?? state.Activity;
            var (label, action, button) = state.IsGranted
                ? ("Given", "withdraw", "Withdraw")
                : (state.NeedsReconsent ? "Asked again: the notice changed" : state.Decision?.ToString() ?? "Not asked", "grant", "Give consent");
            html.Append("<tr><td>").Append(Encode(purpose)).Append("</td><td>").Append(Encode(label)).Append("</td><td>")
                .Append(Form(context, "consents", Hidden("activity", state.Activity) + Hidden("decision", action), button)).Append("</td></tr>");
        }

        await WriteAsync(context, 200, "My consents", person, html.Append("</tbody></table>").ToString());
    });

    public Task ConsentAsync(HttpContext context) => AsPersonPostAsync(context, async (person, form) =>
    {
        var decision = form["decision"].ToString() == "grant" ? ConsentDecision.Granted : ConsentDecision.Withdrawn;
        await context.RequestServices.GetRequiredService<IConsentLedger>().RecordAsync(
            person, new ConsentRecord { Activity = form["activity"].ToString(), Decision = decision, Method = ConsentMethod.Form, Source = "privacy portal" }, context.RequestAborted);
        Redirect(context, "consents");
    });

    public Task RequestsPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var html = new StringBuilder("<table><thead><tr><th>Request</th><th>Received</th><th>Due</th><th>Status</th></tr></thead><tbody>");
        foreach (var r in await context.RequestServices.GetRequiredService<IPrivacyRequestManager>().ListForPersonAsync(person, context.RequestAborted))
        {
            html.Append("<tr><td>").Append(Encode(r.Type.ToString())).Append("</td><td>").Append(Date(r.ReceivedAt)).Append("</td><td>").Append(Date(r.DueAt))
                .Append("</td><td>").Append(Encode(r.State.ToString())).Append(r.Reason is { } reason ? ": " + Encode(reason) : string.Empty).Append("</td></tr>");
        }

        html.Append("</tbody></table><h2>Ask us</h2>");
        var select = new StringBuilder("<label>What do you ask for? <select name=\"type\">");
        foreach (var type in Requestable)
        {
            select.Append("<option value=\"").Append(type).Append("\">").Append(Encode(Describe(type))).Append("</option>");
        }

        html.Append(Form(context, "requests", select.Append("</select></label>").ToString(), "Send the request"));
        await WriteAsync(context, 200, "My requests", person, html.ToString());
    });

    public Task RequestAsync(HttpContext context) => AsPersonPostAsync(context, async (person, form) =>
    {
        if (!Enum.TryParse<PrivacyRequestType>(form["type"].ToString(), out var type) || !Requestable.Contains(type))
        {
            await WriteAsync(context, 400, "My requests", person, "<p>Choose one of the listed requests.</p>");
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
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"my-data.json\"";
            await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
        }
    });

    public Task SessionsPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var sessions = context.RequestServices.GetRequiredService<ISessionManager>();
        var current = context.Request.Cookies[CookieName] is { } id ? (await sessions.GetAsync(id, touch: false, context.RequestAborted))?.Handle : null;
        var html = new StringBuilder("<table><thead><tr><th>Signed in</th><th>Last seen</th><th></th></tr></thead><tbody>");
        foreach (var s in await sessions.ListAsync(person, context.RequestAborted))
        {
            html.Append("<tr><td>").Append(Date(s.CreatedAt)).Append("</td><td>").Append(Date(s.LastSeenAt)).Append("</td><td>")
                .Append(s.Handle == current ? "This browser" : Form(context, "sessions", Hidden("handle", s.Handle.ToString()), "Sign it out")).Append("</td></tr>");
        }

        await WriteAsync(context, 200, "My sessions", person, html.Append("</tbody></table>").ToString());
    });

    public Task EndSessionAsync(HttpContext context) => AsPersonPostAsync(context, async (person, form) =>
    {
        if (Guid.TryParse(form["handle"].ToString(), out var handle))
        {
            await context.RequestServices.GetRequiredService<ISessionManager>().EndByHandleAsync(person, handle, context.RequestAborted);
        }

        Redirect(context, "sessions");
    });

    public Task HistoryPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var html = new StringBuilder("<table><thead><tr><th>When</th><th>What</th><th>By</th><th>Result</th></tr></thead><tbody>");
        foreach (var e in (await context.RequestServices.GetRequiredService<IPersonalDataVault>().GetAuditEventsAsync(person, context.RequestAborted)).Reverse())
        {
            html.Append("<tr><td>").Append(Encode(e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))).Append(" UTC</td><td>").Append(Encode(e.Operation))
                .Append("</td><td>").Append(Encode(e.Actor)).Append("</td><td>").Append(Encode(e.Outcome)).Append("</td></tr>");
        }

        await WriteAsync(context, 200, "My history", person, html.Append("</tbody></table>").ToString());
    });

    public Task DeletePageAsync(HttpContext context) => AsPersonAsync(context, person =>
        WriteAsync(context, 200, "Delete my account", person, Options(context).DeleteImmediately
            ? "<p>Your account and everything in it are deleted at once. This cannot be undone.</p>" + Form(context, "delete", string.Empty, "Delete my account now")
            : "<p>We delete your account and everything in it once we have checked the request.</p>" + Form(context, "delete", string.Empty, "Ask us to delete my account")));

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
        await WriteAsync(context, 200, "Your account is deleted", null, "<p>Your account and everything in it are deleted.</p>");
    });

    // ---- plumbing ----------------------------------------------------------------------------------------------

    private static PrivacyPortalOptions Options(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<PrivacyPortalOptions>>().Value;

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private static string Date(DateTimeOffset at) => Encode(at.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture));

    private static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{Encode(name)}\" value=\"{Encode(value)}\">";

    private static string Describe(PrivacyRequestType type) => type switch
    {
        PrivacyRequestType.Access => "A copy of my data",
        PrivacyRequestType.Portability => "My data to take elsewhere",
        PrivacyRequestType.Restriction => "Stop using my data for now",
        PrivacyRequestType.Objection => "I object to how my data is used",
        _ => "Delete my data",
    };

    private static void AppendObject(StringBuilder html, JsonElement? value)
    {
        html.Append("<dl>");
        if (value is { ValueKind: JsonValueKind.Object } element)
        {
            foreach (var property in element.EnumerateObject())
            {
                html.Append("<dt>").Append(Encode(property.Name)).Append("</dt><dd>")
                    .Append(Encode(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText())).Append("</dd>");
            }
        }

        html.Append("</dl>");
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

    private string Form(HttpContext context, string action, string fields, string button)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<form method=\"post\" action=\"{Encode(Url(context, action))}\">{fields}{Hidden(tokens.FormFieldName, tokens.RequestToken ?? string.Empty)}<button type=\"submit\">{Encode(button)}</button></form>";
    }

    private Task CodePageAsync(HttpContext context, int status, string? error) =>
        WriteAsync(context, status, "Enter your code", null,
            (error is null ? "<p>If the address has an account, we sent a code to it. It works for a few minutes.</p>" : $"<p role=\"alert\">{Encode(error)}</p>") +
            Form(context, "signin/code", "<label>Code <input name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\" required></label>", "Sign in"));

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

    private async Task AsPersonPostAsync(HttpContext context, Func<Guid, IFormCollection, Task> action)
    {
        SecurityHeaders.Apply(context.Response);
        if (await PersonAsync(context) is not { } person)
        {
            await NotSignedInAsync(context);
            return;
        }

        if (await ReadFormAsync(context) is not { } form)
        {
            return;
        }

        using (AuditActor.Begin(Actor))
        {
            try
            {
                await action(person, form);
            }
            catch (VaultInputException)
            {
                await WriteAsync(context, 400, "That did not work", person, "<p>The form was not filled in as expected. Nothing was changed.</p>");
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
    private async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        var form = await LimitedForm.ReadAsync(context, SmallForm);
        if (form is null)
        {
            await WriteAsync(context, 400, "The page expired", null, "<p>Go back, reload the page and try again. Nothing was changed.</p>");
        }

        return form;
    }

    private async Task WriteAsync(HttpContext context, int status, string title, Guid? person, string body)
    {
        SecurityHeaders.Apply(context.Response);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"robots\" content=\"noindex, nofollow\"><title>").Append(Encode(title)).Append("</title></head><body>");
        if (person is not null)
        {
            html.Append("<nav><ul>");
            foreach (var (path, name) in Navigation)
            {
                html.Append("<li><a href=\"").Append(Encode(Url(context, path))).Append("\">").Append(Encode(name)).Append("</a></li>");
            }

            html.Append("</ul>").Append(Form(context, "signout", string.Empty, "Sign out")).Append("</nav>");
        }

        html.Append("<main><h1>").Append(Encode(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        await context.Response.WriteAsync(html.ToString(), context.RequestAborted);
    }
}
