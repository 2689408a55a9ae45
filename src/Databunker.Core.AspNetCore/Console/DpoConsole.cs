using System.Globalization;
using System.Text;
using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Consent;
using Databunker.Core.Expiration;
using Databunker.Core.Export;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Databunker.Core.Sessions;
using Databunker.Core.Shares;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// The DPO console: server-rendered pages on the portal's templates, stylesheet and languages, behind the host's policy.
/// Every page runs as the signed-in DPO (<see cref="AuditActor"/>): the vault audits each action under that name, and the
/// console writes a <c>console.*</c> event for each page view; a look at a person's record carries the reason the DPO gave.
/// </summary>
internal sealed class DpoConsole(string basePath, PageRenderer pages)
{
    /// <summary>The audit code of a look at a person's record; its details hold the reason, sealed under the person's key.</summary>
    public const string LookupOperation = "console.lookup";

    /// <summary>The audit code of an action on a person's record (export, delete, expiration), with the lookup's reason.</summary>
    public const string ActionOperation = "console.action";

    /// <summary>The audit code of a check of the audit chain.</summary>
    public const string VerifyOperation = "console.verify";

    /// <summary>A DPO made the minimisation report in the console (the vault audits the report itself as admin.minimisation).</summary>
    public const string MinimisationOperation = "console.minimisation";

    /// <summary>The audit code of a look at one of a person's requests.</summary>
    public const string RequestViewOperation = "console.request";

    /// <summary>The reasons a DPO picks from before a lookup (the words are <c>Dpo.Reason.*</c>).</summary>
    internal static readonly string[] Reasons = ["request", "complaint", "legal", "security", "other"];

    private const int QueuePageSize = 200;

    private static readonly string[] LookupKinds = ["email", "phone", "login", "token"];

    private static readonly FormOptions SmallForm = new() { ValueCountLimit = 8, KeyLengthLimit = 64, ValueLengthLimit = 2048, MultipartBodyLengthLimit = 32 * 1024, BufferBody = false };

    private static readonly (string Path, string Text)[] Navigation =
    [
        ("", "Dpo.Nav.Requests"), ("people", "Dpo.Nav.People"), ("catalogue", "Dpo.Nav.Catalogue"), ("consents", "Dpo.Nav.Consents"), ("operations", "Dpo.Nav.Operations"),
    ];

    private static readonly PrivacyRequestState[] OpenStates =
        [PrivacyRequestState.Received, PrivacyRequestState.Verified, PrivacyRequestState.AwaitingApproval, PrivacyRequestState.InProgress, PrivacyRequestState.Failed];

    public string BasePath => basePath;

    public PageRenderer Pages => pages;

    // ---- requests ------------------------------------------------------------------------------------------------

    public Task QueuePageAsync(HttpContext context) => AsDpoAsync(context, "console.requests", null, async () =>
    {
        var query = context.Request.Query;
        var page = ConsoleContext(context, "");
        var text = page.Text;
        var state = Parse<PrivacyRequestState>(query["state"]);
        var type = Parse<PrivacyRequestType>(query["type"]);
        var regime = Parse<PrivacyRegime>(query["regime"]);
        var overdueOnly = query["overdue"] == "1";
        var requests = context.RequestServices.GetRequiredService<IPrivacyRequestManager>();

        // Pages through the states asked for (all open ones by default) and keeps what the other filters let through.
        var rows = new List<DpoRequestRow>();
        var more = false;
        PrivacyRequest? after = null;
        var states = state is { } one ? [one] : OpenStates;
        var now = Now(context);
        while (rows.Count <= QueuePageSize)
        {
            var batch = await requests.ListAsync(new PrivacyRequestQuery { States = states, Limit = 500, After = after }, context.RequestAborted);
            foreach (var request in batch)
            {
                if ((type is null || request.Type == type) && (regime is null || request.Regime == regime) && (!overdueOnly || IsOverdue(request, now)))
                {
                    if (rows.Count == QueuePageSize)
                    {
                        more = true;
                        break;
                    }

                    rows.Add(Row(context, page, request, now));
                }
            }

            if (more || batch.Count < 500)
            {
                break;
            }

            after = batch[^1];
        }

        var filter = new DpoQueueFilter(
            Options<PrivacyRequestState>(text, "Dpo.State.", state, "Dpo.Filter.OpenStates"),
            Options<PrivacyRequestType>(text, "Dpo.Type.", type, "Dpo.Filter.AllTypes"),
            Options<PrivacyRegime>(text, "Dpo.Regime.", regime, "Dpo.Filter.AllRegimes"),
            overdueOnly);
        var help = Enum.GetValues<PrivacyRequestState>().Select(s => new DpoHelp(text["Dpo.State." + s].Value, text["Dpo.Help.State." + s].Value)).ToList();
        await pages.RenderAsync(context, 200, new DpoQueuePage(page, text["Dpo.Nav.Requests"].Value, filter, rows, more, help), static m => new AspNetCoreGeneratedDocument.Templates_DpoQueue { Model = m });
    });

    public Task RequestPageAsync(HttpContext context, Guid id) => AsDpoAsync(context, null, null, async () =>
    {
        var request = await context.RequestServices.GetRequiredService<IPrivacyRequestManager>().GetAsync(id, context.RequestAborted);
        if (request is null)
        {
            await MessageAsync(context, 404, "Dpo.NotFound.Title", "Dpo.NotFound.Text", isError: true);
            return;
        }

        await AuditViewAsync(context, RequestViewOperation, request.Person);
        await RenderRequestAsync(context, request, 200, null, false);
    });

