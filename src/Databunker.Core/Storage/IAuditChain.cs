namespace Databunker.Core.Storage;

/// <summary>
/// Links audit events into a chain: each event's link is a keyed MAC over the previous link, the event's
/// sequence number and every field of the event. A storage calls it inside the transaction that appends
/// events, after locking the chain's head, so that the chain has one order and no gaps. Someone with
/// write access to the database but without the vault's keys can then neither delete, insert, reorder
/// nor rewrite an event without <c>IVaultAdministration.VerifyAuditTrailAsync</c> naming it.
/// </summary>
public interface IAuditChain
{
    /// <summary>The length of a link in bytes (32).</summary>
    int LinkSize { get; }

    /// <summary>The link of event <paramref name="sequence"/>, which follows the event whose link is <paramref name="previous"/>.</summary>
    /// <param name="previous">The previous event's link; for the first event ever, <see cref="LinkSize"/> zero bytes.</param>
    /// <param name="sequence">The event's sequence number: the previous one's plus one, starting at 1.</param>
    /// <param name="record">The event as it is stored.</param>
    /// <returns>The new link, to store with the event and as the chain's head.</returns>
    byte[] Link(ReadOnlySpan<byte> previous, long sequence, AuditRecord record);
}
