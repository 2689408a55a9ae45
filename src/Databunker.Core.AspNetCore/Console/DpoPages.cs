namespace Databunker.Core.AspNetCore;

/// <summary>The console's request queue: the filters and the matching requests, due first.</summary>
internal sealed class DpoQueuePage(PortalPageContext context, string title, DpoQueueFilter filter, IReadOnlyList<DpoRequestRow> rows, bool more, IReadOnlyList<DpoHelp> help)
    : PortalPage(context, title)
{
    public DpoQueueFilter Filter { get; } = filter;

    public IReadOnlyList<DpoRequestRow> Rows { get; } = rows;

    /// <summary>Whether more requests match than the page shows.</summary>
    public bool More { get; } = more;

    /// <summary>What each state means, for the help under the table.</summary>
    public IReadOnlyList<DpoHelp> Help { get; } = help;
}

/// <summary>The queue's filters, each with its options (the chosen one marked).</summary>
internal sealed record DpoQueueFilter(IReadOnlyList<DpoOption> States, IReadOnlyList<DpoOption> Types, IReadOnlyList<DpoOption> Regimes, bool OverdueOnly);

/// <summary>An option of a list: the value posted, its words, and whether it is chosen.</summary>
internal sealed record DpoOption(string Value, string Text, bool Selected);

/// <summary>A request in the queue.</summary>
internal sealed record DpoRequestRow(string Href, string Number, string Type, string Regime, string State, string Received, string LastDay, int DaysLeft, bool Overdue, bool IsOpen);

/// <summary>A term and the sentence that explains it, with the article it comes from.</summary>
internal sealed record DpoHelp(string Term, string Text);

/// <summary>A request in full: its history, its verification, its result, and what the DPO can do with it.</summary>
internal sealed class DpoRequestPage(
    PortalPageContext context, string title, string postUrl, string personUrl, IReadOnlyList<PortalField> facts, IReadOnlyList<DpoStep> history, IReadOnlyList<DpoHelp> help,
    IReadOnlyList<DpoAction> actions, string? message, bool isError)
    : PortalPage(context, title)
{
    public string PostUrl { get; } = postUrl;

    /// <summary>The lookup form with the person's token filled in.</summary>
    public string PersonUrl { get; } = personUrl;

    public IReadOnlyList<PortalField> Facts { get; } = facts;

    public IReadOnlyList<DpoStep> History { get; } = history;

    public IReadOnlyList<DpoHelp> Help { get; } = help;

    public IReadOnlyList<DpoAction> Actions { get; } = actions;

    public string? Message { get; } = message;

    public bool IsError { get; } = isError;
}

/// <summary>A step of a request's history.</summary>
internal sealed record DpoStep(DateTimeOffset At, string What);

/// <summary>An action on a request: its form's value, its button, what it does, and whether it asks for a reason.</summary>
internal sealed record DpoAction(string Value, string Button, string Explanation, bool NeedsReason, bool IsDanger, bool NeedsConfirmation = false);

/// <summary>The person lookup: the form, and why the last one found nothing.</summary>
internal sealed class DpoLookupPage(PortalPageContext context, string title, IReadOnlyList<DpoOption> kinds, IReadOnlyList<DpoOption> reasons, string? error, string value, string note)
    : PortalPage(context, title)
{
    public IReadOnlyList<DpoOption> Kinds { get; } = kinds;

    public IReadOnlyList<DpoOption> Reasons { get; } = reasons;

    public string? Error { get; } = error;

    public string Value { get; } = value;

    public string Note { get; } = note;
}

/// <summary>What the vault holds about one person, as a DPO sees it after stating why.</summary>
internal sealed class DpoPersonPage(PortalPageContext context, string title, Guid token, string actionUrl) : PortalPage(context, title)
{
    public Guid Token { get; } = token;

    public string ActionUrl { get; } = actionUrl;

    public IReadOnlyList<PortalField> Profile { get; init; } = [];

    public IReadOnlyList<PortalSection> AppData { get; init; } = [];

    public IReadOnlyList<DpoConsentRow> Consents { get; init; } = [];