    public Task RequestActionAsync(HttpContext context, Guid id) => AsDpoPostAsync(context, async (form, actor) =>
    {
        var manager = context.RequestServices.GetRequiredService<IPrivacyRequestManager>();
        var request = await manager.GetAsync(id, context.RequestAborted);
        if (request is null)
        {
            await MessageAsync(context, 404, "Dpo.NotFound.Title", "Dpo.NotFound.Text", isError: true);
            return;
        }

        var action = form["action"].ToString();
        var reason = form["reason"].ToString().Trim();
        if (action is "reject" or "extend" && reason.Length == 0)
        {
            await RenderRequestAsync(context, request, 400, "Dpo.Action.ReasonNeeded", true);
            return;
        }

        if (reason.Length > 2000)
        {
            await RenderRequestAsync(context, request, 400, "Dpo.Action.ReasonTooLong", true);
            return;
        }

        // An erasure is as final as a delete on the person page: the DPO confirms it, not only clicks.
        if (action is "approve" or "complete" && request.Type == PrivacyRequestType.Erasure && form["confirm"] != "erase")
        {
            await RenderRequestAsync(context, request, 400, "Dpo.Action.ConfirmNeeded", true);
            return;
        }

        try
        {
            var (done, message) = action switch
            {
                "approve" or "complete" => (await manager.ApproveAsync(id, new PrivacyRequestApproval { Approver = actor, Destination = Stream.Null }, context.RequestAborted), "Dpo.Action.Approved"),
                "reject" => (await manager.RejectAsync(id, actor, reason, context.RequestAborted), "Dpo.Action.Rejected"),
                "extend" => (await manager.ExtendAsync(id, reason, context.RequestAborted), "Dpo.Action.Extended"),
                _ => (request, "Dpo.Action.Unknown"),
            };
            // A carrying-out that failed is the request's news, not the DPO's mistake: the page says so with a 200.
            var unknown = message == "Dpo.Action.Unknown";
            var failed = done.State == PrivacyRequestState.Failed;
            await RenderRequestAsync(context, done, unknown ? 400 : 200, unknown ? message : failed ? "Dpo.Action.Failed" : message, failed || unknown);
        }
        catch (Exception ex) when (ex is PrivacyRequestStateException or VersionConflictException)
        {
            // Another DPO (or the pass) got there first: say so, with the request as it is now.
            var now = await manager.GetAsync(id, context.RequestAborted) ?? request;
            await RenderRequestAsync(context, now, 409, "Dpo.Action.AlreadyDone", true);
        }
    });

    private async Task RenderRequestAsync(HttpContext context, PrivacyRequest request, int status, string? message, bool isError)
    {
        var page = ConsoleContext(context, "");
        var text = page.Text;
        var culture = page.Culture;
        var zone = PortalCulture.RequestZone(context.RequestServices);
        var now = Now(context);
        var facts = new List<PortalField>
        {
            new(text["Dpo.Request.Number"].Value, Number(request.Id)),
            new(text["Dpo.Request.Type"].Value, text["Dpo.Type." + request.Type].Value),
            new(text["Dpo.Request.Regime"].Value, text["Dpo.Regime." + request.Regime].Value),
            new(text["Dpo.Request.State"].Value, text["Dpo.State." + request.State].Value),
            new(text["Dpo.Request.Received"].Value, PortalCulture.Day(request.ReceivedAt, zone, culture)),
            new(text["Dpo.Request.LastDay"].Value, PortalCulture.LastDay(request.DueAt, zone, culture)
                + (request.IsClosed ? string.Empty : " · " + DaysLeft(text, DaysLeft(request, zone, now)))),
            new(text["Dpo.Request.Identity"].Value, request.VerifiedAt is { } verified
                ? text["Dpo.Request.VerifiedOn", PortalCulture.Day(verified, zone, culture)].Value
                : request.State == PrivacyRequestState.Received ? text["Dpo.Request.CodeSent"].Value : text["Dpo.Request.NotVerified"].Value),
            new(text["Dpo.Request.Result"].Value, Outcome(text, request)),
        };
        if (request.Activity is { } activity)
        {
            facts.Insert(2, new PortalField(text["Dpo.Request.Activity"].Value, activity));
        }

        if (request.Change is { } change)
        {
            facts.Add(new PortalField(text["Dpo.Request.Change"].Value, change.GetRawText()));
        }

        if (request.Reason is { Length: > 0 } reason)
        {
            facts.Add(new PortalField(text["Dpo.Request.Reason"].Value, reason));
        }

        if (request.ExtensionReason is { Length: > 0 } extension)
        {
            facts.Add(new PortalField(text["Dpo.Request.ExtensionReason"].Value, extension));
        }

        var history = new List<DpoStep> { new(request.ReceivedAt, text["Dpo.Step.Received"].Value) };
        if (request.AcknowledgedAt is { } acknowledged)
        {
            history.Add(new DpoStep(acknowledged, text["Dpo.Step.Acknowledged"].Value));
        }

        if (request.VerifiedAt is { } verifiedAt)
        {
            history.Add(new DpoStep(verifiedAt, text["Dpo.Step.Verified"].Value));
        }

        if (request.OverdueAt is { } overdueAt)
        {
            history.Add(new DpoStep(overdueAt, text["Dpo.Step.Overdue"].Value));
        }

        if (request.DecidedAt is { } decided)
        {
            var by = request.DecidedBy ?? text["Actor.Service"].Value;
            history.Add(new DpoStep(decided, request.State switch
            {
                PrivacyRequestState.Rejected => text["Dpo.Step.Rejected", by].Value,
                PrivacyRequestState.Cancelled => text["Dpo.Step.Cancelled"].Value,
                _ => text["Dpo.Step.Approved", by].Value,
            }));
        }

        if (request.ClosedAt is { } closed)
        {
            history.Add(new DpoStep(closed, text["Dpo.Step.Closed", text["Dpo.State." + request.State].Value].Value));
        }

        var help = new List<DpoHelp>
        {
            new(text["Dpo.Type." + request.Type].Value, text["Dpo.Help.Type." + request.Type].Value),
            new(text["Dpo.Regime." + request.Regime].Value, text["Dpo.Help.Regime." + request.Regime].Value),
            new(text["Dpo.State." + request.State].Value, text["Dpo.Help.State." + request.State].Value),
        };
        var actions = new List<DpoAction>();
        switch (request.State)
        {
            case PrivacyRequestState.AwaitingApproval:
                actions.Add(new DpoAction("approve", text["Dpo.Action.Approve"].Value, text["Dpo.Action.ApproveHelp." + request.Type].Value, false, request.Type == PrivacyRequestType.Erasure, request.Type == PrivacyRequestType.Erasure));
                actions.Add(new DpoAction("reject", text["Dpo.Action.Reject"].Value, text["Dpo.Action.RejectHelp"].Value, true, false));
                break;
            case PrivacyRequestState.Verified or PrivacyRequestState.Failed:
                actions.Add(new DpoAction("complete", text["Dpo.Action.Complete"].Value, text["Dpo.Action.ApproveHelp." + request.Type].Value, false, request.Type == PrivacyRequestType.Erasure, request.Type == PrivacyRequestType.Erasure));
                break;
        }

        if (!request.IsClosed && !request.IsExtended && request.State != PrivacyRequestState.InProgress)
        {
            actions.Add(new DpoAction("extend", text["Dpo.Action.Extend"].Value, text["Dpo.Action.ExtendHelp." + request.Regime].Value, true, false));
        }

        var title = text["Dpo.Request.Title", text["Dpo.Type." + request.Type].Value, Number(request.Id)].Value;
        await pages.RenderAsync(context, status, new DpoRequestPage(
            page, title, Url(context, "requests/" + request.Id.ToString("D")), Url(context, "people?token=" + request.Person.ToString("D")), facts, history.OrderBy(s => s.At).ToList(), help, actions,
            message is null ? null : text[message].Value, isError), static m => new AspNetCoreGeneratedDocument.Templates_DpoRequest { Model = m });
    }

