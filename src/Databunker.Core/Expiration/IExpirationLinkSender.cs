namespace Databunker.Core.Expiration;

/// <summary>
/// Delivers an expiration's two links, "keep my data" and "delete my data", to the person through the host's channel
/// (the web package's mails, say). Register one and <see cref="IExpirationManager.StartAsync"/> calls it for every
/// expiration it starts, before the expiration is stored: when it throws, nothing is started (the person keeps their
/// old links, if any) and the exception reaches the caller, so that no one falls due without having been told.
/// </summary>
public interface IExpirationLinkSender
{
    /// <summary>Sends the links. Never log them: either one ends the expiration.</summary>
    /// <param name="ticket">The person's token, the due time and the two links.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    Task SendLinksAsync(ExpirationTicket ticket, CancellationToken cancellationToken);
}
