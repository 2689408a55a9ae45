namespace Databunker.Core.Shared;

/// <summary>What both relational providers do alike when they link consent decisions (<see cref="IConsentChain"/>).</summary>
internal static class ConsentLinks
{
    /// <summary>A person's last decision has no link: it was put there (or its link cleared) by someone without the vault's key.</summary>
    public static VaultCryptoException Unlinked() =>
        new("The person's last consent decision has no link: the consent ledger was altered, and nothing is appended to it.");

    /// <summary>The link of a decision waiting for its person's registration: its index hash in place of a previous link, sequence 0.</summary>
    public static byte[] OfPending(IConsentChain chain, PendingConsentEvent pending) => chain.Link(pending.IndexHash, 0, pending.Event);

    /// <summary>The links of pending decisions recorded before the chain existed; one whose index hash is not a hash is left without.</summary>
    public static IEnumerable<(long Id, byte[] Link)> OfLegacyPending(IConsentChain chain, IReadOnlyList<StoredPendingConsent> legacy) =>
        legacy.Where(p => p.Pending.IndexHash.Length == chain.LinkSize).Select(p => (p.Id, OfPending(chain, p.Pending)));

    /// <summary>
    /// The links of decisions recorded before the chain existed, ordered by owner and sequence number: each owner's run
    /// starts at sequence 1 and goes on without gaps; a decision that breaks its owner's run is left without a link, so
    /// that reads of that ledger fail.
    /// </summary>
    public static IEnumerable<(long Id, byte[] Link)> OfLegacy(IConsentChain chain, IReadOnlyList<StoredConsentEvent> legacy)
    {
        var (owner, sequence, previous) = (Guid.Empty, 0L, new byte[chain.LinkSize]);
        foreach (var stored in legacy)
        {
            if (stored.Event.Owner != owner)
            {
                (owner, sequence, previous) = (stored.Event.Owner, 0L, new byte[chain.LinkSize]);
            }

            if (stored.Sequence != sequence + 1)
            {
                continue;
            }

            previous = chain.Link(previous, stored.Sequence, stored.Event);
            sequence = stored.Sequence;
            yield return (stored.Id, previous);
        }
    }
}
