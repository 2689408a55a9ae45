namespace Databunker.Core.Consent;

/// <summary>What <see cref="IConsentLedger.VerifyAsync"/> found.</summary>
/// <param name="IsIntact"><see langword="true"/> when every person's decisions are present, in order, unaltered, and as many as the audit trail records.</param>
/// <param name="PersonsChecked">How many persons' ledgers were walked.</param>
/// <param name="DecisionsChecked">How many decisions were checked.</param>
/// <param name="FirstBrokenPerson">The token of the person whose ledger breaks first, or <see langword="null"/>.</param>
/// <param name="FirstBrokenSequence">The sequence number in that person's ledger where it breaks, or <see langword="null"/>.</param>
/// <param name="Problem">What is wrong there, without any content of the decision; <see langword="null"/> when intact.</param>
public sealed record ConsentVerification(bool IsIntact, long PersonsChecked, long DecisionsChecked, Guid? FirstBrokenPerson, long? FirstBrokenSequence, string? Problem);
