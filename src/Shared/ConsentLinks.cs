namespace Databunker.Core.Shared;

/// <summary>What both relational providers do alike when they link consent decisions (<see cref="IConsentChain"/>).</summary>
internal static class ConsentLinks
{
    /// <summary>A person's last decision has no link: it was put there (or its link cleared) by someone without the vault's key.</summary>
    public static VaultCryptoException Unlinked() =>
        new("The person's last consent decision has no link: the consent ledger was altered, and nothing is appended to it.");

    /// <summary>
    /// The MAC of a person's ledger head: the chain's link over their last decision's link, with the sequence number
    /// negated (no decision or pending decision is linked at a negative number) and an event that carries only the owner.
    /// </summary>
    public static byte[] OfHead(IConsentChain chain, Guid owner, long sequence, byte[] lastLink) =>
        chain.Link(lastLink, -sequence, new NewConsentEvent(owner, string.Empty, default, default, null, string.Empty, 0, [], 0, null, null));

    /// <summary>The heads of every ledger whose last decision is linked, over (owner, sequence, link) rows of those last decisions.</summary>
    public static IEnumerable<(Guid Person, long Sequence, byte[] Mac)> OfHeads(IConsentChain chain, IEnumerable<(Guid Person, long Sequence, byte[]? Link)> last) =>
        last.Where(l => l.Link is { Length: > 0 } && l.Link.Length == chain.LinkSize).Select(l => (l.Person, l.Sequence, OfHead(chain, l.Person, l.Sequence, l.Link!)));

    /// <summary>
    /// Before an append: throws unless the owner's last decision (<paramref name="lastSequence"/> 0 when none) is the one
    /// their head names, so that an append never seals a cut tail under a new, valid head.
    /// </summary>
    public static void RequireHead(IConsentChain chain, Guid owner, long lastSequence, byte[]? lastLink, long? headSequence, byte[]? headMac)
    {
        var intact = headSequence is not { } sequence
            ? lastSequence == 0
            : sequence == lastSequence && lastLink is not null && lastLink.Length == chain.LinkSize && headMac is not null
              && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(OfHead(chain, owner, sequence, lastLink), headMac);
        if (!intact)
        {
            throw new VaultCryptoException("The person's consent ledger does not end where its head says: it was altered, and nothing is appended to it.");
        }
    }

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
            if (stored.Event.Person != owner)
            {
                (owner, sequence, previous) = (stored.Event.Person, 0L, new byte[chain.LinkSize]);
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
