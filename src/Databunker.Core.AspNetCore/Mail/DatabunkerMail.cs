using System.Globalization;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// Delivers the mails of the vault (<see cref="DatabunkerMailKind"/>) through the host's own transport: SMTP (MailKit, say),
/// a mail service's API, an outbox table. The host implements it and registers it, with any lifetime, beside
/// <see cref="DatabunkerMailExtensions.AddDatabunkerMail"/>; the package composes every mail, in the person's language, and
/// asks for one sender in a scope of its own for each mail.
/// </summary>
public interface IDatabunkerMailSender
{
    /// <summary>
    /// Sends one mail. Never log its address or its bodies: they hold personal data, and the expiration's links and the
    /// codes are secrets. What an exception does depends on the mail: see <see cref="DatabunkerMailKind"/>.
    /// </summary>
    /// <param name="mail">The mail: address, subject, plain text and HTML.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    Task SendAsync(DatabunkerMail mail, CancellationToken cancellationToken);
}

/// <summary>Which mail it is, and what a failed send does.</summary>
public enum DatabunkerMailKind
{
    /// <summary>
    /// An expiration's "keep my data" and "delete my data" links, with the due date, sent when the host starts it
    /// (<see cref="Expiration.IExpirationManager.StartAsync"/>). Sent before the expiration is stored: a failed send starts
    /// nothing, and the exception reaches the host.
    /// </summary>
    Expiration = 1,

    /// <summary>The privacy portal's sign-in code. Sent outside the request; a failed send is logged by its type, and the person asks for a new code.</summary>
    SignInCode = 2,

    /// <summary>A request's verification code, for a request whose identity the host has not verified. A failed send stores no request, and the exception reaches the caller.</summary>
    RequestCode = 3,

    /// <summary>The receipt of a verified request, with its due date. A failed send is logged; the request stands.</summary>
    RequestReceived = 4,

    /// <summary>The notice that a request's period was extended, with the new due date and the reason (GDPR Art. 12(3)). A failed send is logged; the extension stands.</summary>
    RequestExtended = 5,

    /// <summary>To the DPO (<see cref="DatabunkerMailOptions.DpoAddress"/>): a request is overdue. It names the request's type, due date and number, and no person. A failed send is logged.</summary>
    RequestOverdue = 6,
}

/// <summary>One mail, composed and ready to send.</summary>
public sealed class DatabunkerMail
{
    internal DatabunkerMail(DatabunkerMailKind kind, Guid? person, string to, CultureInfo culture, string subject, string textBody, string htmlBody)
    {
        Kind = kind;
        Person = person;
        To = to;
        Culture = culture;
        Subject = subject;
        TextBody = textBody;
        HtmlBody = htmlBody;
    }

    /// <summary>Which mail it is.</summary>
    public DatabunkerMailKind Kind { get; }

    /// <summary>The person it is about and goes to; <see langword="null"/> for a mail to the DPO.</summary>
    public Guid? Person { get; }

    /// <summary>The address: the person's (from their profile, <see cref="DatabunkerMailOptions.AddressField"/>) or the DPO's.</summary>
    public string To { get; }

    /// <summary>The language it is written in (its <c>Content-Language</c>).</summary>
    public CultureInfo Culture { get; }

    /// <summary>The subject line.</summary>
    public string Subject { get; }

    /// <summary>The plain-text body.</summary>
    public string TextBody { get; }

    /// <summary>The HTML body: a whole document, styled inline, with no script, image or address outside the mail but its links.</summary>
    public string HtmlBody { get; }

    /// <summary>Names the kind and the language only: the address, the links and the codes are not for logs.</summary>
    /// <returns>The mail without its personal data.</returns>
    public override string ToString() => $"DatabunkerMail {{ Kind = {Kind}, Culture = {Culture.Name} }}";
}
