namespace Databunker.Core;

/// <summary>Operations on the vault as a whole: start-up, key rotation and audit retention.</summary>
[Diagnostics.Instrumented("admin")]
public interface IVaultAdministration
{
    /// <summary>
    /// Opens the storage, applies pending schema migrations, creates the system keys on first start and
    /// checks that the key provider opens them. Call it when the host starts to fail fast; otherwise the
    /// first operation does it. Calling it again does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="VaultConfigurationException">The vault cannot be opened as configured, for example
    /// with a master key that is not the one it was created with, or a schema newer than this library.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-wraps every wrapped key (system keys and every person's data key) that is not under the key
    /// provider's current version, in batches, each batch in one transaction. No record is re-encrypted.
    /// Afterwards older key versions can be removed from the provider. Safe while the vault serves calls.
    /// </summary>
    /// <param name="progress">Receives the running counts after each batch; optional.</param>
    /// <param name="cancellationToken">Cancels between batches; batches done stay done.</param>
    /// <returns>The final counts.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<KeyRotationProgress> RewrapKeysAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews the token sealing key: creates its next version (<c>token-seal@N</c>), seals every new token value
    /// under it, and re-seals, in batches of <see cref="DatabunkerOptions.RotationBatchSize"/>, every stored value
    /// that is under an older version or under the tokenization key (values made before the sealing key had
    /// versions). Owned values made before they were sealed under their owner's data key go under it now.
    /// Other instances read the new version when they meet it and seal under it from their next start; call
    /// again after restarting them to move what they sealed meanwhile. Token hashes do not change: tokens
    /// already handed out keep working.
    /// </summary>
    /// <param name="progress">Receives the running count after each batch; optional.</param>
    /// <param name="cancellationToken">Cancels between batches; batches done stay done.</param>
    /// <returns>How many values were re-sealed, how many could not be (changed meanwhile: call again), and the new version.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<KeyRotationProgress> RenewTokenSealingKeyAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-keys the blind index: creates the next version of its key and recomputes every person's index hashes
    /// under it from the decrypted profile, in batches of <see cref="DatabunkerOptions.RotationBatchSize"/>. While it
    /// runs, this instance writes every index entry under both versions (so that uniqueness holds against persons
    /// not yet re-keyed) and looks up under both. A call that leaves persons behind (they changed meanwhile)
    /// reports them in <see cref="KeyRotationProgress.Remaining"/>; call again until it is 0, which ends the
    /// transition. Run it while this is the only instance writing to the vault: another instance learns the new
    /// version only when it starts, and until then it would write entries under the old version alone.
    /// </summary>
    /// <param name="progress">Receives the running count after each batch; optional.</param>
    /// <param name="cancellationToken">Cancels between batches; batches done stay done, and the next call goes on.</param>
    /// <returns>How many persons were re-keyed, how many index entries remain under older versions, and the new version.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<KeyRotationProgress> RekeyBlindIndexAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retires (destroys) an old key version in the key provider, once no key in the vault is wrapped under
    /// any version but the current one. This is what makes erasure reach backups: a backup, an old
    /// write-ahead log page or a dead PostgreSQL row version keeps a forgotten person's data key wrapped
    /// under the version that was current then, and once that version is destroyed nothing opens it. Run
    /// it when the backup-retention window has passed since the rotation (see docs/erasure.md). For the
    /// built-in master key it drops the version from memory; remove it from your configuration and secret
    /// store too, or the next start loads it again.
    /// </summary>
    /// <param name="keyVersion">The version to retire; not the current one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">The version is the current one, or keys are still wrapped under older versions (run <see cref="RewrapKeysAsync"/>).</exception>
    /// <exception cref="NotSupportedException">The key provider cannot retire versions (<see cref="Keys.IKeyProvider.CanRetireKeyVersions"/>).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task RetireKeyVersionAsync(string keyVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the old copies of forgotten persons' rows that the storage still keeps outside its live data:
    /// for SQLite, it checkpoints and truncates the write-ahead log, whose page images can hold a forgotten
    /// person's wrapped key until then. Each scheduler pass that forgot someone does this at its end; call it
    /// after forgetting people through the vault, for example once a day.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when concurrent work kept it from finishing; call it again later.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<bool> CompactAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks the audit trail's HMAC chain from its start (or the last purge) to its head, in pages: every
    /// event must be present, in order and unaltered. Reports the first event where the chain breaks: one
    /// deleted from the middle, inserted, reordered or rewritten (fields or details). Events appended while it
    /// runs are left for the next call.
    /// </summary>
    /// <param name="anchor">A head exported earlier with <see cref="GetAuditChainHeadAsync"/>; when given, the trail
    /// must still hold that event with that link, which detects events cut from the end.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the trail is intact, how many events were checked, and where it breaks.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<AuditVerification> VerifyAuditTrailAsync(AuditChainHead? anchor = null, CancellationToken cancellationToken = default);

