using Databunker.Core.Keys;
using Databunker.Core.Requests;
using Databunker.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Storage;

/// <summary>
/// A storage of our own, built on the public storage SPI alone: it implements every role by handing the call to
/// another store's roles, and counts the calls, as a caching or metering layer of a host would. Plugged in with
/// <c>UseStorage(instance)</c>, it shows that a third-party store needs nothing internal.
/// </summary>
public sealed class CountingStorage(ServiceProvider inner) : IDisposable, IVaultStore, ISystemKeyStore, IDataKeyStore, IAuditStore, IPersonStore, ITokenStore, IExpirationStore, IAppDocumentStore, ISessionStore, IShareLinkStore, IPrivacyCatalogStore, IConsentStore, IPrivacyRequestStore
{
    private int _calls;

    /// <summary>
    /// A counting storage over a SQLite file, linking audit events with the vault's own chain: what a host
    /// passes to <c>UseStorage(sp =&gt; ...)</c>.
    /// </summary>
    public static CountingStorage OverSqlite(IServiceProvider vault, string connectionString)
    {
        var services = new ServiceCollection();
        services.AddSingleton(vault.GetRequiredService<IAuditChain>());
        services.AddSingleton(vault.GetRequiredService<IConsentChain>());
        services.AddSingleton(vault.GetRequiredService<TimeProvider>());
        services.AddDatabunker().UseSqlite(connectionString);
        return new CountingStorage(services.BuildServiceProvider());
    }

    /// <summary>How many role calls reached this storage.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public Task InitializeAsync(CancellationToken cancellationToken) => Count(Role<IVaultStore>()).InitializeAsync(cancellationToken);

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Count(Role<IVaultStore>()).GetSchemaVersionAsync(cancellationToken);

