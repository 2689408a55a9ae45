namespace Databunker.Core.Consent.Storage;

/// <summary>
/// Links each person's consent decisions into a chain of their own: a decision's link is a keyed MAC over the
/// previous decision's link, the decision's sequence number (1, 2, 3 ... per person) and every field of the decision
/// but its sealed evidence. A storage calls it inside the transaction that appends a decision, after the person's last
/// decision is read under the write lock, so that someone with write access to the database but without the vault's
/// keys can neither rewrite, delete, reorder nor insert a decision without the ledger's reads and
/// <c>IConsentLedger.VerifyAsync</c> finding it. A decision recorded before its person registered is linked with its index
/// hash in place of the previous link and sequence number 0, so that it cannot be rewritten or moved to another person
/// while it waits.
/// </summary>
public interface IConsentChain
{
    /// <summary>The length of a link in bytes (32); a person's first decision follows this many zero bytes.</summary>
    int LinkSize { get; }

    /// <summary>The link of <paramref name="consent"/>, decision <paramref name="sequence"/> of its owner, which follows the decision whose link is <paramref name="previous"/>.</summary>
    /// <param name="previous">The owner's previous decision's link; for their first decision, <see cref="LinkSize"/> zero bytes.</param>
    /// <param name="sequence">The decision's sequence number: the previous one's plus one, starting at 1.</param>
    /// <param name="consent">The decision as it is stored.</param>
    /// <returns>The link to store with the decision.</returns>
    byte[] Link(ReadOnlySpan<byte> previous, long sequence, NewConsentEvent consent);
}