    public IReadOnlyList<PortalField> Sessions { get; init; } = [];

    public IReadOnlyList<PortalField> Shares { get; init; } = [];

    public IReadOnlyList<DpoRequestRow> Requests { get; init; } = [];

    public string Expiration { get; init; } = string.Empty;

    public bool ExpirationRunning { get; init; }

    public IReadOnlyList<PortalEvent> Trail { get; init; } = [];

    /// <summary>The reason the DPO gave for looking, which every action of the page posts again (and the trail records).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>What the DPO types to confirm a forget: the person's email address, or their token when they have none.</summary>
    public string ConfirmWith { get; init; } = string.Empty;
}

/// <summary>A consent on the person page: the activity, the decision and the notice version it was made on.</summary>
internal sealed record DpoConsentRow(string Activity, string Decision, string Notice, string At);

/// <summary>The catalogue: its activities and notices with every version, and the documents to download.</summary>
internal sealed class DpoCataloguePage(
    PortalPageContext context, string title, IReadOnlyList<DpoActivity> activities, IReadOnlyList<DpoNotice> notices, IReadOnlyList<PortalLink> downloads, IReadOnlyList<PortalSection> record)
    : PortalPage(context, title)
{
    public IReadOnlyList<DpoActivity> Activities { get; } = activities;

    public IReadOnlyList<DpoNotice> Notices { get; } = notices;

    public IReadOnlyList<PortalLink> Downloads { get; } = downloads;

    /// <summary>The record of processing activities (Art. 30(1)), one section per activity.</summary>
    public IReadOnlyList<PortalSection> Record { get; } = record;
}

/// <summary>An activity of the catalogue.</summary>
internal sealed record DpoActivity(string Name, string Purpose, string LegalBasis, string Retention, string Notice);

/// <summary>A notice and its versions.</summary>
internal sealed record DpoNotice(string Name, IReadOnlyList<DpoNoticeVersion> Versions);

/// <summary>A version of a notice.</summary>
internal sealed record DpoNoticeVersion(int Version, string Published, string Text);

/// <summary>The consent overview: counts per purpose and notice version, no person.</summary>
internal sealed class DpoConsentsPage(PortalPageContext context, string title, IReadOnlyList<DpoConsentCount> counts) : PortalPage(context, title)
{
    public IReadOnlyList<DpoConsentCount> Counts { get; } = counts;
}

/// <summary>How many people's latest decision on a purpose, made on a version of its notice, is what.</summary>
internal sealed record DpoConsentCount(string Purpose, string Activity, string Notice, int Version, bool IsCurrent, long Granted, long Refused, long Withdrawn, long Expired, long Reconsent);

/// <summary>Operations: the scheduler's passes, the backlog, the audit chain and the keys.</summary>
internal sealed class DpoOperationsPage(PortalPageContext context, string title) : PortalPage(context, title)
{
    public IReadOnlyList<DpoPassRow> Passes { get; init; } = [];

    public IReadOnlyList<PortalField> Backlog { get; init; } = [];

    public IReadOnlyList<PortalField> Chain { get; init; } = [];

    public IReadOnlyList<PortalField> Keys { get; init; } = [];

    /// <summary>The minimisation report's rows, once the DPO asked for one.</summary>
    public IReadOnlyList<DpoFieldUsageRow>? Minimisation { get; init; }

    public string? MinimisationSummary { get; init; }

    public string MinimisationUrl { get; init; } = string.Empty;

    /// <summary>The verification's result, once the DPO asked for one.</summary>
    public string? Verification { get; init; }

    public bool VerificationFailed { get; init; }

    public string VerifyUrl { get; init; } = string.Empty;
}

/// <summary>A due-work pass: when, what each module did, and the failure.</summary>
internal sealed record DpoPassRow(DateTimeOffset At, string Duration, string Done, string? Failure);

/// <summary>One field of the minimisation report, as the console shows it; <see cref="Flagged"/> when someone holds it with no purpose or past retention.</summary>
internal sealed record DpoFieldUsageRow(string Field, string Persons, string Purposes, string WithoutPurpose, string PastRetention, bool Flagged);
