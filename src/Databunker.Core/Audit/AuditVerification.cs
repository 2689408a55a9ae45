namespace Databunker.Core;

/// <summary>What <see cref="IVaultAdministration.VerifyAuditTrailAsync"/> found.</summary>
/// <param name="IsIntact"><see langword="true"/> when every chained event of every stripe is present, in order and unaltered.</param>
/// <param name="EventsChecked">How many chained events were checked.</param>
/// <param name="LegacyEvents">Events written before the chain existed (schema version 5); counted, not verifiable.</param>
/// <param name="Head">The trail's head when the verification started.</param>
/// <param name="FirstBrokenStripe">The stripe where the trail first breaks, or <see langword="null"/> when it is intact or the break is in none of them.</param>
/// <param name="FirstBrokenSequence">The sequence number in that stripe where it breaks (a missing, inserted or altered event), or <see langword="null"/>.</param>
/// <param name="Problem">What is wrong there, without any content of the event; <see langword="null"/> when intact.</param>
public sealed record AuditVerification(bool IsIntact, long EventsChecked, long LegacyEvents, AuditChainHead Head, int? FirstBrokenStripe, long? FirstBrokenSequence, string? Problem);
