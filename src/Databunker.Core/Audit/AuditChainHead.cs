namespace Databunker.Core;

/// <summary>
/// The head of the audit chain: the newest event's sequence number and link. Store it somewhere the
/// database's administrators cannot write (a ticket, a signed log, another system) and pass it to
/// <see cref="IVaultAdministration.VerifyAuditTrailAsync"/> later: that detects events cut from the end of the
/// trail, which no chain can detect on its own.
/// </summary>
/// <param name="Sequence">The newest event's sequence number.</param>
/// <param name="Link">Its link, base64.</param>
public sealed record AuditChainHead(long Sequence, string Link);
