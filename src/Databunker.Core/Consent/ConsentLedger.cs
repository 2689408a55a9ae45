using System.Text.Json;
using Databunker.Core.Privacy;

namespace Databunker.Core.Consent;

/// <summary>The consent ledger: append-only events, evidence sealed under the person's key, state derived.</summary>
internal sealed class ConsentLedger(
    IConsentStore store,
    IConsentChain chain,
    IAuditStore auditStore,
    IVaultStore vaultStore,
    IPrivacyCatalog catalog,
    VaultOpener opener,
    PersonDirectory persons,
    AuditTrail audit,
    IOptions<DatabunkerOptions> options,
    TimeProvider time,
    ILogger<ConsentLedger>? logger = null) : IConsentLedger
{
    private const int MaxSourceLength = 200;
    private const int MaxEvidenceLength = 1000;

    private readonly ConsentOptions _options = options.Value.Consent;
    private readonly int _verificationPageSize = options.Value.AuditVerificationPageSize;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task<ConsentEvent> RecordAsync(Guid person, ConsentRecord record, CancellationToken cancellationToken = default)
    {
        var activity = Check(record);
        return CryptoGuard.RunAsync(_logger, AuditOperations.ConsentRecord, async () =>
        {
            using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false);
            if (dataKey is null)
            {
                await audit.AppendAsync(AuditOperations.ConsentRecord, person, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
                throw new PersonNotFoundException();
            }

            try
            {
                var notice = await NoticeAsync(activity, record, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var evidence = record.Evidence is { } e ? SealEvidence(dataKey, person, activity.Name, now, e) : null;
                var consent = NewEvent(person, activity, record, notice, now, evidence);
                var details = AuditTrail.SealDetails(dataKey, person, AuditOperations.ConsentRecord, now, "activity", [activity.Name]);
                var id = await store.AddConsentEventAsync(consent, audit.NewEvent(AuditOperations.ConsentRecord, person, AuditOutcomes.Success, details, now), cancellationToken).ConfigureAwait(false);
                var recorded = ToEvent(new StoredConsentEvent(id, consent), record.Evidence);
                await WakeFieldRetentionAsync(person, activity, recorded, cancellationToken).ConfigureAwait(false);
                return recorded;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        });
    }

    /// <summary>
    /// Field retention's part of a decision: when the activity declares fields, the due-work pass must look at the
    /// person's fields when the consent ends (now, for a withdrawal or refusal; at a grant's lapse).
    /// </summary>
    private Task WakeFieldRetentionAsync(Guid person, ProcessingActivity activity, ConsentEvent recorded, CancellationToken cancellationToken)
    {
        var wake = recorded switch
        {
            { Decision: ConsentDecision.Withdrawn or ConsentDecision.Refused } => recorded.At.ToUnixTimeMilliseconds(),
            { Decision: ConsentDecision.Granted, ExpiresAt: { } expires } => expires.ToUnixTimeMilliseconds(),
            _ => (long?)null,
        };
        return activity.Fields.Count > 0 && wake is not null ? WakeAsync() : Task.CompletedTask;

        async Task WakeAsync()
        {
            try
            {
                await persons.Store.ScheduleFieldRetentionAsync(person, wake, onlyEarlier: true, cancellationToken).ConfigureAwait(false);
            }
            catch (DatabunkerStorageException ex)
            {
                // The decision is recorded: failing the call would have the caller record it again. The pass looks later.
                ConsentLog.FieldRetentionWakeFailed(_logger, ex.GetType().Name);
            }
        }
    }

    public Task<IReadOnlyList<ConsentEvent>> GetHistoryAsync(Guid person, string? activity = null, CancellationToken cancellationToken = default) =>
        CryptoGuard.RunAsync<IReadOnlyList<ConsentEvent>>(_logger, "consent.read", async () =>
        {
            using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
            try
            {
                var events = await ReadLedgerAsync(person, cancellationToken).ConfigureAwait(false);
                return [.. events.Where(e => activity is null || e.Event.Activity == activity).Select(e => ToEvent(e, OpenEvidence(dataKey, e.Event)))];
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        });

    public async Task<IReadOnlyList<ConsentState>> GetStateAsync(Guid person, CancellationToken cancellationToken = default)
    {
        var history = await GetHistoryAsync(person, null, cancellationToken).ConfigureAwait(false);
        var states = new List<ConsentState>();
        foreach (var activity in catalog.Activities.Where(a => a.LegalBasis == LegalBasis.Consent))
        {
            states.Add(await StateAsync(activity, history, cancellationToken).ConfigureAwait(false));
        }

        return states;
    }

    public async Task<bool> IsAllowedAsync(Guid person, string activity, CancellationToken cancellationToken = default)
    {
        var declared = catalog.FindActivity(activity) ?? throw new VaultInputException("The activity is not in the privacy catalogue.", nameof(activity));
        if (declared.LegalBasis != LegalBasis.Consent)
        {
            using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
            return await persons.Store.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) is not null ? true : throw new PersonNotFoundException();
        }

        var history = await GetHistoryAsync(person, activity, cancellationToken).ConfigureAwait(false);
        return (await StateAsync(declared, history, cancellationToken).ConfigureAwait(false)).IsGranted;
    }

    public Task<Guid?> RecordForContactAsync(PersonLookup contact, ConsentRecord record, CancellationToken cancellationToken = default)
    {
        if (contact.Kind is not (LookupKind.Email or LookupKind.Phone))
        {
            throw new VaultInputException("A decision before registration is recorded for an email address or a phone number.", nameof(contact));
        }

        var activity = Check(record);
        return CryptoGuard.RunAsync<Guid?>(_logger, AuditOperations.ConsentPending, async () =>
        {
            using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
            if (await persons.FindTokenAsync(contact, lease.Keys, cancellationToken).ConfigureAwait(false) is { } person)
            {
                await RecordAsync(person, record, cancellationToken).ConfigureAwait(false);
                return person;
            }

            var notice = await NoticeAsync(activity, record, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var hash = persons.CurrentIndexHash(contact, lease.Keys);
            var evidence = record.Evidence is { } e
                ? Seal(lease.Keys.PendingConsents, e, AssociatedData.ForPendingConsentEvidence(hash, activity.Name, now))
                : null;
            var pending = new PendingConsentEvent(hash, NewEvent(Guid.Empty, activity, record, notice, now, evidence));
            pending = pending with { Link = ConsentLinks.OfPending(chain, pending) };
            await store.AddPendingConsentAsync(pending, audit.NewEvent(AuditOperations.ConsentPending, null, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false);
            return null;
        });
    }

    public Task<IReadOnlyList<PersonConsent>> ListByLatestDecisionAsync(string activity, ConsentDecision decision, long afterId = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (catalog.FindActivity(activity) is not { LegalBasis: LegalBasis.Consent })
        {
            throw new VaultInputException("The activity is not a consent-based activity of the privacy catalogue.", nameof(activity));
        }

        if (!Enum.IsDefined(decision) || limit is < 1 or > 10_000 || afterId < 0)
        {
            throw new VaultInputException("A listing names a defined decision, 1 to 10,000 events and a non-negative id to start after.", nameof(limit));
        }

        return ListAsync();

        async Task<IReadOnlyList<PersonConsent>> ListAsync()
        {
            using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
            var events = await store.ListLatestConsentsAsync(activity, decision, afterId, limit, cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                ConsentChainCheck.VerifyAlone(chain, e);
                ConsentChainCheck.VerifyTail(chain, e);
            }

            return [.. events.Select(e => new PersonConsent(e.Event.Person, ToEvent(e, null)))];
        }
    }

    public async Task<int> AttachPendingAsync(CancellationToken cancellationToken = default)
    {
        if (!catalog.Activities.Any(a => a.LegalBasis == LegalBasis.Consent))
        {
            return 0;
        }

        return await CryptoGuard.RunAsync(_logger, AuditOperations.ConsentAttach, async () =>
        {
            using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
            var total = 0;
            while (true)
            {
                var batch = await store.GetAttachablePendingConsentsAsync(null, _options.ExpiryBatchSize, cancellationToken).ConfigureAwait(false);
                var attached = 0;
                foreach (var group in batch.GroupBy(p => p.Person))
                {
                    attached += await AttachAsync(group.Key, [.. group], lease.Keys, cancellationToken).ConfigureAwait(false);
                }

                total += attached;
                if (batch.Count < _options.ExpiryBatchSize || attached == 0)
                {
                    return total;
                }
            }
        }).ConfigureAwait(false);
    }

    public async Task<int> RunDueWorkAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var size = _options.ExpiryBatchSize;
        var total = await Batches.DrainAsync(
            size,
            ct =>
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                return store.ExpireConsentsAsync(now, size, audit.NewEvent(AuditOperations.ConsentExpired, null, AuditOutcomes.Success, at: now), ct);
            },
            cancellationToken).ConfigureAwait(false);

        // Grants given under an older notice version than the latest published: the person must be asked again.
        foreach (var activity in catalog.Activities.Where(a => a.LegalBasis == LegalBasis.Consent && a.Notice is not null))
        {
            if (await catalog.GetNoticeAsync(activity.Notice!, null, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                continue;
            }

            total += await Batches.DrainAsync(
                size,
                ct =>
                {
                    var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                    return store.MarkReconsentRequiredAsync(activity.Name, current.Version, now, size, audit.NewEvent(AuditOperations.ConsentReconsent, null, AuditOutcomes.Success, at: now), ct);
                },
                cancellationToken).ConfigureAwait(false);
        }

        // Decisions recorded before registration: attached if a registration's own step missed them, deleted when stale.
        total += await AttachPendingAsync(cancellationToken).ConfigureAwait(false);
        var staleBefore = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.PendingLifetime.TotalMilliseconds;
        total += await Batches.DrainAsync(size, ct => store.DeletePendingConsentsAsync(staleBefore, size, ct), cancellationToken).ConfigureAwait(false);
        return total;
    }

    public async Task<ConsentVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var result = await new ConsentLedgerVerifier(store, chain, auditStore, vaultStore, _verificationPageSize).VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (!result.IsIntact)
        {
            Log.IntegrityFailure(_logger, "consent ledger");
        }

        return result;
    }

    /// <summary>Registers the ledger, its part of a forget, of the due-work pass and of the export.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddConsentLedger<ConsentLedger>(services);

        // Its part of purpose-bound reads: whether the consent a purpose rests on stands.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPurposeConsent, LedgerPurposeConsent>());

        // The chain over each person's decisions, keyed by the key ring, and its part of opening the vault: the decisions
        // recorded before the chain are linked once, when this start's migration added it.
        services.TryAddSingleton<ConsentChain>();
        services.TryAddSingleton<IConsentChain>(sp => sp.GetRequiredService<ConsentChain>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISystemKeyUser, ConsentChain>(sp => sp.GetRequiredService<ConsentChain>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenStep, LegacyConsentLink>());

        // Its part of a forget: the evidence always goes; the decisions too unless the host keeps them as proof.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IErasureStep, ErasureStep<IConsentStore>>(sp =>
        {
            var keep = sp.GetRequiredService<IOptions<DatabunkerOptions>>().Value.Consent.KeepHistoryAfterForget;
            return new ErasureStep<IConsentStore>(sp.GetRequiredService<IConsentStore>(), (consents, erasure, person, ct) => consents.EnlistErasureAsync(erasure, person, keep, ct));
        }));

        // Its part of the due-work pass: consents whose validity ended, grants that need re-consent, pending decisions.
        DueWork<IConsentLedger>.Add(services, "consent", static (ledger, cancellationToken) => ledger.RunDueWorkAsync(cancellationToken));
        BacklogSource<IConsentStore>.Add(services, "consent", static (store, cancellationToken) => store.GetEarliestConsentExpiryAsync(cancellationToken));

        // Its part of data-subject requests: a withdrawal of consent to the request's activity, when it was given.
        RightStep<IConsentLedger>.Add(services, Rights.ConsentWithdrawal, static async (ledger, request, cancellationToken) =>
        {
            if (!await ledger.IsAllowedAsync(request.Person, request.Activity!, cancellationToken).ConfigureAwait(false))
            {
                return RightStepResult.Done("nothing-to-withdraw");
            }

            await ledger.RecordAsync(request.Person, new ConsentRecord
            {
                Activity = request.Activity!,
                Decision = ConsentDecision.Withdrawn,
                Method = ConsentMethod.Api,
                Source = "privacy request",
            }, cancellationToken).ConfigureAwait(false);
            return RightStepResult.Done();
        });

        // Its part of registering persons: decisions recorded for their email or phone beforehand.
        RegistrationStep<IConsentLedger>.Add(services, "consent", static (ledger, _, cancellationToken) => ledger.AttachPendingAsync(cancellationToken));

        // Its part of the export: every decision, with its evidence, once the person's ledger is checked against its chain.
        ExportSection<ConsentLedger>.Add<IConsentStore>(services, "consents", static (ledger, writer, context, cancellationToken) => ledger.WriteExportAsync(writer, context, cancellationToken));
    }

    private async Task WriteExportAsync(Utf8JsonWriter writer, ExportContext context, CancellationToken cancellationToken)
    {
        var ledger = await ReadLedgerAsync(context.Person, cancellationToken).ConfigureAwait(false);
        writer.WriteStartArray();
        foreach (var stored in ledger)
        {
            var e = ToEvent(stored, OpenEvidence(context.DataKey, stored.Event));
            writer.WriteStartObject();
            writer.WriteNumber("id", e.Id);
            writer.WriteString("activity", e.Activity);
            writer.WriteString("decision", e.Decision.ToString().ToLowerInvariant());
            writer.WriteString("method", e.Method.ToString());
            writer.WriteString("source", e.Source);
            writer.WriteString("notice", e.Notice);
            writer.WriteNumber("noticeVersion", e.NoticeVersion);
            writer.WriteString("noticeHash", e.NoticeHash);
            ExportContext.WriteTime(writer, "at", stored.Event.At);
            ExportContext.WriteTime(writer, "expiresAt", stored.Event.ExpiresAt);
            if (e.Evidence is { } evidence)
            {
                writer.WriteStartObject("evidence");
                writer.WriteString("reference", evidence.Reference);
                writer.WriteString("ipAddress", evidence.IpAddress);
                writer.WriteString("userAgent", evidence.UserAgent);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("evidence");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A person's whole ledger, checked against their chain and their ledger's head (each row carries the head as its
    /// statement read it): a cut tail, a deleted or foreign head, or a head without decisions throws <see cref="VaultCryptoException"/>.
    /// </summary>
    private async Task<IReadOnlyList<StoredConsentEvent>> ReadLedgerAsync(Guid person, CancellationToken cancellationToken)
    {
        var events = await store.GetConsentEventsAsync(person, cancellationToken).ConfigureAwait(false);
        StoredConsentHead? head = null;
        if (events.Count == 0 && (head = await store.GetConsentHeadAsync(person, cancellationToken).ConfigureAwait(false)) is not null)
        {
            // Read again: a first decision may have been appended, with its head, between the two reads.
            events = await store.GetConsentEventsAsync(person, cancellationToken).ConfigureAwait(false);
        }

        ConsentChainCheck.Verify(chain, events);
        ConsentChainCheck.VerifyHead(chain, person, events, events.Count == 0 ? head : events[^1].Head);
        return events;
    }

    /// <summary>Enters the vault for one operation (the opener has linked any decisions from before the chain).</summary>
    private ValueTask<KeyLease> EnterAsync(CancellationToken cancellationToken) => opener.EnterAsync(cancellationToken);

    private static ConsentEvent ToEvent(StoredConsentEvent stored, ConsentEvidence? evidence)
    {
        var e = stored.Event;
        return new ConsentEvent(
            stored.Id, e.Activity, e.Decision, e.Method, e.Source, e.Notice, e.NoticeVersion, Convert.ToHexStringLower(e.NoticeHash),
            DateTimeOffset.FromUnixTimeMilliseconds(e.At), e.ExpiresAt is { } x ? DateTimeOffset.FromUnixTimeMilliseconds(x) : null, evidence);
    }

    private static byte[] SealEvidence(byte[] dataKey, Guid person, string activity, long at, ConsentEvidence evidence) =>
        Seal(dataKey, evidence, AssociatedData.ForConsentEvidence(person, activity, at));

    private static byte[] Seal(byte[] key, ConsentEvidence evidence, byte[] associatedData)
    {
        var json = EvidenceJson(evidence);
        try
        {
            return Envelope.Seal(key, PersonDirectory.DataKeyId, json, associatedData);
        }
        finally
        {
            Array.Clear(json);
        }
    }

    private static byte[] EvidenceJson(ConsentEvidence evidence)
    {
        using var scratch = JsonScratch.ForDetails();
        var writer = scratch.Writer;
        writer.WriteStartObject();
        writer.WriteString("reference", evidence.Reference);
        writer.WriteString("ipAddress", evidence.IpAddress);
        writer.WriteString("userAgent", evidence.UserAgent);
        writer.WriteEndObject();
        return scratch.Written.ToArray();
    }

    private static NewConsentEvent NewEvent(Guid owner, ProcessingActivity activity, ConsentRecord record, PublishedNotice notice, long now, byte[]? evidence)
    {
        long? expiresAt = record.Decision == ConsentDecision.Granted && record.ValidFor is { } validFor ? now + (long)validFor.TotalMilliseconds : null;
        return new NewConsentEvent(
            owner, activity.Name, record.Decision, record.Method, record.Source, notice.Name, notice.Version, Convert.FromHexString(notice.ContentHash), now, expiresAt, evidence);
    }

    private static ConsentEvidence? OpenEvidence(byte[] dataKey, NewConsentEvent consent)
    {
        if (consent.Evidence is null)
        {
            return null;
        }

        return ParseEvidence(Envelope.Open(dataKey, consent.Evidence, AssociatedData.ForConsentEvidence(consent.Person, consent.Activity, consent.At), "consent evidence"));
    }

    private static ConsentEvidence ParseEvidence(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new ConsentEvidence
            {
                Reference = root.GetProperty("reference").GetString(),
                IpAddress = root.GetProperty("ipAddress").GetString(),
                UserAgent = root.GetProperty("userAgent").GetString(),
            };
        }
        finally
        {
            Array.Clear(json);
        }
    }

    private static void CheckText(string? value, int max, string what, string paramName)
    {
        if (value is not null && (value.Length == 0 || value.Length > max || !Utf16Text.IsValid(value)))
        {
            throw new VaultInputException($"The {what} is 1 to {max} characters of valid text when given.", paramName);
        }
    }

    private ProcessingActivity Check(ConsentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var activity = catalog.FindActivity(record.Activity) ?? throw new VaultInputException("The activity is not in the privacy catalogue.", nameof(record));
        if (activity.LegalBasis != LegalBasis.Consent || activity.Notice is null)
        {
            throw new VaultInputException("The activity does not rest on consent: its legal basis needs no decision to record.", nameof(record));
        }

        if (record.Decision is not (ConsentDecision.Granted or ConsentDecision.Refused or ConsentDecision.Withdrawn) || !Enum.IsDefined(record.Method) || record.Method == ConsentMethod.System)
        {
            throw new VaultInputException("A recorded decision is granted, refused or withdrawn, made by form, API, import or a Global Privacy Control signal.", nameof(record));
        }

        if (record.ValidFor is { } validFor && validFor <= TimeSpan.Zero)
        {
            throw new VaultInputException("A consent's validity must be positive.", nameof(record));
        }

        CheckText(record.Source, MaxSourceLength, "source", nameof(record));
        CheckText(record.Evidence?.Reference, MaxEvidenceLength, "evidence's reference", nameof(record));
        CheckText(record.Evidence?.IpAddress, MaxEvidenceLength, "evidence's IP address", nameof(record));
        CheckText(record.Evidence?.UserAgent, MaxEvidenceLength, "evidence's user agent", nameof(record));
        return activity;
    }

    private async Task<PublishedNotice> NoticeAsync(ProcessingActivity activity, ConsentRecord record, CancellationToken cancellationToken)
    {
        if (await catalog.GetNoticeAsync(activity.Notice!, record.NoticeVersion, cancellationToken).ConfigureAwait(false) is { } notice)
        {
            return notice;
        }

        if (record.NoticeVersion is not null && await catalog.GetNoticeAsync(activity.Notice!, null, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new VaultInputException("The notice version given was never published.", nameof(record));
        }

        // Nothing of the notice is published: the host's set-up is incomplete, not the caller's input.
        ConsentLog.CatalogNotPublished(_logger, activity.Notice!);
        throw new VaultConfigurationException(
            $"The privacy catalogue is not published: the notice '{activity.Notice}' has no published version. Call IPrivacyCatalog.PublishAsync at start (Databunker.Core.Hosting does it when the host starts).");
    }

    /// <summary>
    /// Whether a pending decision is as the ledger recorded it, for the email or phone it was recorded for. One that is not
    /// (rewritten, or moved to another person's index hash, in the database) is logged and left out: it is never attached,
    /// and the due-work pass deletes it when its lifetime ends.
    /// </summary>
    private bool IsGenuine(StoredPendingConsent stored)
    {
        if (stored.Pending.Link is { } link && stored.Pending.IndexHash.Length == chain.LinkSize
            && CryptographicOperations.FixedTimeEquals(ConsentLinks.OfPending(chain, stored.Pending), link))
        {
            return true;
        }

        Log.IntegrityFailure(_logger, "pending consent decision");
        return false;
    }

    /// <summary>
    /// Moves one person's pending decisions into the ledger, their evidence sealed again under the person's key. A
    /// pending decision older than one the person has made since on the same activity is dropped: it is superseded,
    /// and attached it would read as the latest.
    /// </summary>
    private async Task<int> AttachAsync(Guid person, IReadOnlyList<StoredPendingConsent> pending, SystemKeys keys, CancellationToken cancellationToken)
    {
        var dataKey = await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false);
        if (dataKey is null)
        {
            return 0;
        }

        try
        {
            var latest = (await store.GetConsentEventsAsync(person, cancellationToken).ConfigureAwait(false))
                .GroupBy(e => e.Event.Activity).ToDictionary(g => g.Key, g => g.Max(e => e.Event.At));
            var events = new List<NewConsentEvent>();
            var genuine = pending.Where(IsGenuine).ToList();
            foreach (var p in genuine.OrderBy(p => p.Pending.Event.At).ThenBy(p => p.Id))
            {
                var e = p.Pending.Event;
                if (latest.TryGetValue(e.Activity, out var since) && since > e.At)
                {
                    continue;
                }

                byte[]? evidence = null;
                if (e.Evidence is not null)
                {
                    var json = Envelope.Open(keys.PendingConsents, e.Evidence, AssociatedData.ForPendingConsentEvidence(p.Pending.IndexHash, e.Activity, e.At), "pending consent evidence");
                    try
                    {
                        evidence = Envelope.Seal(dataKey, PersonDirectory.DataKeyId, json, AssociatedData.ForConsentEvidence(person, e.Activity, e.At));
                    }
                    finally
                    {
                        Array.Clear(json);
                    }
                }

                events.Add(e with { Person = person, Evidence = evidence });
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            return await store.AttachPendingConsentsAsync([.. genuine.Select(p => p.Id)], events, audit.NewEvent(AuditOperations.ConsentAttach, null, AuditOutcomes.Success, at: now), cancellationToken)
                .ConfigureAwait(false) ? genuine.Count : 0;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The latest decision on <paramref name="activity"/>; a grant past its validity reads as expired, and one for an older notice needs re-consent.</summary>
    private async Task<ConsentState> StateAsync(ProcessingActivity activity, IReadOnlyList<ConsentEvent> history, CancellationToken cancellationToken)
    {
        var latest = history.LastOrDefault(e => e.Activity == activity.Name);
        if (latest is null)
        {
            return new ConsentState(activity.Name, null, null, false);
        }

        var decision = latest.Decision == ConsentDecision.Granted && latest.ExpiresAt is { } expires && expires <= time.GetUtcNow() ? ConsentDecision.Expired : latest.Decision;
        var current = await catalog.GetNoticeAsync(activity.Notice!, null, cancellationToken).ConfigureAwait(false);
        var outdated = decision == ConsentDecision.ReconsentRequired || (decision == ConsentDecision.Granted && current is not null && current.Version > latest.NoticeVersion);
        return new ConsentState(activity.Name, decision, latest, outdated);
    }
}

/// <summary>The consent module's part of purpose-bound reads: the ledger's own answer to whether an activity may go on for a person.</summary>
internal sealed class LedgerPurposeConsent(IConsentLedger ledger, TimeProvider time) : IPurposeConsent
{
    public Task<bool> IsGrantedAsync(Guid person, string activity, CancellationToken cancellationToken) =>
        ledger.IsAllowedAsync(person, activity, cancellationToken);

    public async Task<long?> GetEndAsync(Guid person, string activity, CancellationToken cancellationToken)
    {
        var history = await ledger.GetHistoryAsync(person, activity, cancellationToken).ConfigureAwait(false);
        var latest = history.Count > 0 ? history[^1] : null;
        return latest switch
        {
            null => null,
            { Decision: ConsentDecision.Withdrawn or ConsentDecision.Refused or ConsentDecision.Expired } => latest.At.ToUnixTimeMilliseconds(),
            { Decision: ConsentDecision.Granted, ExpiresAt: { } expires } when expires <= time.GetUtcNow() => expires.ToUnixTimeMilliseconds(),
            _ => null,
        };
    }
}
