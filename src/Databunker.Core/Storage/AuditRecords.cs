namespace Databunker.Core.Storage;

/// <summary>An audit event as stored. <see cref="Details"/> is encrypted under the subject's data key.</summary>
/// <param name="Id">Assigned by the storage; 0 when appending.</param>
/// <param name="At">Unix milliseconds.</param>
/// <param name="Actor">Who acted.</param>
/// <param name="Operation">What was done.</param>
/// <param name="Subject">The person concerned.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Details">The details envelope, or <see langword="null"/>.</param>
public sealed record AuditRecord(long Id, long At, string Actor, string Operation, Guid? Subject, string Outcome, byte[]? Details);

/// <summary>The audit chain's state as stored.</summary>
/// <param name="FirstSequence">The sequence number of the oldest event still chained (events before it were purged or predate the chain).</param>
/// <param name="FirstPrevious">The link that event follows: the last purged event's link, or zeros.</param>
/// <param name="HeadSequence">The sequence number of the newest event; <c>FirstSequence - 1</c> when the chain is empty.</param>
/// <param name="HeadLink">The newest event's link.</param>
/// <param name="Events">Every audit event stored, chained or not.</param>
/// <param name="LegacyEvents">Events written before the chain existed (no link, sequence before <paramref name="FirstSequence"/>).</param>
public sealed record StoredAuditChain(long FirstSequence, byte[] FirstPrevious, long HeadSequence, byte[] HeadLink, long Events, long LegacyEvents);

/// <summary>An audit event with its place in the chain.</summary>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Link">Its stored link, or <see langword="null"/>.</param>
/// <param name="Event">The event.</param>
public sealed record ChainedAuditRecord(long Sequence, byte[]? Link, AuditRecord Event);