    public Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken) => Count(Role<IVaultStore>()).IsForgottenAsync(token, cancellationToken);

    public Task<IErasureTransaction> BeginErasureAsync(CancellationToken cancellationToken) => Count(Role<IVaultStore>()).BeginErasureAsync(cancellationToken);

    public Task<bool> CompactAsync(CancellationToken cancellationToken) => Count(Role<IVaultStore>()).CompactAsync(cancellationToken);

    public bool CanCompact => Role<IVaultStore>().CanCompact;

    public Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken) => Count(Role<ISystemKeyStore>()).GetSystemKeyAsync(name, cancellationToken);

    public Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken) => Count(Role<ISystemKeyStore>()).GetSystemKeyNamesAsync(cancellationToken);

    public Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken) => Count(Role<ISystemKeyStore>()).AddSystemKeyAsync(name, key, createdAt, cancellationToken);

    public Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken) => Count(Role<ISystemKeyStore>()).ReplaceSystemKeyAsync(name, previous, replacement, cancellationToken);

    public Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken) => Count(Role<IDataKeyStore>()).CountDataKeysNotUnderAsync(keyVersion, cancellationToken);

    public Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken) => Count(Role<IDataKeyStore>()).GetDataKeysNotUnderAsync(keyVersion, after, limit, cancellationToken);

    public Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken) => Count(Role<IDataKeyStore>()).ReplaceDataKeysAsync(replacements, cancellationToken);

    public Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IAuditStore>()).AppendAuditAsync(audit, cancellationToken);

    public Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken) => Count(Role<IAuditStore>()).AppendAuditAsync(audit, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken) => Count(Role<IAuditStore>()).GetAuditAsync(subject, cancellationToken);

    public Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken) => Count(Role<IAuditStore>()).PurgeAuditAsync(before, cancellationToken);

    public Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken) => Count(Role<IAuditStore>()).GetAuditChainAsync(cancellationToken);

    public Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(int stripe, long afterSequence, int limit, CancellationToken cancellationToken) => Count(Role<IAuditStore>()).GetChainedAuditAsync(stripe, afterSequence, limit, cancellationToken);

    public Task CreatePersonsAsync(IReadOnlyList<NewPerson> users, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).CreatePersonsAsync(users, cancellationToken);

    public Task<AuditedRead<StoredPerson>> GetPersonAuditedAsync(Guid owner, byte[]? hash, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).GetPersonAuditedAsync(owner, hash, audit, cancellationToken);

    public Task<StoredPerson?> GetPersonAsync(Guid token, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).GetPersonAsync(token, cancellationToken);

    public Task<StoredPerson?> GetPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).GetPersonByIndexAsync(hash, cancellationToken);

    public Task<Guid?> FindPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).FindPersonByIndexAsync(hash, cancellationToken);

    public Task<IReadOnlyCollection<Guid>> FindKnownTokensAsync(IReadOnlyList<Guid> tokens, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).FindKnownTokensAsync(tokens, cancellationToken);

    public Task<UpdateOutcome> UpdatePersonAsync(PersonChange change, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).UpdatePersonAsync(change, cancellationToken);

    public Task<long> CountIndexesBelowAsync(int keyVersion, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).CountIndexesBelowAsync(keyVersion, cancellationToken);

    public Task<IReadOnlyList<StoredPerson>> GetPersonsWithIndexesBelowAsync(int keyVersion, Guid? after, int limit, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).GetPersonsWithIndexesBelowAsync(keyVersion, after, limit, cancellationToken);

    public Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).ReplaceIndexesAsync(token, expectedVersion, indexes, cancellationToken);

    Task IPersonStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).EnlistErasureAsync(erasure, token, cancellationToken);

    public Task<IReadOnlyList<PurposeState>> GetPurposeStatesAsync(Guid person, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).GetPurposeStatesAsync(person, cancellationToken);

    public Task<bool> EndPurposeAsync(Guid person, string activity, long at, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).EndPurposeAsync(person, activity, at, audit, cancellationToken);

    public Task RecordPurposeUseAsync(Guid person, string activity, long at, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).RecordPurposeUseAsync(person, activity, at, cancellationToken);

    public Task ScheduleFieldRetentionAsync(Guid person, long? dueAt, bool onlyEarlier, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).ScheduleFieldRetentionAsync(person, dueAt, onlyEarlier, cancellationToken);

    public Task<IReadOnlyList<Guid>> GetFieldRetentionDueAsync(long now, int limit, CancellationToken cancellationToken) => Count(Role<IPersonStore>()).GetFieldRetentionDueAsync(now, limit, cancellationToken);

    public Task<IReadOnlyList<TokenAddOutcome>> AddTokensAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).AddTokensAsync(tokens, audit, now, cancellationToken);

    public Task<AuditedRead<StoredToken>> GetTokenAuditedAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).GetTokenAuditedAsync(tokenHash, now, audit, cancellationToken);

    public Task<IReadOnlyList<StoredToken?>> GetTokensAsync(IReadOnlyList<byte[]> tokenHashes, long now, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).GetTokensAsync(tokenHashes, now, cancellationToken);

    public Task<bool> DeleteTokenAsync(byte[] tokenHash, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).DeleteTokenAsync(tokenHash, audit, cancellationToken);

    public Task<int> DeleteExpiredTokensAsync(long now, int limit, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).DeleteExpiredTokensAsync(now, limit, cancellationToken);

    public Task<IReadOnlyList<StoredTokenSeal>> GetTokenSealsAsync(byte[]? afterHash, int limit, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).GetTokenSealsAsync(afterHash, limit, cancellationToken);

    public Task<int> ReplaceTokenSealsAsync(IReadOnlyList<TokenSealReplacement> replacements, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).ReplaceTokenSealsAsync(replacements, cancellationToken);

    Task ITokenStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).EnlistErasureAsync(erasure, owner, cancellationToken);

    public Task<bool> StartExpirationAsync(NewExpiration expiration, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).StartExpirationAsync(expiration, now, audit, cancellationToken);

    public Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).GetExpirationAsync(token, cancellationToken);

    public Task<StoredExpirationLink?> FindExpirationLinkAsync(byte[] retainHash, byte[] deleteHash, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).FindExpirationLinkAsync(retainHash, deleteHash, cancellationToken);

    public Task<bool> RetainExpirationAsync(Guid token, byte[] retainHash, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).RetainExpirationAsync(token, retainHash, now, audit, cancellationToken);

    public Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).CancelExpirationAsync(token, audit, cancellationToken);

    public Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).GetEarliestDueAsync(cancellationToken);

    public Task<long?> GetEarliestTokenExpiryAsync(CancellationToken cancellationToken) => Count(Role<ITokenStore>()).GetEarliestTokenExpiryAsync(cancellationToken);

    public Task<long?> GetEarliestSessionExpiryAsync(CancellationToken cancellationToken) => Count(Role<ISessionStore>()).GetEarliestSessionExpiryAsync(cancellationToken);

    public Task<long?> GetEarliestShareLinkExpiryAsync(CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).GetEarliestShareLinkExpiryAsync(cancellationToken);

    public Task<long?> GetEarliestAppDocumentExpiryAsync(CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).GetEarliestAppDocumentExpiryAsync(cancellationToken);

    public Task<long?> GetEarliestPrivacyRequestWakeAsync(CancellationToken cancellationToken) => Count(Role<IPrivacyRequestStore>()).GetEarliestPrivacyRequestWakeAsync(cancellationToken);

    public Task<long?> GetEarliestConsentExpiryAsync(CancellationToken cancellationToken) => Count(Role<IConsentStore>()).GetEarliestConsentExpiryAsync(cancellationToken);

    public Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).ClaimDueExpirationsAsync(now, limit, claimId, claimedUntil, cancellationToken);

    public Task<bool> HoldsDeleteLinkAsync(IErasureTransaction erasure, Guid token, byte[] deleteHash, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).HoldsDeleteLinkAsync(erasure, token, deleteHash, cancellationToken);

    public Task<bool> HoldsClaimAsync(IErasureTransaction erasure, Guid token, byte[] claimId, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).HoldsClaimAsync(erasure, token, claimId, cancellationToken);

    Task IExpirationStore.EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) => Count(Role<IExpirationStore>()).EnlistErasureAsync(erasure, token, cancellationToken);

    public Task<StoredAppDocument?> GetAppDocumentAsync(Guid owner, string app, long now, CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).GetAppDocumentAsync(owner, app, now, cancellationToken);

    public Task<IReadOnlyList<AppDocumentHeader>> ListAppDocumentsAsync(Guid owner, long now, CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).ListAppDocumentsAsync(owner, now, cancellationToken);

    public Task<long?> PutAppDocumentAsync(NewAppDocument document, long? expectedVersion, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).PutAppDocumentAsync(document, expectedVersion, audit, cancellationToken);

    public Task<bool> DeleteAppDocumentAsync(Guid owner, string app, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).DeleteAppDocumentAsync(owner, app, expectedVersion, now, audit, cancellationToken);

    public Task<int> DeleteExpiredAppDocumentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).DeleteExpiredAppDocumentsAsync(now, limit, audit, cancellationToken);

    Task IAppDocumentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Count(Role<IAppDocumentStore>()).EnlistErasureAsync(erasure, owner, cancellationToken);

    public Task AddSessionAsync(NewSession session, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).AddSessionAsync(session, audit, cancellationToken);

    public Task<StoredSession?> GetSessionAsync(byte[] idHash, long now, long? touchBefore, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).GetSessionAsync(idHash, now, touchBefore, cancellationToken);

    public Task<long?> ReplaceSessionDataAsync(byte[] idHash, byte[] data, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).ReplaceSessionDataAsync(idHash, data, expectedVersion, now, audit, cancellationToken);

    public Task<bool> ReplaceSessionAsync(byte[] previousIdHash, long now, NewSession replacement, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).ReplaceSessionAsync(previousIdHash, now, replacement, audit, cancellationToken);

    public Task<IReadOnlyList<StoredSessionInfo>> ListSessionsAsync(Guid owner, long now, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).ListSessionsAsync(owner, now, cancellationToken);

    public Task<bool> DeleteSessionAsync(byte[] idHash, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).DeleteSessionAsync(idHash, audit, cancellationToken);

    public Task<int> DeleteSessionsAsync(Guid owner, Guid? handle, byte[]? exceptIdHash, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).DeleteSessionsAsync(owner, handle, exceptIdHash, audit, cancellationToken);

    public Task<int> DeleteExpiredSessionsAsync(long now, int limit, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).DeleteExpiredSessionsAsync(now, limit, cancellationToken);

    Task ISessionStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Count(Role<ISessionStore>()).EnlistErasureAsync(erasure, owner, cancellationToken);

    public Task AddShareLinkAsync(NewShareLink link, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).AddShareLinkAsync(link, audit, cancellationToken);

    public Task<StoredShareLink?> GetShareLinkAsync(byte[] tokenHash, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).GetShareLinkAsync(tokenHash, cancellationToken);

    public Task<int?> ConsumeShareLinkAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).ConsumeShareLinkAsync(tokenHash, now, audit, cancellationToken);

    public Task<IReadOnlyList<StoredShareLink>> ListShareLinksAsync(Guid owner, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).ListShareLinksAsync(owner, cancellationToken);

    public Task<bool> RevokeShareLinkAsync(Guid owner, Guid handle, long now, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).RevokeShareLinkAsync(owner, handle, now, audit, cancellationToken);

    public Task<int> DeleteExpiredShareLinksAsync(long now, int limit, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).DeleteExpiredShareLinksAsync(now, limit, cancellationToken);

    Task IShareLinkStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Count(Role<IShareLinkStore>()).EnlistErasureAsync(erasure, owner, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid subject, long afterId, int limit, CancellationToken cancellationToken) => Count(Role<IAuditStore>()).GetAuditPageAsync(subject, afterId, limit, cancellationToken);

    public Task<IReadOnlyList<StoredTokenSeal>> GetPersonTokensAsync(Guid owner, byte[]? afterHash, int limit, CancellationToken cancellationToken) => Count(Role<ITokenStore>()).GetPersonTokensAsync(owner, afterHash, limit, cancellationToken);

    public Task<IReadOnlyList<StoredNotice>> GetNoticesAsync(string? name, CancellationToken cancellationToken) => Count(Role<IPrivacyCatalogStore>()).GetNoticesAsync(name, cancellationToken);

    public Task<bool> AddNoticeAsync(StoredNotice notice, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IPrivacyCatalogStore>()).AddNoticeAsync(notice, audit, cancellationToken);

    public Task<byte[]?> GetCatalogHashAsync(CancellationToken cancellationToken) => Count(Role<IPrivacyCatalogStore>()).GetCatalogHashAsync(cancellationToken);

    public Task<bool> ReplaceCatalogHashAsync(byte[]? expected, byte[] hash, long at, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IPrivacyCatalogStore>()).ReplaceCatalogHashAsync(expected, hash, at, audit, cancellationToken);

    public Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IConsentStore>()).AddConsentEventAsync(consent, audit, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken) => Count(Role<IConsentStore>()).GetConsentEventsAsync(owner, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> GetConsentChainPageAsync(Guid? afterOwner, long afterSequence, int limit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).GetConsentChainPageAsync(afterOwner, afterSequence, limit, cancellationToken);

    public Task<int> LinkLegacyConsentEventsAsync(AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IConsentStore>()).LinkLegacyConsentEventsAsync(audit, cancellationToken);

    public Task<StoredConsentHead?> GetConsentHeadAsync(Guid owner, CancellationToken cancellationToken) => Count(Role<IConsentStore>()).GetConsentHeadAsync(owner, cancellationToken);

    public Task<IReadOnlyList<StoredConsentHead>> GetConsentHeadsWithoutDecisionsAsync(int limit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).GetConsentHeadsWithoutDecisionsAsync(limit, cancellationToken);

    public Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IConsentStore>()).ExpireConsentsAsync(now, limit, audit, cancellationToken);

    public Task<int> MarkReconsentRequiredAsync(string activity, int currentVersion, long now, int limit, AuditRecord audit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).MarkReconsentRequiredAsync(activity, currentVersion, now, limit, audit, cancellationToken);

    public Task<IReadOnlyList<StoredConsentEvent>> ListLatestConsentsAsync(string activity, Databunker.Core.Consent.ConsentDecision decision, long afterId, int limit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).ListLatestConsentsAsync(activity, decision, afterId, limit, cancellationToken);

    public Task<long> AddPendingConsentAsync(PendingConsentEvent pending, AuditRecord audit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).AddPendingConsentAsync(pending, audit, cancellationToken);

    public Task<IReadOnlyList<StoredPendingConsent>> GetAttachablePendingConsentsAsync(Guid? owner, int limit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).GetAttachablePendingConsentsAsync(owner, limit, cancellationToken);

    public Task<bool> AttachPendingConsentsAsync(IReadOnlyList<long> pendingIds, IReadOnlyList<NewConsentEvent> events, AuditRecord audit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).AttachPendingConsentsAsync(pendingIds, events, audit, cancellationToken);

    public Task<int> DeletePendingConsentsAsync(long before, int limit, CancellationToken cancellationToken) =>
        Count(Role<IConsentStore>()).DeletePendingConsentsAsync(before, limit, cancellationToken);

    Task IConsentStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken) => Count(Role<IConsentStore>()).EnlistErasureAsync(erasure, owner, keepHistory, cancellationToken);

    public Task AddPrivacyRequestAsync(PrivacyRequestRow request, AuditRecord audit, CancellationToken cancellationToken) => Count(Role<IPrivacyRequestStore>()).AddPrivacyRequestAsync(request, audit, cancellationToken);

    public Task<PrivacyRequestRow?> GetPrivacyRequestAsync(Guid id, CancellationToken cancellationToken) => Count(Role<IPrivacyRequestStore>()).GetPrivacyRequestAsync(id, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsOfAsync(Guid owner, CancellationToken cancellationToken) => Count(Role<IPrivacyRequestStore>()).GetPrivacyRequestsOfAsync(owner, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> ListPrivacyRequestsAsync(IReadOnlyCollection<PrivacyRequestState> states, long? afterDueAt, Guid? afterId, int limit, CancellationToken cancellationToken) =>
        Count(Role<IPrivacyRequestStore>()).ListPrivacyRequestsAsync(states, afterDueAt, afterId, limit, cancellationToken);

    public Task<bool> UpdatePrivacyRequestAsync(PrivacyRequestRow updated, long expectedVersion, AuditRecord? audit, CancellationToken cancellationToken) =>
        Count(Role<IPrivacyRequestStore>()).UpdatePrivacyRequestAsync(updated, expectedVersion, audit, cancellationToken);

    public Task<bool> DeletePrivacyRequestAsync(Guid id, long expectedVersion, AuditRecord audit, CancellationToken cancellationToken) =>
        Count(Role<IPrivacyRequestStore>()).DeletePrivacyRequestAsync(id, expectedVersion, audit, cancellationToken);

    public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsToWakeAsync(long now, int limit, CancellationToken cancellationToken) =>
        Count(Role<IPrivacyRequestStore>()).GetPrivacyRequestsToWakeAsync(now, limit, cancellationToken);

    Task IPrivacyRequestStore.EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) =>
        Count(Role<IPrivacyRequestStore>()).EnlistErasureAsync(erasure, owner, cancellationToken);

    public void Dispose() => inner.Dispose();

    private T Role<T>() where T : notnull => (T)inner.GetService(typeof(T))!;

    private T Count<T>(T role)
    {
        Interlocked.Increment(ref _calls);
        return role;
    }
}
