namespace Databunker.Core.Administration;

/// <summary>Start-up, key rotation and audit retention.</summary>
internal sealed partial class VaultAdministration(
    ISystemKeyStore systemKeys,
    IDataKeyStore dataKeys,
    IAuditStore auditStore,
    VaultOpener opener,
    VaultKeyRing keyRing,
    PersonDirectory directory,
    PersonEraser eraser,
    AuditTrail auditTrail,
    IEnumerable<IKeyRenewal> renewals,
    IEnumerable<IDueWork> dueWork,
    IEnumerable<IBacklogSource> backlog,
    AuditChain auditChain,
    Privacy.IPurposeViews purposes,
    Diagnostics.DatabunkerTelemetry telemetry,
    TimeProvider time,
    IOptions<DatabunkerOptions> options,
    ILogger<VaultAdministration>? logger = null) : IVaultAdministration
{
    private readonly IPersonStore _persons = directory.Store;
    private readonly DatabunkerOptions _options = options.Value;
    private readonly ILogger<VaultAdministration> _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<VaultAdministration>.Instance;

    /// <summary>The families of the vault's own audit codes, which no host event may take.</summary>
    private static readonly HashSet<string> ReservedFamilies = new(StringComparer.Ordinal)
    {
        "person", "purpose", "expiration", "token", "keys", "appdata", "session", "share", "catalog", "consent", "request", "audit", "admin",
    };

    /// <summary>The last passes of this process, newest first (<see cref="MaxPasses"/> at most).</summary>
    private readonly List<DueWorkPass> _passes = [];

    private const int MaxPasses = 20;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => opener.OpenAsync(cancellationToken);

    public async Task<KeyRotationProgress> RewrapKeysAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var provider = keyRing.Provider;
        var target = provider.CurrentKeyVersion;
        long rewrapped = 0;

        foreach (var name in await systemKeys.GetSystemKeyNamesAsync(cancellationToken).ConfigureAwait(false))
        {
            var stored = await systemKeys.GetSystemKeyAsync(name, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.KeyVersion == target)
            {
                continue;
            }

            var context = AssociatedData.For(AssociatedData.SystemKey, name);
            var key = await provider.UnwrapKeyAsync(stored, context, cancellationToken).ConfigureAwait(false);
            var replacement = await provider.WrapKeyAsync(key, context, cancellationToken).ConfigureAwait(false);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
            target = Adopt(target, replacement.KeyVersion);
            if (await systemKeys.ReplaceSystemKeyAsync(name, stored.Ciphertext, replacement, cancellationToken).ConfigureAwait(false))
            {
                rewrapped++;
            }
        }

        var remaining = await dataKeys.CountDataKeysNotUnderAsync(target, cancellationToken).ConfigureAwait(false);
        var current = new KeyRotationProgress(rewrapped, remaining, target);
        progress?.Report(current);

        // Pages through the keys in owner order, so each key is visited once per call, whatever version name
        // the provider hands back: a provider that wraps under another name than it advertises cannot make
        // this loop run forever.
        Guid? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await dataKeys.GetDataKeysNotUnderAsync(target, after, _options.RotationBatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            var replacements = new List<DataKeyReplacement>(batch.Count);
            foreach (var stored in batch)
            {
                var key = await keyRing.OpenDataKeyAsync(stored.Person, stored.Key, cancellationToken).ConfigureAwait(false);
                var context = AssociatedData.For(AssociatedData.DataKey, stored.Person);
                var replacement = await provider.WrapKeyAsync(key, context, cancellationToken).ConfigureAwait(false);
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
                target = Adopt(target, replacement.KeyVersion);
                replacements.Add(new DataKeyReplacement(stored.Person, stored.Key.Ciphertext, replacement));
            }

            after = batch[^1].Person;
            rewrapped += await dataKeys.ReplaceDataKeysAsync(replacements, cancellationToken).ConfigureAwait(false);
            remaining = Math.Max(0, remaining - batch.Count);
            current = new KeyRotationProgress(rewrapped, remaining, target);
            progress?.Report(current);
            AdministrationLog.KeysRewrapped(_logger, rewrapped, target, remaining);
        }

        // A recount, not the running estimate: keys another writer wrapped meanwhile under an older version
        // (or that a concurrent rotation replaced first) show here, and a later call moves them.
        remaining = await dataKeys.CountDataKeysNotUnderAsync(target, cancellationToken).ConfigureAwait(false);
        await auditTrail.AppendAsync(auditTrail.NewEvent(AuditOperations.KeysRewrap, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
        return new KeyRotationProgress(rewrapped, remaining, target);
    }

    public async Task<KeyRotationProgress> RenewTokenSealingKeyAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using (await opener.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            await keyRing.RenewAsync(VaultKeyRing.TokenSealKeyName, cancellationToken).ConfigureAwait(false);
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var target = VaultKeyRing.VersionedName(VaultKeyRing.TokenSealKeyName, lease.Keys.TokenSealVersion);
        var renewal = renewals.SingleOrDefault(r => r.KeyName == VaultKeyRing.TokenSealKeyName)
            ?? throw new InvalidOperationException("No module renews what is sealed under the token-sealing key.");
        var (resealed, missed) = await renewal.RenewAsync(
            lease.Keys, _options.RotationBatchSize, done => progress?.Report(new KeyRotationProgress(done, 0, target)), cancellationToken).ConfigureAwait(false);
        await auditTrail.AppendAsync(auditTrail.NewEvent(AuditOperations.KeysRenew, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
        AdministrationLog.KeyRenewed(_logger, target, resealed, missed);
        return new KeyRotationProgress(resealed, missed, target);
    }

    public async Task<KeyRotationProgress> RekeyBlindIndexAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using (var first = await opener.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            if (first.Keys.PreviousBlindIndex is null)
            {
                await keyRing.RenewAsync(VaultKeyRing.BlindIndexKeyName, cancellationToken).ConfigureAwait(false);
            }
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var keys = lease.Keys;
        var target = VaultKeyRing.VersionedName(VaultKeyRing.BlindIndexKeyName, keys.BlindIndexVersion);
        long rekeyed = 0, remaining = 0;

        // Passes until none is left: a person written during a pass gets entries under both versions again.
        for (var pass = 0; pass < 3; pass++)
        {
            var before = rekeyed;
            rekeyed += await directory.RekeyIndexesAsync(
                keys, _options.RotationBatchSize, done => progress?.Report(new KeyRotationProgress(before + done, 0, target)), cancellationToken).ConfigureAwait(false);
            remaining = await _persons.CountIndexesBelowAsync(keys.BlindIndexVersion, cancellationToken).ConfigureAwait(false);
            if (remaining == 0)
            {
                keyRing.EndBlindIndexTransition();
                break;
            }
        }

        await auditTrail.AppendAsync(auditTrail.NewEvent(AuditOperations.KeysRenew, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
        AdministrationLog.KeyRenewed(_logger, target, rekeyed, remaining);
        return new KeyRotationProgress(rekeyed, remaining, target);
    }

    public async Task RetireKeyVersionAsync(string keyVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyVersion);
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var provider = keyRing.Provider;
        if (!provider.CanRetireKeyVersions)
        {
            throw new NotSupportedException(
                $"The key provider {provider.GetType().Name} cannot retire key versions: destroy the old version in the key service itself once RewrapKeysAsync has moved every key off it.");
        }

        if (string.Equals(keyVersion, provider.CurrentKeyVersion, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The current key version cannot be retired: make another version current first.");
        }

        var current = provider.CurrentKeyVersion;
        var stale = await dataKeys.CountDataKeysNotUnderAsync(current, cancellationToken).ConfigureAwait(false);
        foreach (var name in await systemKeys.GetSystemKeyNamesAsync(cancellationToken).ConfigureAwait(false))
        {
            if ((await systemKeys.GetSystemKeyAsync(name, cancellationToken).ConfigureAwait(false))?.KeyVersion is { } version && version != current)
            {
                stale++;
            }
        }

        if (stale > 0)
        {
            throw new InvalidOperationException(
                $"{stale} key(s) are still wrapped under a version other than the current one: run RewrapKeysAsync until none remain, then retire.");
        }

        await provider.RetireKeyVersionAsync(keyVersion, cancellationToken).ConfigureAwait(false);
        await auditTrail.AppendAsync(auditTrail.NewEvent(AuditOperations.KeysRetire, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
        AdministrationLog.KeyVersionRetired(_logger, keyVersion);
    }

    /// <summary>
    /// Takes the version a provider actually wrapped under as the rotation's target (a KMS may answer with the
    /// key's full name where it advertised an alias), so that keys it wrapped count as done.
    /// </summary>
    private string Adopt(string target, string wrappedUnder)
    {
        if (!string.Equals(target, wrappedUnder, StringComparison.Ordinal))
        {
            AdministrationLog.KeyVersionAdopted(_logger, target, wrappedUnder);
        }

        return wrappedUnder;
    }

    public async Task<bool> CompactAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await eraser.CompactAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditChainHead> GetAuditChainHeadAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        await auditTrail.FlushReadsAsync(cancellationToken).ConfigureAwait(false);
        var chain = await auditStore.GetAuditChainAsync(cancellationToken).ConfigureAwait(false);
        return AuditHeads.Of(chain);
    }

    public async Task<AuditVerification> VerifyAuditTrailAsync(AuditChainHead? anchor = null, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        await auditTrail.FlushReadsAsync(cancellationToken).ConfigureAwait(false);
        var result = await new AuditTrailVerifier(auditStore, auditChain, _options.AuditVerificationPageSize).VerifyAsync(anchor, cancellationToken).ConfigureAwait(false);
        if (!result.IsIntact)
        {
            Log.IntegrityFailure(_logger, "audit trail");
        }

        return result;
    }

    public async Task FlushAuditAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        await auditTrail.FlushReadsAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, int>> RunDueWorkAsync(CancellationToken cancellationToken = default)
    {
        var done = new Dictionary<string, int>(StringComparer.Ordinal);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        string? module = null;
        try
        {
            if (telemetry.PassLag.Enabled)
            {
                telemetry.PassLag.Record((await GetDueWorkBacklogAsync(cancellationToken).ConfigureAwait(false)).Overdue.TotalSeconds);
            }

            foreach (var work in dueWork)
            {
                module = work.Module;
                var handled = await work.RunAsync(cancellationToken).ConfigureAwait(false);
                done[work.Module] = handled;
                telemetry.PassItems.Add(handled, new KeyValuePair<string, object?>("databunker.module", work.Module));
            }
        }
        catch (Exception ex)
        {
            telemetry.Passes.Add(1, new KeyValuePair<string, object?>("databunker.outcome", Diagnostics.DatabunkerTelemetry.Outcome(ex)));
            // A pass stopped by the host's shutdown did not fail; one that threw did.
            if (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Remember(new DueWorkPass(startedAt, time.GetElapsedTime(started), new Dictionary<string, int>(done, StringComparer.Ordinal), module ?? "backlog", ex.GetType().Name));
            }

            throw;
        }

        telemetry.Passes.Add(1, new KeyValuePair<string, object?>("databunker.outcome", "ok"));
        Remember(new DueWorkPass(startedAt, time.GetElapsedTime(started), new Dictionary<string, int>(done, StringComparer.Ordinal), null, null));
        return done;
    }

    private void Remember(DueWorkPass pass)
    {
        lock (_passes)
        {
            _passes.Insert(0, pass);
            if (_passes.Count > MaxPasses)
            {
                _passes.RemoveAt(MaxPasses);
            }
        }
    }

    public Task<IReadOnlyList<DueWorkPass>> GetRecentPassesAsync(CancellationToken cancellationToken = default)
    {
        lock (_passes)
        {
            return Task.FromResult<IReadOnlyList<DueWorkPass>>(_passes.ToArray());
        }
    }

    public async Task<VaultKeyStatus> GetKeyStatusAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = keyRing.Provider.CurrentKeyVersion;
        var older = await dataKeys.CountDataKeysNotUnderAsync(current, cancellationToken).ConfigureAwait(false);
        var indexes = await _persons.CountIndexesBelowAsync(lease.Keys.BlindIndexVersion, cancellationToken).ConfigureAwait(false);
        return new VaultKeyStatus(current, older, lease.Keys.BlindIndexVersion, indexes, lease.Keys.TokenSealVersion);
    }

    public async Task RecordAuditEventAsync(string operation, Guid? person = null, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (!HostOperation().IsMatch(operation) || ReservedFamilies.Contains(operation[..operation.IndexOf('.', StringComparison.Ordinal)]))
        {
            throw new VaultInputException(
                "An event's code is lower-case words joined by dots (console.lookup), 3 to 64 characters, outside the vault's own families (person., request., ...).", nameof(operation));
        }

        if (reason is not null && (person is null || reason.Length > 2000 || string.IsNullOrWhiteSpace(reason)))
        {
            throw new VaultInputException("A reason is 1 to 2,000 characters, not only spaces, and is given with the person whose key seals it.", nameof(reason));
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        if (reason is null || person is not { } owner)
        {
            await auditTrail.AppendAsync(operation, person, AuditOutcomes.Success, cancellationToken).ConfigureAwait(false);
            return;
        }

        var dataKey = await directory.OpenDataKeyAsync(owner, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
        try
        {
            var now = auditTrail.Now();
            var details = AuditTrail.SealDetails(dataKey, owner, operation, now, "reason", [reason]);
            await auditTrail.AppendAsync(auditTrail.NewEvent(operation, owner, AuditOutcomes.Success, details, now), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?=.{3,64}\z)[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\z")]
    private static partial System.Text.RegularExpressions.Regex HostOperation();

    public async Task<DueWorkBacklog> GetDueWorkBacklogAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        long? oldest = null;
        foreach (var source in backlog.Where(b => b.Module == "expiration"))
        {
            if (await source.GetEarliestDueAsync(cancellationToken).ConfigureAwait(false) is { } due && (oldest is null || due < oldest))
            {
                oldest = due;
            }
        }

        if (oldest is not { } earliest)
        {
            return new DueWorkBacklog(null, TimeSpan.Zero);
        }

        var overdue = auditTrail.Now() - earliest;
        return new DueWorkBacklog(DateTimeOffset.FromUnixTimeMilliseconds(earliest), overdue > 0 ? TimeSpan.FromMilliseconds(overdue) : TimeSpan.Zero);
    }

    public async Task<IReadOnlyList<ModuleBacklog>> GetBacklogByModuleAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var now = auditTrail.Now();
        var modules = new List<ModuleBacklog>();
        foreach (var source in backlog.OrderBy(b => b.Module, StringComparer.Ordinal))
        {
            var due = await source.GetEarliestDueAsync(cancellationToken).ConfigureAwait(false);
            modules.Add(due is { } earliest
                ? new ModuleBacklog(source.Module, DateTimeOffset.FromUnixTimeMilliseconds(earliest), earliest < now ? TimeSpan.FromMilliseconds(now - earliest) : TimeSpan.Zero)
                : new ModuleBacklog(source.Module, null, TimeSpan.Zero));
        }

        return modules;
    }

    public async Task<int> PurgeAuditEventsAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        await auditTrail.FlushReadsAsync(cancellationToken).ConfigureAwait(false);
        var before = auditTrail.Now() - (long)_options.AuditRetention.TotalMilliseconds;
        var purged = await auditStore.PurgeAuditAsync(before, cancellationToken).ConfigureAwait(false);
        AdministrationLog.AuditPurged(_logger, purged);
        return purged;
    }

    /// <summary>Registers the operators' entry point: initialisation, key rotation and renewal, audit upkeep.</summary>
    public static void Register(IServiceCollection services) => Diagnostics.Instrumented.AddVaultAdministration<VaultAdministration>(services);
}