    // ---- people --------------------------------------------------------------------------------------------------

    public Task LookupPageAsync(HttpContext context) => AsDpoAsync(context, "console.people", null, () =>
    {
        // A request's page links here with the person's token filled in; the reason is still the DPO's to give.
        var token = Guid.TryParse(context.Request.Query["token"], out var person) ? person.ToString("D") : null;
        return LookupFormAsync(context, 200, null, token ?? string.Empty, string.Empty, token is null ? "email" : "token", null);
    });

    private Task LookupFormAsync(HttpContext context, int status, string? error, string value, string note, string kind, string? reason)
    {
        var page = ConsoleContext(context, "people");
        var text = page.Text;
        var kinds = LookupKinds.Select(k => new DpoOption(k, text["Dpo.Lookup.By." + k].Value, k == kind)).ToList();
        var reasons = Reasons.Select(r => new DpoOption(r, text["Dpo.Reason." + r].Value, r == reason)).ToList();
        return pages.RenderAsync(context, status, new DpoLookupPage(page, text["Dpo.Nav.People"].Value, kinds, reasons, error is null ? null : text[error].Value, value, note),
            static m => new AspNetCoreGeneratedDocument.Templates_DpoLookup { Model = m });
    }

    public Task LookupAsync(HttpContext context) => AsDpoPostAsync(context, async (form, _) =>
    {
        var kind = form["by"].ToString();
        var value = form["value"].ToString().Trim();
        var reason = form["reason"].ToString();
        var note = form["note"].ToString().Trim();
        if (!Reasons.Contains(reason) || (reason == "other" && note.Length == 0))
        {
            await LookupFormAsync(context, 400, "Dpo.Lookup.ReasonNeeded", value, note, kind, reason);
            return;
        }

        if (note.Length > 1000)
        {
            await LookupFormAsync(context, 400, "Dpo.Action.ReasonTooLong", value, note, kind, reason);
            return;
        }

        PersonLookup lookup;
        try
        {
            lookup = kind switch
            {
                "token" when Guid.TryParse(value, out var token) => PersonLookup.ByToken(token),
                "email" or "phone" or "login" when value.Length is > 0 and <= 320 => PersonLookup.Create(kind, value),
                _ => throw new VaultInputException("Unknown lookup.", nameof(context)),
            };
        }
        catch (VaultInputException)
        {
            await LookupFormAsync(context, 400, "Dpo.Lookup.Malformed", value, note, kind, reason);
            return;
        }
        catch (ArgumentException)
        {
            await LookupFormAsync(context, 400, "Dpo.Lookup.Malformed", value, note, kind, reason);
            return;
        }

        var vault = context.RequestServices.GetRequiredService<IPersonalDataVault>();
        var person = await vault.GetPersonForPurposeAsync(lookup, Purposes.DataProtection, context.RequestAborted);
        if (person is null)
        {
            await context.RequestServices.GetRequiredService<IVaultAdministration>().RecordAuditEventAsync(LookupOperation, cancellationToken: context.RequestAborted);
            await LookupFormAsync(context, 404, "Dpo.Lookup.NotFound", value, note, kind, reason);
            return;
        }

        // The reason's code and what the DPO wrote, sealed under the person's key: their history puts the code in their
        // own language (PrivacyPortal.Describe), the words stay as the DPO wrote them.
        var stated = reason + (note.Length > 0 ? ": " + note : string.Empty);
        await context.RequestServices.GetRequiredService<IVaultAdministration>().RecordAuditEventAsync(LookupOperation, person.Token, stated, context.RequestAborted);
        await RenderPersonAsync(context, person, stated);
    });

