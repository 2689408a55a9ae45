namespace Databunker.Core.Consent;

/// <summary>
/// The consent ledger: every decision a person makes about a consent-based activity (granted, refused, withdrawn)
/// is a new event naming the exact notice version they were shown, how and where they decided, and evidence sealed
/// under their key. Nothing is updated in place (Databunker keeps one mutable row per person and basis, and so
/// loses the history that EDPB Guidelines 05/2020 ask a controller to be able to show). The current state is
/// derived from the events; the due-work pass closes consents whose validity ended.
/// </summary>
[Diagnostics.Instrumented("consent")]
public interface IConsentLedger
{
    /// <summary>Records a decision. Audited as <c>consent.record</c>.</summary>
    /// <param name="person">The person.</param>
    /// <param name="record">The decision.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is written then.</param>
    /// <returns>The event as recorded.</returns>
    /// <exception cref="PersonNotFoundException">The person does not exist.</exception>
    /// <exception cref="VaultInputException">The activity is unknown or does not rest on consent, the notice version given was never published, or a field is out of range.</exception>
    /// <exception cref="VaultConfigurationException">The activity's notice was never published: the host did not call <see cref="Privacy.IPrivacyCatalog.PublishAsync"/> (logged as an error).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ConsentEvent> RecordAsync(Guid person, ConsentRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// A person's decisions, oldest first, with their evidence opened. The person's whole ledger is checked against its
    /// chain first (<see cref="VerifyAsync"/> says how); so are <see cref="GetStateAsync"/> and <see cref="IsAllowedAsync"/>.
    /// </summary>
    /// <param name="person">The person.</param>
    /// <param name="activity">One activity's, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events.</returns>
    /// <exception cref="VaultCryptoException">A decision of the person was rewritten, deleted, reordered or inserted in the database; the message names its sequence number.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<ConsentEvent>> GetHistoryAsync(Guid person, string? activity = null, CancellationToken cancellationToken = default);

    /// <summary>Where a person stands on every consent-based activity of the catalogue.</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One state per consent-based activity, in the catalogue's order.</returns>
    /// <exception cref="VaultCryptoException">The person's ledger was altered in the database (see <see cref="GetHistoryAsync"/>).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<ConsentState>> GetStateAsync(Guid person, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether an activity may run for a person now: on its legal basis when that is not consent, otherwise only when
    /// the person's latest decision granted consent for the notice's latest version and it has not expired.
    /// </summary>
    /// <param name="person">The person.</param>
    /// <param name="activity">The activity's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Whether it may run.</returns>
    /// <exception cref="VaultCryptoException">The person's ledger was altered in the database (see <see cref="GetHistoryAsync"/>).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> IsAllowedAsync(Guid person, string activity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a decision for an email address or phone number. When a person holds it, this is
    /// <see cref="RecordAsync"/>; otherwise the decision waits, keyed by the blind index of the value with its evidence
    /// sealed, and is attached to the person who registers with it (audited as <c>consent.pending</c>, then
    /// <c>consent.attach</c>). Unattached decisions are deleted after <see cref="ConsentOptions.PendingLifetime"/>.
    /// </summary>
    /// <param name="contact"><see cref="PersonLookup.ByEmail"/> or <see cref="PersonLookup.ByPhone"/>.</param>
    /// <param name="record">The decision.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is written then.</param>
    /// <returns>The person's token when a person holds the value, or <see langword="null"/> when the decision waits.</returns>
    /// <exception cref="VaultInputException">The lookup is not by email or phone, or the record is refused as by <see cref="RecordAsync"/>.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<Guid?> RecordForContactAsync(PersonLookup contact, ConsentRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// The persons whose latest decision on an activity is <paramref name="decision"/>, by event id: with
    /// <see cref="ConsentDecision.Granted"/> the people an activity may reach (mind <see cref="ConsentState.NeedsReconsent"/>),
    /// with <see cref="ConsentDecision.ReconsentRequired"/> those to ask again. Evidence is not opened.
    /// </summary>
    /// <param name="activity">A consent-based activity.</param>
    /// <param name="decision">The latest decision.</param>
    /// <param name="afterId">The last event id of the previous page; 0 for the first.</param>
    /// <param name="limit">At most this many; 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="VaultCryptoException">A listed decision was rewritten or moved in the database (each is checked against the link of the decision before it).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<PersonConsent>> ListByLatestDecisionAsync(string activity, ConsentDecision decision, long afterId = 0, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Attaches every decision recorded by <see cref="RecordForContactAsync"/> whose email or phone a person now holds,
    /// its evidence sealed again under the person's key. The vault calls it when persons register, and the due-work
    /// pass for any a registration missed; concurrent calls attach each decision once.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many decisions were attached (or dropped as superseded by a later decision of the person).</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> AttachPendingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The ledger's part of <see cref="IVaultAdministration.RunDueWorkAsync"/>: closes every granted consent whose validity
    /// ended (<see cref="ConsentDecision.Expired"/>, <c>consent.expired</c>), marks every grant given under an older
    /// notice version than the latest published (<see cref="ConsentDecision.ReconsentRequired"/>, <c>consent.reconsent</c>),
    /// attaches pending decisions and deletes those older than <see cref="ConsentOptions.PendingLifetime"/>. Hosts running
    /// it at once write each event once.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many consents were closed, marked, attached or deleted.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> RunDueWorkAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks every person's ledger. Each decision carries a link: an HMAC, under a subkey of the vault's integrity key,
    /// over the person, the decision's sequence number in the person's ledger, every field but the evidence (sealed under the
    /// person's key already) and the previous decision's link; each appended decision is also audited in the same
    /// transaction. A decision rewritten, deleted, reordered, renumbered or inserted (also one copied from another person)
    /// breaks the chain; a person's last decisions deleted leave fewer decisions than the audit trail records. Walks the
    /// whole audit trail and every ledger: an operator's call. Run <see cref="IVaultAdministration.VerifyAuditTrailAsync"/>
    /// too, since the counts are only as good as the trail. A trail with more than one <c>consent.link</c> event (the linking
    /// of decisions recorded before the chain existed, done once by the start that upgraded the schema) is reported as
    /// tampering, with no person: the upgrade was replayed on a schema made to look older. Nothing is written.
    /// </summary>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>Whether every ledger is intact, or the person and sequence number where the first one breaks.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<ConsentVerification> VerifyAsync(CancellationToken cancellationToken = default);
}
