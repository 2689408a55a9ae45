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

/// <summary>What <see cref="IVaultAdministration.VerifyAuditTrailAsync"/> found.</summary>
/// <param name="IsIntact"><see langword="true"/> when every chained event is present, in order and unaltered.</param>
/// <param name="EventsChecked">How many chained events were checked.</param>
/// <param name="LegacyEvents">Events written before the chain existed (schema version 5); counted, not verifiable.</param>
/// <param name="Head">The chain's head when the verification started.</param>
/// <param name="FirstBrokenSequence">The sequence number where the chain first breaks (a missing, inserted or altered event), or <see langword="null"/>.</param>
/// <param name="Problem">What is wrong there, without any content of the event; <see langword="null"/> when intact.</param>
public sealed record AuditVerification(bool IsIntact, long EventsChecked, long LegacyEvents, AuditChainHead Head, long? FirstBrokenSequence, string? Problem);