    private async Task RenderPersonAsync(HttpContext context, PersonRecord person, string reason)
    {
        var services = context.RequestServices;
        var ct = context.RequestAborted;
        var page = ConsoleContext(context, "people");
        var text = (PortalText)page.Text;
        var culture = page.Culture;
        var token = person.Token;
        var appData = services.GetRequiredService<IAppDataManager>();
        var sections = new List<PortalSection>();
        foreach (var info in await appData.ListAsync(token, ct))
        {
            sections.Add(new PortalSection(info.App, PrivacyPortal.Fields(text, (await appData.GetAsync(token, info.App, ct))?.WithCredentialsWithheld(text["Data.Withheld"].Value))));
        }

        var consents = new List<DpoConsentRow>();
        foreach (var state in await services.GetRequiredService<IConsentLedger>().GetStateAsync(token, ct))
        {
            var latest = state.Latest;
            consents.Add(new DpoConsentRow(
                state.Activity,
                state.NeedsReconsent ? text["Dpo.Consent.Reconsent"].Value : state.Decision is { } d ? text["Dpo.Decision." + d].Value : text["Consent.NotAsked"].Value,
                latest is null ? string.Empty : text["Dpo.Consent.Notice", latest.Notice, latest.NoticeVersion].Value,
                latest is null ? string.Empty : PortalCulture.Date(latest.At, culture)));
        }

        var sessions = (await services.GetRequiredService<ISessionManager>().ListAsync(token, ct))
            .Select(s => new PortalField(DeviceNames.Describe(s.Label, text), text["Dpo.Session.Seen", PortalCulture.Date(s.CreatedAt, culture), PortalCulture.Date(s.LastSeenAt, culture)].Value))
            .ToList();
        var shares = (await services.GetRequiredService<IShareLinkManager>().ListAsync(token, ct))
            .Select(s => new PortalField(s.Recipient, text[s.RevokedAt is null ? "Dpo.Share.Open" : "Dpo.Share.Revoked", string.Join(", ", s.Fields), PortalCulture.Date(s.ExpiresAt, culture), s.ReadsLeft].Value))
            .ToList();
        var zone = PortalCulture.RequestZone(services);
        var now = Now(context);
        var requests = (await services.GetRequiredService<IPrivacyRequestManager>().ListForPersonAsync(token, ct))
            .OrderByDescending(r => r.ReceivedAt).Select(r => Row(context, page, r, now)).ToList();
        var expiration = await services.GetRequiredService<IExpirationManager>().GetStatusAsync(PersonLookup.ByToken(token), ct);
        var trail = PrivacyPortal.Timeline(
            await services.GetRequiredService<IPersonalDataVault>().GetAuditEventsAsync(token, ct), e => text["Dpo.Trail", e.Actor, PrivacyPortal.Describe(text, pages.Options, e, services.GetService<IPrivacyCatalog>())].Value);

        var email = Email(person);
        await pages.RenderAsync(context, 200, new DpoPersonPage(page, text["Dpo.Person.Title"].Value, token, Url(context, "people/" + token.ToString("D")))
        {
            Profile = PrivacyPortal.Fields(text, person.Profile),
            AppData = sections,
            Consents = consents,
            Sessions = sessions,
            Shares = shares,
            Requests = requests,
            Expiration = expiration?.State switch
            {
                ExpirationState.Waiting when expiration.DueAt is { } due => text["Dpo.Expiration.Waiting", PortalCulture.Date(due, culture)].Value,
                ExpirationState.Retained => text["Dpo.Expiration.Retained"].Value,
                _ => text["Dpo.Expiration.None"].Value,
            },
            ExpirationRunning = expiration?.State == ExpirationState.Waiting,
            Trail = trail,
            ConfirmWith = email ?? token.ToString("D"),
            Reason = reason,
        }, static m => new AspNetCoreGeneratedDocument.Templates_DpoPerson { Model = m });
    }