    /// <summary>The audit chain's current head, to anchor outside the database (see <see cref="AuditChainHead"/>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The newest event's sequence number and link.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<AuditChainHead> GetAuditChainHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the audit events older than <see cref="DatabunkerOptions.AuditRetention"/>: the oldest events in
    /// chain order, up to the first one that is still within the retention, so that what stays is one chain.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many events were deleted.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<int> PurgeAuditEventsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits every read audit event (<c>person.get</c>, <c>token.detokenize</c>) that the group commit holds
    /// (see <see cref="DatabunkerOptions.ReadAuditWindow"/>). Reading the audit trail, verifying or purging it and
    /// disposing the service provider do this themselves; call it before a planned stop that does not dispose the
    /// provider, or before a backup.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for a commit under way; a commit once begun completes.</param>
    /// <remarks>After a storage failure the events are kept for the next try.</remarks>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task FlushAuditAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one due-work pass: every module does the work that time made due (today the expiration pass, which
    /// forgets whoever is due, and the removal of expired tokens), one module after the other. The host decides
    /// when passes run; the library keeps no timer of its own.
    /// </summary>
    /// <param name="cancellationToken">Stops the pass between batches.</param>
    /// <returns>How many items each module handled, by module name (<c>expiration</c>: persons forgotten; <c>tokens</c>: tokens removed).</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyDictionary<string, int>> RunDueWorkAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// How far behind the due work is: the due time of the waiting expiration that falls due first, and how long
    /// ago that was (zero when nothing is overdue). A scheduler that runs its passes keeps the lag under its period;
    /// a growing lag means passes fail or do not run. For health checks and dashboards; it reads one row.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The backlog.</returns>
    /// <exception cref="DatabunkerStorageException">The storage cannot be read.</exception>
    Task<DueWorkBacklog> GetDueWorkBacklogAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Each module's backlog, by module name: when its first item falls or fell due and how long ago. For a dashboard
    /// (the DPO console's operations page); it reads one indexed aggregate per module, except the consent ledger's,
    /// which steps over grants that a later decision superseded, as its expiry sweep does.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The modules in name order.</returns>
    /// <exception cref="DatabunkerStorageException">The storage cannot be read.</exception>
    Task<IReadOnlyList<ModuleBacklog>> GetBacklogByModuleAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The due-work passes this process ran last (<see cref="RunDueWorkAsync"/>), newest first: when each ran, what each
    /// module did and which one failed. Kept in memory, the last 20; each instance of a fleet knows its own.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The passes, newest first; empty before the first.</returns>
    Task<IReadOnlyList<DueWorkPass>> GetRecentPassesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Where the keys stand: the key provider's current version and how many data keys are still wrapped under an older
    /// one, the blind-index key's version and how many index entries are still under an older one. Two counting queries.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status.</returns>
    /// <exception cref="DatabunkerStorageException">The storage cannot be read.</exception>
    Task<VaultKeyStatus> GetKeyStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an event of the host's own to the audit trail, by the current <see cref="AuditActor"/>: an access the vault
    /// does not see itself, such as a DPO's look at a person's record in a console, with the reason the DPO gave. The
    /// reason is sealed under the person's key like every event's details: the person reads it in their history
    /// (<see cref="IPersonalDataVault.GetAuditEventsAsync"/>), and a forget makes it unreadable.
    /// </summary>
    /// <param name="operation">
    /// The event's code: lower-case words joined by dots (<c>console.lookup</c>), 3 to 64 characters, outside the families
    /// of the vault's own codes (<see cref="AuditOperations"/>: <c>person.</c>, <c>request.</c>, ...).
    /// </param>
    /// <param name="person">The person concerned, or <see langword="null"/>.</param>
    /// <param name="reason">Why, 1 to 2,000 characters; only with a <paramref name="person"/>, whose key seals it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="VaultInputException">The code is malformed or in a family of the vault's own, the reason is empty, too long or given without a person.</exception>
    /// <exception cref="PersonNotFoundException">A reason is given for a person the vault does not hold.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task RecordAuditEventAsync(string operation, Guid? person = null, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The minimisation report (GDPR Art. 5(1)(c)): reads every person's profile and counts, per field, who holds it,
    /// which purposes of the catalogue declare it, who holds it though no purpose does (over-collection), and who holds
    /// it past every declaring purpose's retention. Only counts and field names leave the vault. It opens every profile,
    /// so run it off-peak on a large vault; audited as <c>admin.minimisation</c>.
    /// </summary>
    /// <param name="cancellationToken">Stops between persons.</param>
    /// <returns>The report.</returns>
    /// <exception cref="VaultCryptoException">A stored profile or key fails to authenticate.</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<MinimisationReport> GetMinimisationReportAsync(CancellationToken cancellationToken = default);
}
