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

    /// <summary>
    /// The link of event <paramref name="sequence"/> of stripe <paramref name="stripe"/>, which follows the event whose
    /// link is <paramref name="previous"/>. The link covers the stripe's number, except in stripe 1 (the chain of the
    /// vaults from before stripes, whose links did not), so that events copied from one stripe into another fail there.
    /// </summary>
    /// <param name="previous">The previous event's link; for a stripe's first event ever, <see cref="LinkSize"/> zero bytes.</param>
    /// <param name="stripe">The stripe the event is appended to: 1 on a storage with one chain.</param>
    /// <param name="sequence">The event's sequence number in its stripe: the previous one's plus one, starting at 1.</param>
    /// <param name="record">The event as it is stored.</param>
    /// <returns>The new link, to store with the event and as the stripe's head.</returns>
    byte[] Link(ReadOnlySpan<byte> previous, int stripe, long sequence, AuditRecord record);
}
