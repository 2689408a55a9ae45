using Databunker.Core.Consent;

namespace Databunker.Core.Storage;

/// <summary>A decision event to append; its evidence is already sealed.</summary>
/// <param name="Owner">The person.</param>
/// <param name="Activity">The activity's name.</param>
/// <param name="Decision">The decision.</param>
/// <param name="Method">How it was made.</param>
/// <param name="Source">Where it was made, or <see langword="null"/>.</param>
/// <param name="Notice">The notice's name.</param>
/// <param name="NoticeVersion">The version shown.</param>
/// <param name="NoticeHash">SHA-256 of that version's text.</param>
/// <param name="At">Unix milliseconds.</param>
/// <param name="ExpiresAt">Unix milliseconds when a grant runs out, or <see langword="null"/>.</param>
/// <param name="Evidence">The sealed evidence, or <see langword="null"/>.</param>
public sealed record NewConsentEvent(
    Guid Owner, string Activity, ConsentDecision Decision, ConsentMethod Method, string? Source, string Notice, int NoticeVersion, byte[] NoticeHash, long At, long? ExpiresAt, byte[]? Evidence);

/// <summary>A stored decision event.</summary>
/// <param name="Id">Its id, increasing in the order events were appended.</param>
/// <param name="Event">The event.</param>
public sealed record StoredConsentEvent(long Id, NewConsentEvent Event)
{
    /// <summary>Its place in its owner's ledger (<see cref="IConsentChain"/>): 1, 2, 3 ... in the order the owner's decisions were appended.</summary>
    public long Sequence { get; init; }

    /// <summary>Its link in its owner's chain (<see cref="IConsentChain"/>), or <see langword="null"/> when the row has none.</summary>
    public byte[]? Link { get; init; }

    /// <summary>
    /// Where a storage reads a decision without the rest of its owner's ledger (<see cref="IConsentStore.ListLatestConsentsAsync"/>):
    /// the link of the owner's decision <see cref="Sequence"/> − 1, or <see langword="null"/> when there is none. Otherwise <see langword="null"/>.
    /// </summary>
    public byte[]? PreviousLink { get; init; }
}

/// <summary>A decision recorded for an email or phone before its person registered: <see cref="PendingConsentEvent.Event"/>'s owner is <see cref="Guid.Empty"/> and its evidence is sealed under a system key.</summary>
/// <param name="IndexHash">The blind index of the email or phone, under the current blind-index key.</param>
/// <param name="Event">The decision.</param>
public sealed record PendingConsentEvent(byte[] IndexHash, NewConsentEvent Event)
{
    /// <summary>
    /// Its link (<see cref="IConsentChain"/>, with the index hash in place of a previous link and sequence number 0), made by
    /// the ledger and checked before the decision is attached to a person; <see langword="null"/> when the row has none.
    /// </summary>
    public byte[]? Link { get; init; }
}

/// <summary>A pending decision whose email or phone now belongs to a person.</summary>
/// <param name="Id">The pending decision's id.</param>
/// <param name="Owner">The person the index hash now points at.</param>
/// <param name="Pending">The pending decision as stored.</param>
public sealed record StoredPendingConsent(long Id, Guid Owner, PendingConsentEvent Pending);