    public Task PersonActionAsync(HttpContext context, Guid token) => AsDpoPostAsync(context, async (form, _) =>
    {
        var services = context.RequestServices;
        var ct = context.RequestAborted;
        var vault = services.GetRequiredService<IPersonalDataVault>();
        var action = form["action"].ToString();
        var reason = form["why"].ToString().Trim();
        if (action is not ("start-expiration" or "cancel-expiration" or "export" or "forget") || reason.Length is 0 or > 2000)
        {
            // Only from the person page, which carries the reason the DPO gave for looking.
            await MessageAsync(context, 400, "Failed.Title", "Failed.Text", isError: true);
            return;
        }

        var person = await vault.GetPersonForPurposeAsync(PersonLookup.ByToken(token), Purposes.DataProtection, ct);
        if (person is null)
        {
            await MessageAsync(context, 404, "Dpo.Gone.Title", "Dpo.Gone.Text", isError: true);
            return;
        }

        if (action == "forget")
        {
            var email = Email(person);
            if (!string.Equals(form["confirm"].ToString().Trim(), email ?? token.ToString("D"), StringComparison.OrdinalIgnoreCase))
            {
                await MessageAsync(context, 400, "Dpo.Forget.Mismatch.Title", "Dpo.Forget.Mismatch.Text", isError: true);
                return;
            }
        }

        // The reason goes with the action, sealed under the person's key: after it, so that in the person's history (newest
        // first) it stands above the line that says what was done; before a forget, which leaves nothing after it.
        var admin = services.GetRequiredService<IVaultAdministration>();
        Task RecordAsync() => admin.RecordAuditEventAsync(ActionOperation, token, reason, ct);
        switch (action)
        {
            case "start-expiration":
                try
                {
                    await services.GetRequiredService<IExpirationManager>().StartAsync(PersonLookup.ByToken(token), cancellationToken: ct);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or DatabunkerException))
                {
                    // The links could not be sent (no address to mail them to, no link address configured, or the mail
                    // did not go), and the vault starts nothing then. The vault's own failures are not this: they go on.
                    Log.ExpirationNotStarted(
                        services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Databunker.Core.AspNetCore"), ex.GetType().Name);
                    await MessageAsync(context, 409, "Dpo.Expiration.Failed.Title", "Dpo.Expiration.Failed.Text", isError: true);
                    return;
                }

                await RecordAsync();
                await MessageAsync(context, 200, "Dpo.Done.Title", "Dpo.Done.ExpirationStarted", isError: false);
                return;
            case "cancel-expiration":
                if (await services.GetRequiredService<IExpirationManager>().CancelAsync(PersonLookup.ByToken(token), ct))
                {
                    await RecordAsync();
                }

                await MessageAsync(context, 200, "Dpo.Done.Title", "Dpo.Done.ExpirationCancelled", isError: false);
                return;
            case "export":
                var buffer = new MemoryStream();
                await using (buffer.ConfigureAwait(false))
                {
                    await services.GetRequiredService<IPersonExporter>().ExportAsync(token, buffer, ct);
                    await RecordAsync();
                    await JsonAttachment.WriteAsync(context, buffer, $"export-{token:N}.json");
                }

                return;
            default:
                await RecordAsync();
                await vault.ForgetPersonAsync(PersonLookup.ByToken(token), ct);
                await MessageAsync(context, 200, "Dpo.Done.Title", "Dpo.Done.Forgotten", isError: false);
                return;
        }
    });

    private static string? Email(PersonRecord person) =>
        person.Profile.ValueKind == JsonValueKind.Object && person.Profile.TryGetProperty("email", out var address) && address.ValueKind == JsonValueKind.String
            ? address.GetString()
            : null;

    // ---- catalogue and consents ------------------------------------------------------------------------------------

    public Task CataloguePageAsync(HttpContext context) => AsDpoAsync(context, "console.catalogue", null, async () =>
    {
        var page = ConsoleContext(context, "catalogue");
        var text = page.Text;
        var catalog = context.RequestServices.GetRequiredService<IPrivacyCatalog>();
        var activities = catalog.Activities.Select(a => new DpoActivity(
            a.Name, a.Purpose, text["Dpo.Basis." + a.LegalBasis].Value + (a.LegalBasisDetail is { Length: > 0 } detail ? " (" + detail + ")" : string.Empty),
            a.RetentionDescription ?? (a.Retention is { } r ? text["Dpo.Retention.Days", (int)r.TotalDays].Value : text["Dpo.Retention.None"].Value),
            a.Notice ?? "—")).ToList();
        var notices = new List<DpoNotice>();
        foreach (var name in catalog.Activities.Select(a => a.Notice).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var versions = await catalog.GetNoticeHistoryAsync(name, context.RequestAborted);
            notices.Add(new DpoNotice(name, versions.OrderByDescending(v => v.Version).Select(v => new DpoNoticeVersion(v.Version, PortalCulture.Date(v.PublishedAt, page.Culture), v.Text)).ToList()));
        }

        var downloads = new[] { ("record.json", "Dpo.Download.RecordJson"), ("record.md", "Dpo.Download.RecordMarkdown"), ("record.csv", "Dpo.Download.RecordCsv"), ("retention-notice.md", "Dpo.Download.Retention") }
            .Select(d => new PortalLink(text[d.Item2].Value, Url(context, "catalogue/" + d.Item1), false)).ToList();
        var none = text["Dpo.Record.None"].Value;
        string List(IReadOnlyList<string> items) => items.Count == 0 ? none : string.Join("; ", items);
        var record = catalog.Activities.Select(a => new PortalSection(a.Name,
        [
            new(text["Dpo.Record.Purpose"].Value, a.Purpose),
            new(text["Dpo.Catalogue.Basis"].Value, text["Dpo.Basis." + a.LegalBasis].Value + (a.LegalBasisDetail is { Length: > 0 } detail ? " (" + detail + ")" : string.Empty)),
            new(text["Dpo.Record.Subjects"].Value, List(a.SubjectCategories)),
            new(text["Dpo.Record.Data"].Value, List(a.DataCategories)),
            new(text["Dpo.Record.Recipients"].Value, List(a.Recipients)),
            new(text["Dpo.Record.Transfers"].Value, List(a.Transfers.Select(t => t.Destination + " (" + t.Safeguard + ")").ToList())),
            new(text["Dpo.Record.Retention"].Value, a.RetentionDescription ?? (a.Retention is { } r ? text["Dpo.Retention.Days", (int)r.TotalDays].Value : none)),
            new(text["Dpo.Record.Security"].Value, List(a.SecurityMeasures)),
        ])).ToList();
        await pages.RenderAsync(context, 200, new DpoCataloguePage(page, text["Dpo.Nav.Catalogue"].Value, activities, notices, downloads, record),
            static m => new AspNetCoreGeneratedDocument.Templates_DpoCatalogue { Model = m });
    });

