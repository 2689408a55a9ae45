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

    private static void ThrowIfBroken(string? problem)
    {
        if (problem is not null)
        {
            throw new VaultCryptoException(problem);
        }
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
