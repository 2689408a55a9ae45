namespace Databunker.Core.AspNetCore;

/// <summary>"My data": the profile and each application's data, and the download.</summary>
public sealed class PortalDataPage : PortalPage
{
    internal PortalDataPage(PortalPageContext context, string title, IReadOnlyList<PortalField> profile, IReadOnlyList<PortalSection> sections, string exportUrl, string? correctUrl)
        : base(context, title) => (Profile, Sections, ExportUrl, CorrectUrl) = (profile, sections, exportUrl, correctUrl);

    /// <summary>Where the person corrects their profile, or <see langword="null"/> when the host lets them correct no field.</summary>
    public string? CorrectUrl { get; }

    /// <summary>The profile's fields, each with its label in the person's language where the package knows the field.</summary>
    public IReadOnlyList<PortalField> Profile { get; }

    /// <summary>The data each application keeps about the person.</summary>
    public IReadOnlyList<PortalSection> Sections { get; }

    /// <summary>Where the download of everything (JSON) is.</summary>
    public string ExportUrl { get; }
}

/// <summary>A field and its value as stored.</summary>
/// <param name="Label">The field's label.</param>
/// <param name="Value">The value, as text.</param>
public sealed record PortalField(string Label, string Value);

/// <summary>An application's data about the person.</summary>
/// <param name="Name">The application's name, as the host stored it.</param>
/// <param name="Fields">Its fields.</param>
public sealed record PortalSection(string Name, IReadOnlyList<PortalField> Fields);

/// <summary>"My consents": each purpose, the person's choice and one button to change it.</summary>
public sealed class PortalConsentsPage : PortalPage
{
    internal PortalConsentsPage(PortalPageContext context, string title, IReadOnlyList<PortalConsent> consents)
        : base(context, title) => Consents = consents;

    /// <summary>The purposes the person was or can be asked about.</summary>
    public IReadOnlyList<PortalConsent> Consents { get; }
}

/// <summary>One purpose on the consents page.</summary>
/// <param name="Activity">The processing activity's name: the value the form posts.</param>
/// <param name="Purpose">What the data is used for, as the catalog says it.</param>
/// <param name="Status">Where the choice stands, as a sentence with its date.</param>
/// <param name="Granted">Whether consent holds now.</param>
/// <param name="Button">What the button says ("Give consent", "Withdraw").</param>
/// <param name="Decided">The notice as it was when the person last decided, or <see langword="null"/> when they never did.</param>
/// <param name="Current">
/// The activity's notice as it is now: when the person never decided, or when it is another notice or version than
/// <paramref name="Decided"/>; otherwise <see langword="null"/>.
/// </param>
/// <param name="ValidUntil">When a given consent runs out, or <see langword="null"/>.</param>
public sealed record PortalConsent(string Activity, string Purpose, string Status, bool Granted, string Button, PortalNotice? Decided, PortalNotice? Current, DateTimeOffset? ValidUntil);

/// <summary>A version of a privacy notice, as the host published it.</summary>
/// <param name="Version">Its version number.</param>
/// <param name="Text">Its text.</param>
public sealed record PortalNotice(int Version, string Text);

/// <summary>"My requests": the person's requests and the form to send one.</summary>
public sealed class PortalRequestsPage : PortalPage
{
    internal PortalRequestsPage(PortalPageContext context, string title, IReadOnlyList<PortalRequest> requests, IReadOnlyList<PortalChoice> choices, string? error)
        : base(context, title) => (Requests, Choices, Error) = (requests, choices, error);

    /// <summary>The requests, newest first.</summary>
    public IReadOnlyList<PortalRequest> Requests { get; }

    /// <summary>What the person can ask for.</summary>
    public IReadOnlyList<PortalChoice> Choices { get; }

    /// <summary>Why the last form was refused, or <see langword="null"/>.</summary>
    public string? Error { get; }
}

/// <summary>One request, in words.</summary>
/// <param name="What">What was asked for.</param>
/// <param name="ReceivedAt">When it was received.</param>
/// <param name="Status">Where it stands, as a sentence (with its due date while it is open).</param>
public sealed record PortalRequest(string What, DateTimeOffset ReceivedAt, string Status);

/// <summary>An option of a form's list.</summary>
/// <param name="Value">The value posted.</param>
/// <param name="Text">What the option says.</param>
public sealed record PortalChoice(string Value, string Text);

/// <summary>"My sessions": where the person is signed in.</summary>
public sealed class PortalSessionsPage : PortalPage
{
    internal PortalSessionsPage(PortalPageContext context, string title, IReadOnlyList<PortalSession> sessions)
        : base(context, title) => Sessions = sessions;

    /// <summary>The sessions, the current one marked.</summary>
    public IReadOnlyList<PortalSession> Sessions { get; }
}