    public Task CatalogueDocumentAsync(HttpContext context, string document) => AsDpoAsync(context, "console.catalogue", null, async () =>
    {
        var catalog = context.RequestServices.GetRequiredService<IPrivacyCatalog>();
        var (body, type) = document switch
        {
            "record.json" => (catalog.GetRecordOfProcessingJson(), "application/json"),
            "record.md" => (catalog.GetRecordOfProcessingMarkdown(), "text/markdown; charset=utf-8"),
            "record.csv" => (RecordCsv(catalog), "text/csv; charset=utf-8"),
            "retention-notice.md" => (catalog.GetRetentionNoticeMarkdown(), "text/markdown; charset=utf-8"),
            _ => (null, null),
        };
        if (body is null)
        {
            await MessageAsync(context, 404, "Dpo.NotFound.Title", "Dpo.NotFound.Text", isError: true);
            return;
        }

        context.Response.ContentType = type;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{document}\"";
        await context.Response.WriteAsync(body, context.RequestAborted);
    });

    /// <summary>The Art. 30 record as CSV (RFC 4180): one row per activity, lists joined by "; ".</summary>
    internal static string RecordCsv(IPrivacyCatalog catalog)
    {
        var csv = new StringBuilder("name,purpose,legal_basis,legal_basis_detail,subject_categories,data_categories,recipients,transfers,retention_days,retention,security_measures,notice\r\n");
        foreach (var a in catalog.Activities)
        {
            string[] cells =
            [
                a.Name, a.Purpose, a.LegalBasis.ToString(), a.LegalBasisDetail ?? string.Empty, string.Join("; ", a.SubjectCategories), string.Join("; ", a.DataCategories),
                string.Join("; ", a.Recipients), string.Join("; ", a.Transfers.Select(t => t.Destination + " (" + t.Safeguard + ")")),
                a.Retention is { } r ? ((int)r.TotalDays).ToString(CultureInfo.InvariantCulture) : string.Empty, a.RetentionDescription ?? string.Empty,
                string.Join("; ", a.SecurityMeasures), a.Notice ?? string.Empty,
            ];
            csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
        }

        return csv.ToString();

        // Quoted where needed; a cell that a spreadsheet would run as a formula starts with an apostrophe (CWE-1236).
        static string Cell(string value)
        {
            if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n')
            {
                value = "'" + value;
            }

            return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
        }
    }

    public Task ConsentsPageAsync(HttpContext context) => AsDpoAsync(context, "console.consents", null, async () =>
    {
        var page = ConsoleContext(context, "consents");
        var text = page.Text;
        var services = context.RequestServices;
        var catalog = services.GetRequiredService<IPrivacyCatalog>();
        var ledger = services.GetRequiredService<IConsentLedger>();
        var counts = new List<DpoConsentCount>();
        foreach (var activity in catalog.Activities.Where(a => a.LegalBasis == LegalBasis.Consent))
        {
            var current = activity.Notice is { } notice ? (await catalog.GetNoticeAsync(notice, null, context.RequestAborted))?.Version : null;
            var byVersion = new SortedDictionary<(string Notice, int Version), long[]>();
            foreach (var decision in Enum.GetValues<ConsentDecision>())
            {
                long after = 0;
                while (true)
                {
                    var batch = await ledger.ListByLatestDecisionAsync(activity.Name, decision, after, 1000, context.RequestAborted);
                    foreach (var latest in batch.Select(p => p.Latest))
                    {
                        var key = (latest.Notice, latest.NoticeVersion);
                        if (!byVersion.TryGetValue(key, out var row))
                        {
                            byVersion[key] = row = new long[5];
                        }

                        // A consent given on an older version of the activity's notice needs asking again, as the ledger says on read.
                        var stale = decision == ConsentDecision.Granted && latest.Notice == activity.Notice && current is { } v && latest.NoticeVersion < v;
                        row[stale ? 4 : decision switch
                        {
                            ConsentDecision.Granted => 0,
                            ConsentDecision.Refused => 1,
                            ConsentDecision.Withdrawn => 2,
                            ConsentDecision.Expired => 3,
                            _ => 4,
                        }]++;
                    }

                    if (batch.Count < 1000)
                    {
                        break;
                    }

                    after = batch[^1].Latest.Id;
                }
            }

            if (byVersion.Count == 0)
            {
                counts.Add(new DpoConsentCount(activity.Purpose, activity.Name, activity.Notice ?? "—", current ?? 0, true, 0, 0, 0, 0, 0));
            }

            foreach (var ((noticeName, version), row) in byVersion.Reverse())
            {
                counts.Add(new DpoConsentCount(activity.Purpose, activity.Name, noticeName, version, noticeName == activity.Notice && version == current, row[0], row[1], row[2], row[3], row[4]));
            }
        }

        await pages.RenderAsync(context, 200, new DpoConsentsPage(page, text["Dpo.Nav.Consents"].Value, counts), static m => new AspNetCoreGeneratedDocument.Templates_DpoConsents { Model = m });
    });

    // ---- operations ----------------------------------------------------------------------------------------------

