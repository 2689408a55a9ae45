namespace Databunker.Core;

/// <summary>
/// The head of the audit trail: where each of its stripes (chains that writers append to in parallel) ended, and a
/// hash over their newest links. Store it somewhere the database's administrators cannot write (a ticket, a signed
/// log, another system) and pass it to <see cref="IVaultAdministration.VerifyAuditTrailAsync"/> later: that detects
/// events cut from the end of any stripe, which no chain can detect on its own, and a count of events from before the
/// chain (unlinked, below a stripe's start) that grew since.
/// </summary>
/// <param name="Sequence">How many events the trail had chained, over all its stripes (purged ones included).</param>
/// <param name="Link">The combined head, base64: every stripe's position, the count of events from before the chain and a SHA-256 over every stripe's newest link. Keep it as it is.</param>
public sealed record AuditChainHead(long Sequence, string Link);
