namespace Databunker.Core.Consent;

/// <summary>
/// The consent ledger's part of opening the vault: links the decisions recorded before the chain. The storage does it
/// only when its own migration in this start added the chain (nothing in the database decides it), in one transaction
/// with a <c>consent.link</c> audit event; a trail with two of them shows the chain's migration applied twice. The
/// start whose migration added the ledgers' heads writes them in the same call (audited as <c>consent.heads</c> when the
/// chain was there before).
/// </summary>
internal sealed class LegacyConsentLink(IConsentStore consents, AuditTrail audit) : IOpenStep
{
    public Task RunAsync(CancellationToken cancellationToken) =>
        consents.LinkLegacyConsentEventsAsync(audit.NewEvent(AuditOperations.ConsentLink, null, AuditOutcomes.Success), cancellationToken);
}
