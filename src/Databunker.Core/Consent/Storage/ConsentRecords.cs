namespace Databunker.Core.Consent.Storage;

/// <summary>A decision event to append; its evidence is already sealed.</summary>
/// <param name="Person">The person.</param>
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
    Guid Person, string Activity, ConsentDecision Decision, ConsentMethod Method, string? Source, string Notice, int NoticeVersion, byte[] NoticeHash, long At, long? ExpiresAt, byte[]? Evidence);

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

    /// <summary>
    /// Its owner's ledger head (<see cref="StoredConsentHead"/>) as the same statement read it, or <see langword="null"/> when the
    /// owner has none. Set by <see cref="IConsentStore.GetConsentEventsAsync"/>, <see cref="IConsentStore.GetConsentChainPageAsync"/>
    /// and <see cref="IConsentStore.ListLatestConsentsAsync"/>.
    /// </summary>
    public StoredConsentHead? Head { get; init; }

    /// <summary>
    /// Where <see cref="IConsentStore.ListLatestConsentsAsync"/> reads it: the sequence number of its owner's last decision
    /// (0 elsewhere), read in the same statement as <see cref="Head"/>.
    /// </summary>
    public long LastSequence { get; init; }

    /// <summary>Where <see cref="LastSequence"/> is set: the link of its owner's last decision, or <see langword="null"/> when it has none.</summary>
    public byte[]? LastLink { get; init; }
}

/// <summary>
/// A person's consent ledger head: the sequence number of their last decision, and a MAC under the consent chain's key
/// over the person, that number and that decision's link (<c>ConsentLinks.OfHead</c>), written in the transaction that
/// appends each decision. A ledger whose last decision is not the one its head names was cut (or the head was
/// rewritten, moved or deleted). The MAC is <see cref="IConsentChain.Link"/> over the last decision's link, at the
/// negated sequence number, of an event that carries only the owner (empty activity and notice, default decision and
/// method, no source, notice version 0, an empty notice hash, time 0, no expiry, no evidence): no decision is linked at
/// a negative number.
/// </summary>
/// <param name="Person">The person.</param>
/// <param name="Sequence">Their last decision's sequence number.</param>
/// <param name="Mac">The head's MAC.</param>
public sealed record StoredConsentHead(Guid Person, long Sequence, byte[] Mac);

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
/// <param name="Person">The person the index hash now points at.</param>
/// <param name="Pending">The pending decision as stored.</param>
public sealed record StoredPendingConsent(long Id, Guid Person, PendingConsentEvent Pending);