/// <summary>One session.</summary>
/// <param name="Handle">The session's handle: the value the sign-out form posts (never the session's id).</param>
/// <param name="Device">The browser and system it was signed in from, in the page's language ("Firefox on Windows").</param>
/// <param name="CreatedAt">When it was signed in.</param>
/// <param name="LastSeenAt">When it was last used.</param>
/// <param name="IsCurrent">Whether it is the browser showing the page.</param>
public sealed record PortalSession(Guid Handle, string Device, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, bool IsCurrent);

/// <summary>"Correct my data": the fields the host lets the person change, each with its error if the last save refused it.</summary>
public sealed class PortalCorrectPage : PortalPage
{
    internal PortalCorrectPage(PortalPageContext context, string title, IReadOnlyList<PortalEditableField> fields, string? message, bool isError)
        : base(context, title) => (Fields, Message, IsError) = (fields, message, isError);

    /// <summary>The fields, in the host's order.</summary>
    public IReadOnlyList<PortalEditableField> Fields { get; }

    /// <summary>What the last save did, or why it changed nothing; <see langword="null"/> before a save.</summary>
    public string? Message { get; }

    /// <summary>Whether <see cref="Message"/> reports a refusal.</summary>
    public bool IsError { get; }
}

/// <summary>A field of the correction form.</summary>
/// <param name="Name">The profile field's name: the input's name is <c>field.</c> and this.</param>
/// <param name="Label">Its label in the page's language.</param>
/// <param name="Value">The value shown: the stored one, or what the person typed if the save refused it.</param>
/// <param name="InputType">The input's type: <c>email</c>, <c>tel</c> or <c>text</c>.</param>
/// <param name="AutoComplete">The input's autocomplete token (<c>email</c>, <c>tel</c>, <c>name</c>, ...), or <c>off</c>.</param>
/// <param name="CheckedFirst">Whether a change is a request that the host checks before it applies.</param>
/// <param name="Error">Why the value was refused, or <see langword="null"/>.</param>
public sealed record PortalEditableField(string Name, string Label, string Value, string InputType, string AutoComplete, bool CheckedFirst, string? Error);

/// <summary>"My history": what was done with the person's data, as sentences.</summary>
public sealed class PortalHistoryPage : PortalPage
{
    internal PortalHistoryPage(PortalPageContext context, string title, IReadOnlyList<PortalEvent> events)
        : base(context, title) => Events = events;

    /// <summary>The events, newest first.</summary>
    public IReadOnlyList<PortalEvent> Events { get; }
}

/// <summary>One event of the history, or the same event several times in a row.</summary>
/// <param name="At">When it happened (the latest time, for a repeated one).</param>
/// <param name="What">What happened, as a sentence naming who did it.</param>
/// <param name="Succeeded">Whether it succeeded.</param>
/// <param name="Times">How many times in a row it happened.</param>
public sealed record PortalEvent(DateTimeOffset At, string What, bool Succeeded, int Times);

/// <summary>"Delete my account".</summary>
public sealed class PortalDeletePage : PortalPage
{
    internal PortalDeletePage(PortalPageContext context, string title, bool immediately)
        : base(context, title) => Immediately = immediately;

    /// <summary>Whether the account goes at once; otherwise the button sends an erasure request.</summary>
    public bool Immediately { get; }
}

/// <summary>The sign-in: the address form, or the code form once a code was sent.</summary>
public sealed class PortalSignInPage : PortalPage
{
    internal PortalSignInPage(PortalPageContext context, string title, bool codeSent, string? error)
        : base(context, title) => (CodeSent, Error) = (codeSent, error);

    /// <summary>Whether the page asks for the code (a code was sent if the address has an account) rather than the address.</summary>
    public bool CodeSent { get; }

    /// <summary>Why the last code did not work, or <see langword="null"/>.</summary>
    public string? Error { get; }
}

/// <summary>A page that only says something: a result, or why something did not work.</summary>
public sealed class PortalMessagePage : PortalPage
{
    internal PortalMessagePage(PortalPageContext context, string title, string message, bool isError)
        : base(context, title) => (Message, IsError) = (message, isError);

    /// <summary>What the page says.</summary>
    public string Message { get; }

    /// <summary>Whether it reports a failure (announced to screen readers at once).</summary>
    public bool IsError { get; }
}

/// <summary>The page of a "keep my data" or "delete my data" link, before the person confirms.</summary>
public sealed class ExpirationLinkPage : PortalPage
{
    internal ExpirationLinkPage(PortalPageContext context, string title, bool delete, DateTimeOffset dueAt, string token, string postUrl)
        : base(context, title) => (Delete, DueAt, Token, PostUrl) = (delete, dueAt, token, postUrl);

    /// <summary>Whether the link deletes (otherwise it keeps).</summary>
    public bool Delete { get; }

    /// <summary>When the account is due to be deleted.</summary>
    public DateTimeOffset DueAt { get; }

    /// <summary>The link's token, which the form posts in its body.</summary>
    public string Token { get; }

    /// <summary>Where the form posts.</summary>
    public string PostUrl { get; }
}
