using Databunker.Core.Expiration;
using Databunker.Core.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>The expiration mail: both links and the due date.</summary>
internal sealed class MailExpirationLinkSender(MailComposer mails) : IExpirationLinkSender
{
    public Task SendLinksAsync(ExpirationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (ticket.RetainUrl is not { } keep || ticket.DeleteUrl is not { } delete)
        {
            throw new InvalidOperationException(
                "The expiration mail carries the two links, which need an absolute address to start from: set DatabunkerOptions.Expiration.LinkBaseAddress (Databunker:Expiration:LinkBaseAddress).");
        }

        return mails.SendToPersonAsync(ticket.PersonToken, DatabunkerMailKind.Expiration, personIsCaller: true, w => new MailParts(
            w["Mail.Expiration.Subject", w.Product],
            [w["Mail.Expiration.Body", w.Date(ticket.DueAt)], w["Mail.Expiration.Choice"]],
            Actions: [new DatabunkerMailAction(w["Mail.Expiration.Keep"], keep), new DatabunkerMailAction(w["Mail.Expiration.Delete"], delete)]), cancellationToken);
    }
}

/// <summary>The privacy portal's sign-in code.</summary>
internal sealed class MailPortalCodeSender(MailComposer mails, TimeProvider time) : IPortalCodeSender
{
    public Task SendCodeAsync(Guid person, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        mails.SendToPersonAsync(person, DatabunkerMailKind.SignInCode, personIsCaller: true, w => new MailParts(
            w["Mail.SignInCode.Subject", w.Product],
            [w["Mail.SignInCode.Body"]],
            code,
            Closing: [MailText.Validity(w, expiresAt, time.GetUtcNow()), w["Mail.SignInCode.Ignore"]]), cancellationToken);
}

/// <summary>A request's verification code.</summary>
internal sealed class MailRequestCodeSender(MailComposer mails, TimeProvider time) : IPrivacyRequestCodeSender
{
    public Task SendCodeAsync(PrivacyRequestCode code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        return mails.SendToPersonAsync(code.Person, DatabunkerMailKind.RequestCode, personIsCaller: true, w => new MailParts(
            w["Mail.RequestCode.Subject", w.Product],
            [w["Mail.RequestCode.Body", w["RequestType." + code.Type]]],
            code.Code,
            Closing: [MailText.Validity(w, code.ExpiresAt, time.GetUtcNow()), w["Mail.RequestCode.Ignore"]]), cancellationToken);
    }
}

/// <summary>
/// The receipts and deadline notices: a receipt to the person once a request counts (when it is received verified, or
/// when its code verifies it), a notice to the person when the period is extended, and one to the DPO when a request is
/// overdue.
/// </summary>
internal sealed class MailRequestNotifier(MailComposer mails, IServiceScopeFactory scopes, IOptions<DatabunkerMailOptions> options) : IPrivacyRequestNotifier
{
    public async Task NotifyAsync(PrivacyRequestNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        switch (notice.Event)
        {
            case PrivacyRequestEvent.Received when notice.State != PrivacyRequestState.Received:
            case PrivacyRequestEvent.Verified:
            {
                // The person's own call: their page submitted it, or they typed its code in.
                var request = await GetAsync(notice.Request, cancellationToken).ConfigureAwait(false);
                var portal = options.Value.PortalAddress;
                await mails.SendToPersonAsync(request.Person, DatabunkerMailKind.RequestReceived, personIsCaller: true, w => new MailParts(
                    w["Mail.Received.Subject", w["RequestType." + request.Type]],
                    [w["Mail.Received.Body", w.Day(request.ReceivedAt), w["RequestType." + request.Type]], w["Mail.Received.Due", w.LastDay(request.DueAt)]],
                    Actions: portal is null ? [] : [new DatabunkerMailAction(w["Mail.Portal"], portal)],
                    Closing: [w["Mail.Received.Follow"]]), cancellationToken).ConfigureAwait(false);
                break;
            }

            case PrivacyRequestEvent.Extended:
            {
                var request = await GetAsync(notice.Request, cancellationToken).ConfigureAwait(false);
                // The DPO's call: only the person's profile says their language.
                await mails.SendToPersonAsync(request.Person, DatabunkerMailKind.RequestExtended, personIsCaller: false, w =>
                {
                    var body = w["Mail.Extended.Body", w.Day(request.ReceivedAt), w["RequestType." + request.Type], w.LastDay(request.DueAt)];
                    return new MailParts(
                        w["Mail.Extended.Subject", w["RequestType." + request.Type]],
                        request.ExtensionReason is { Length: > 0 } reason ? [body, w["Mail.Extended.Reason", reason]] : [body],
                        Closing: [w["Mail.Received.Follow"]]);
                }, cancellationToken).ConfigureAwait(false);
                break;
            }

            case PrivacyRequestEvent.Overdue:
                await mails.SendToDpoAsync(DatabunkerMailKind.RequestOverdue, w => new MailParts(
                    w["Mail.Overdue.Subject"],
                    [w["Mail.Overdue.Body", w["RequestType." + notice.Type], w.LastDay(notice.DueAt)], w["Mail.Overdue.Number", notice.Request.ToString("D")]]), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task<PrivacyRequest> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await scope.ServiceProvider.GetRequiredService<IPrivacyRequestManager>().GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new PrivacyRequestNotFoundException();
        }
    }
}

/// <summary>Words more than one mail uses.</summary>
internal static class MailText
{
    /// <summary>How long a code works: in minutes when under two hours, otherwise until its date.</summary>
    public static string Validity(MailWords words, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var left = expiresAt - now;
        return left < TimeSpan.FromHours(2)
            ? words["Mail.Code.ValidMinutes", Math.Max(1, (int)Math.Round(left.TotalMinutes))]
            : words["Mail.Code.ValidUntil", words.Date(expiresAt)];
    }
}
