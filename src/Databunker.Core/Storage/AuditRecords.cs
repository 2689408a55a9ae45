namespace Databunker.Core.Storage;

/// <summary>An audit event as stored. <see cref="Details"/> is encrypted under the subject's data key.</summary>
/// <param name="Id">Assigned by the storage; 0 when appending.</param>
/// <param name="At">Unix milliseconds.</param>
/// <param name="Actor">Who acted.</param>
/// <param name="Operation">What was done.</param>
/// <param name="Person">The person concerned.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Details">The details envelope, or <see langword="null"/>.</param>
public sealed record AuditRecord(long Id, long At, string Actor, string Operation, Guid? Person, string Outcome, byte[]? Details);

/// <summary>
/// The audit trail's state as stored, read in one snapshot: its stripes (independent chains that writers append to in
/// parallel) and its event counts.
/// </summary>
/// <param name="Stripes">Every stripe, in stripe order.</param>
/// <param name="Events">Every audit event stored, chained or not.</param>
/// <param name="LegacyEvents">Events written before the chain existed: in stripe 1 only, with no link and a sequence number before its <see cref="StoredAuditStripe.FirstSequence"/>.</param>
public sealed record StoredAuditChain(IReadOnlyList<StoredAuditStripe> Stripes, long Events, long LegacyEvents);

/// <summary>One stripe of the audit trail: a chain of its own, with its start and its head.</summary>
/// <param name="Stripe">The stripe's number.</param>
/// <param name="FirstSequence">The sequence number of the stripe's oldest event still chained (events before it were purged or predate the chain).</param>
/// <param name="FirstPrevious">The link that event follows: the last purged event's link, or zeros.</param>
/// <param name="HeadSequence">The sequence number of the stripe's newest event; <c>FirstSequence - 1</c> when it holds none.</param>
/// <param name="HeadLink">The newest event's link (zeros when the stripe never held one).</param>
public sealed record StoredAuditStripe(int Stripe, long FirstSequence, byte[] FirstPrevious, long HeadSequence, byte[] HeadLink);

/// <summary>What a read that appends its own audit event found.</summary>
/// <typeparam name="T">What was read.</typeparam>
/// <param name="Value">What was read, or <see langword="null"/> when nothing was found.</param>
/// <param name="Audited">Whether the event was appended with the read; when not, the caller appends the event that fits what was found.</param>
public sealed record AuditedRead<T>(T? Value, bool Audited)
    where T : class;

/// <summary>An audit event with its place in the chain.</summary>
/// <param name="Sequence">Its sequence number in its stripe.</param>
/// <param name="Link">Its stored link, or <see langword="null"/>.</param>
/// <param name="Event">The event.</param>
public sealed record ChainedAuditRecord(long Sequence, byte[]? Link, AuditRecord Event);