    public Task OperationsPageAsync(HttpContext context) => AsDpoAsync(context, "console.operations", null, () => RenderOperationsAsync(context, null));

    public Task MinimisationAsync(HttpContext context) => AsDpoPostAsync(context, async (_, _) =>
    {
        await AuditViewAsync(context, MinimisationOperation, null);
        await RenderOperationsAsync(context, null, await context.RequestServices.GetRequiredService<IVaultAdministration>().GetMinimisationReportAsync(context.RequestAborted));
    });

    public Task VerifyAsync(HttpContext context) => AsDpoPostAsync(context, async (_, _) =>
    {
        await AuditViewAsync(context, VerifyOperation, null);
        await RenderOperationsAsync(context, await context.RequestServices.GetRequiredService<IVaultAdministration>().VerifyAuditTrailAsync(cancellationToken: context.RequestAborted));
    });

    private async Task RenderOperationsAsync(HttpContext context, AuditVerification? verification, MinimisationReport? report = null)
    {
        var page = ConsoleContext(context, "operations");
        var text = page.Text;
        var culture = page.Culture;
        var admin = context.RequestServices.GetRequiredService<IVaultAdministration>();
        var ct = context.RequestAborted;
        var passes = (await admin.GetRecentPassesAsync(ct)).Select(p => new DpoPassRow(
            p.StartedAt,
            text["Dpo.Pass.Duration", Math.Round(p.Duration.TotalSeconds, 1).ToString("0.0", culture)].Value,
            p.Handled.Any(h => h.Value > 0)
                ? string.Join(", ", p.Handled.Where(h => h.Value > 0).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => text["Dpo.Pass.Module", Module(text, h.Key), h.Value].Value))
                : text["Dpo.Pass.Nothing"].Value,
            p.FailedModule is null ? null : text["Dpo.Pass.Failed", Module(text, p.FailedModule), p.Failure ?? string.Empty].Value)).ToList();
        var backlog = await admin.GetBacklogByModuleAsync(ct);
        var head = verification?.Head ?? await admin.GetAuditChainHeadAsync(ct);
        var keys = await admin.GetKeyStatusAsync(ct);
        await pages.RenderAsync(context, 200, new DpoOperationsPage(page, text["Dpo.Nav.Operations"].Value)
        {
            Passes = passes,
            Backlog = backlog.Select(m => new PortalField(
                ((PortalText)text).Or("Dpo.Backlog.Module." + m.Module, m.Module),
                m.EarliestDue is not { } due ? text["Dpo.Backlog.None"].Value
                    : m.Overdue > TimeSpan.Zero ? text["Dpo.Backlog.Overdue", PortalCulture.Date(due, culture), (int)Math.Ceiling(m.Overdue.TotalMinutes)].Value
                    : text["Dpo.Backlog.Next", PortalCulture.Date(due, culture)].Value)).ToList(),
            Chain =
            [
                new(text["Dpo.Chain.Sequence"].Value, head.Sequence.ToString("N0", culture)),
                new(text["Dpo.Chain.Link"].Value, head.Link),
            ],
            Keys =
            [
                new(text["Dpo.Keys.Current"].Value, keys.CurrentKeyVersion),
                new(text["Dpo.Keys.Older"].Value, keys.DataKeysUnderOlderVersions.ToString("N0", culture)),
                new(text["Dpo.Keys.BlindIndex"].Value, text["Dpo.Keys.Version", keys.BlindIndexVersion, keys.IndexEntriesUnderOlderVersions.ToString("N0", culture)].Value),
                new(text["Dpo.Keys.TokenSeal"].Value, keys.TokenSealVersion.ToString(culture)),
            ],
            Verification = verification is null ? null : verification.IsIntact
                ? text["Dpo.Chain.Intact", verification.EventsChecked.ToString("N0", culture)].Value
                : text["Dpo.Chain.Broken", verification.EventsChecked.ToString("N0", culture), verification.FirstBrokenSequence?.ToString(culture) ?? "?"].Value,
            VerificationFailed = verification is { IsIntact: false },
            VerifyUrl = Url(context, "operations/verify"),
            Minimisation = report?.Fields.Select(f => new DpoFieldUsageRow(
                f.Field,
                f.Persons.ToString("N0", culture),
                f.Purposes.Count == 0 ? text["Dpo.Min.None"].Value : string.Join(", ", f.Purposes),
                f.WithoutPurpose.ToString("N0", culture),
                f.PastRetention.ToString("N0", culture),
                f.WithoutPurpose + f.PastRetention > 0)).ToList(),
            MinimisationSummary = report is null ? null
                : text["Dpo.Min.Summary", report.Persons.ToString("N0", culture), report.OverCollected.Count(), report.PastRetention.Count()].Value,
            MinimisationUrl = Url(context, "operations/minimisation") + "#minimisation",
        }, static m => new AspNetCoreGeneratedDocument.Templates_DpoOperations { Model = m });
    }

    private static string Module(IStringLocalizer text, string module) => ((PortalText)text).Or("Dpo.Module." + module, module);

    // ---- words ---------------------------------------------------------------------------------------------------

    /// <summary>A request's short number: the first eight hex digits of its id, as the mails show it.</summary>
    internal static string Number(Guid id) => id.ToString("N")[..8].ToUpperInvariant();

    private static string Outcome(IStringLocalizer text, PrivacyRequest request) => request.Outcome switch
    {
        null => request.IsClosed ? text["Dpo.State." + request.State].Value : text["Dpo.Outcome.Pending"].Value,
        var code when ((PortalText)text).Has("Dpo.Outcome." + code) => text["Dpo.Outcome." + code].Value,
        var code => text["Dpo.Outcome.Other", code].Value,
    };

    private static string DaysLeft(IStringLocalizer text, int days) =>
        days < 0 ? text["Dpo.Days.Overdue", -days].Value : days == 0 ? text["Dpo.Days.Today"].Value : text["Dpo.Days.Left", days].Value;

    /// <summary>Whole days from today to the last day of the period, in the requests' time zone; negative once it is past.</summary>
    private static int DaysLeft(PrivacyRequest request, TimeZoneInfo zone, DateTimeOffset now) =>
        (TimeZoneInfo.ConvertTime(request.DueAt.AddTicks(-1), zone).Date - TimeZoneInfo.ConvertTime(now, zone).Date).Days;

    private static bool IsOverdue(PrivacyRequest request, DateTimeOffset now) => !request.IsClosed && request.DueAt <= now;

    private DpoRequestRow Row(HttpContext context, PortalPageContext page, PrivacyRequest request, DateTimeOffset now)
    {
        var text = page.Text;
        var zone = PortalCulture.RequestZone(context.RequestServices);
        var days = DaysLeft(request, zone, now);
        return new DpoRequestRow(
            Url(context, "requests/" + request.Id.ToString("D")), Number(request.Id), text["Dpo.Type." + request.Type].Value, text["Dpo.Regime." + request.Regime].Value,
            text["Dpo.State." + request.State].Value, PortalCulture.Day(request.ReceivedAt, zone, page.Culture), PortalCulture.LastDay(request.DueAt, zone, page.Culture),
            days, IsOverdue(request, now), !request.IsClosed);
    }

    private static List<DpoOption> Options<TEnum>(IStringLocalizer text, string prefix, TEnum? chosen, string all)
        where TEnum : struct, Enum =>
        [new DpoOption(string.Empty, text[all].Value, chosen is null), .. Enum.GetValues<TEnum>().Select(v => new DpoOption(v.ToString(), text[prefix + v].Value, chosen is { } c && c.Equals(v)))];

    private static TEnum? Parse<TEnum>(string? value)
        where TEnum : struct, Enum =>
        value is { Length: > 0 } && !int.TryParse(value, out _) && Enum.TryParse<TEnum>(value, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;

    private static DateTimeOffset Now(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    // ---- plumbing ------------------------------------------------------------------------------------------------

    private PortalPageContext ConsoleContext(HttpContext context, string current)
    {
        var page = pages.Context(context);
        var navigation = Navigation.Select(n => new PortalLink(page.Text[n.Text].Value, Url(context, n.Path), n.Path == current)).ToArray();
        return page with { Navigation = navigation, Area = page.Text["Dpo.Area"].Value };
    }

    /// <summary>A page that only says something, inside the console's frame.</summary>
    private Task MessageAsync(HttpContext context, int status, string title, string message, bool isError) =>
        pages.MessageAsync(context, status, title, message, isError, ConsoleContext(context, string.Empty));

    private string Url(HttpContext context, string page) => context.Request.PathBase + basePath + (page.Length == 0 ? "/" : "/" + page);

    /// <summary>The DPO's account name, which the vault records as the actor and the approver; <see langword="null"/> when the host gives none.</summary>
    private static string? Actor(HttpContext context) => context.User.Identity?.Name is { Length: > 0 and <= 200 } name ? name : null;

    private static Task AuditViewAsync(HttpContext context, string operation, Guid? person) =>
        context.RequestServices.GetRequiredService<IVaultAdministration>().RecordAuditEventAsync(operation, person, cancellationToken: context.RequestAborted);

    /// <summary>Runs a page as the signed-in DPO, after auditing the view (<paramref name="view"/>, when it names no one).</summary>
    private async Task AsDpoAsync(HttpContext context, string? view, Guid? person, Func<Task> page)
    {
        SecurityHeaders.Apply(context.Response);
        if (Actor(context) is not { } actor)
        {
            await MessageAsync(context, 403, "Dpo.NoName.Title", "Dpo.NoName.Text", isError: true);
            return;
        }

        using (AuditActor.Begin(actor))
        {
            if (view is not null)
            {
                await AuditViewAsync(context, view, person);
            }

            await page();
        }
    }

    private async Task AsDpoPostAsync(HttpContext context, Func<IFormCollection, string, Task> action)
    {
        SecurityHeaders.Apply(context.Response);
        if (Actor(context) is not { } actor)
        {
            await MessageAsync(context, 403, "Dpo.NoName.Title", "Dpo.NoName.Text", isError: true);
            return;
        }

        if (AdminApi.IsCrossSiteStateChange(context.Request) || await LimitedForm.ReadAsync(context, SmallForm) is not { } form)
        {
            await MessageAsync(context, 400, "Expired.Title", "Expired.Text", isError: true);
            return;
        }

        System.Globalization.CultureInfo.CurrentUICulture = PortalCulture.Resolve(context, pages.Options.Languages);
        using (AuditActor.Begin(actor))
        {
            try
            {
                await action(form, actor);
            }
            catch (Exception ex) when (ex is PersonNotFoundException or PrivacyRequestNotFoundException)
            {
                await MessageAsync(context, 404, "Dpo.NotFound.Title", "Dpo.NotFound.Text", isError: true);
            }
            catch (VaultInputException)
            {
                await MessageAsync(context, 400, "Failed.Title", "Failed.Text", isError: true);
            }
        }
    }
}
