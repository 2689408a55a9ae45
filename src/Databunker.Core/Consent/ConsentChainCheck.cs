using System.Globalization;

namespace Databunker.Core.Consent;

/// <summary>Checks decisions read from the store against their person's chain (<see cref="IConsentChain"/>).</summary>
internal static class ConsentChainCheck
{
    /// <summary>
    /// What is wrong with <paramref name="stored"/>, read where decision <paramref name="expected"/> of its owner should be and
    /// following <paramref name="previous"/> (<see langword="null"/> when that decision has no link), or <see langword="null"/> when nothing is.
    /// </summary>
    public static string? Problem(IConsentChain chain, long expected, byte[]? previous, StoredConsentEvent stored)
    {
        if (stored.Sequence != expected)
        {
            return Text($"Decision {expected} of the person's consent ledger is missing or out of place: decisions were deleted, inserted or renumbered.");
        }

        return previous is not null && previous.Length == chain.LinkSize && stored.Link is { } link && CryptographicOperations.FixedTimeEquals(chain.Link(previous, stored.Sequence, stored.Event), link)
            ? null
            : Text($"Decision {expected} of the person's consent ledger fails its link: it was rewritten, moved or inserted.");
    }

    /// <summary>Checks one person's whole ledger, read in sequence order; throws <see cref="VaultCryptoException"/> at the first broken decision.</summary>
    public static void Verify(IConsentChain chain, IReadOnlyList<StoredConsentEvent> ledger)
    {
        var previous = new byte[chain.LinkSize];
        for (var i = 0; i < ledger.Count; i++)
        {
            ThrowIfBroken(Problem(chain, i + 1, previous, ledger[i]));
            previous = ledger[i].Link;
        }
    }

    /// <summary>Checks a decision read without the rest of its owner's ledger, by its <see cref="StoredConsentEvent.PreviousLink"/>.</summary>
    public static void VerifyAlone(IConsentChain chain, StoredConsentEvent stored) =>
        ThrowIfBroken(Problem(chain, stored.Sequence, stored.Sequence == 1 ? new byte[chain.LinkSize] : stored.PreviousLink, stored));

    /// <summary>
    /// What is wrong with a person's ledger whose last decision is <paramref name="lastSequence"/> (0 when it has none)
    /// with link <paramref name="lastLink"/>, given its <paramref name="head"/>: the sequence number to name and the
    /// problem, or <see langword="null"/> when nothing is.
    /// </summary>
    public static (long Sequence, string Problem)? HeadProblem(IConsentChain chain, Guid owner, long lastSequence, byte[]? lastLink, StoredConsentHead? head)
    {
        if (head is null)
        {
            return lastSequence == 0 ? null : (lastSequence, Text($"The person's consent ledger has no head for its {lastSequence} decisions: the head was deleted."));
        }

        if (lastSequence < head.Sequence)
        {
            return (lastSequence + 1, Text($"Decision {lastSequence + 1} of the person's consent ledger is missing: its head records {head.Sequence} decisions, the ledger holds {lastSequence}. The last were deleted."));
        }

        if (lastSequence > head.Sequence)
        {
            return (head.Sequence + 1, Text($"Decision {head.Sequence + 1} of the person's consent ledger is past its head: the head was rewritten or restored from an older copy."));
        }

        return lastLink is not null && lastLink.Length == chain.LinkSize && head.Mac.Length == chain.LinkSize
            && CryptographicOperations.FixedTimeEquals(ConsentLinks.OfHead(chain, owner, head.Sequence, lastLink), head.Mac)
            ? null
            : (head.Sequence, Text($"The head of the person's consent ledger at decision {head.Sequence} fails its MAC: it was rewritten or copied from another person."));
    }

    /// <summary>Checks that <paramref name="ledger"/> (read in sequence order, checked by <see cref="Verify"/>) ends where its head says.</summary>
    public static void VerifyHead(IConsentChain chain, Guid owner, IReadOnlyList<StoredConsentEvent> ledger, StoredConsentHead? head) =>
        ThrowIfBroken(HeadProblem(chain, owner, ledger.Count == 0 ? 0 : ledger[^1].Sequence, ledger.Count == 0 ? null : ledger[^1].Link, head)?.Problem);

    /// <summary>Checks, for a decision read by <see cref="IConsentStore.ListLatestConsentsAsync"/>, that its owner's last decision is the one their head names.</summary>
    public static void VerifyTail(IConsentChain chain, StoredConsentEvent stored) =>
        ThrowIfBroken(HeadProblem(chain, stored.Event.Person, stored.LastSequence, stored.LastLink, stored.Head)?.Problem);

    private static void ThrowIfBroken(string? problem)
    {
        if (problem is not null)
        {
            throw new VaultCryptoException(problem);
        }
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
