using System.Data.Common;
using Databunker.Core.Requests;

namespace Databunker.Core.Storage;

/// <summary>
/// Puts every storage role behind one boundary where a failure of the database (a <see cref="DbException"/>: the
/// server is down, the file is locked, the disk is full) becomes a <see cref="DatabunkerStorageException"/> that
/// says whether a retry can help, whatever the storage. What a storage throws on purpose (a duplicate, a missing
/// person, a version conflict) passes through unchanged. A call that completes at once costs one check.
/// </summary>
internal static partial class StorageBoundary
{
    /// <summary>The role service <paramref name="role"/> over <paramref name="storage"/>, behind the boundary.</summary>
    public static object Wrap(Type role, object storage) => role.Name switch
    {
        nameof(IAppDocumentStore) => new GuardedAppDocumentStore((IAppDocumentStore)storage),
        nameof(IAuditStore) => new GuardedAuditStore((IAuditStore)storage),
        nameof(IConsentStore) => new GuardedConsentStore((IConsentStore)storage),
        nameof(IDataKeyStore) => new GuardedDataKeyStore((IDataKeyStore)storage),
        nameof(IExpirationStore) => new GuardedExpirationStore((IExpirationStore)storage),
        nameof(IPersonStore) => new GuardedPersonStore((IPersonStore)storage),
        nameof(IPrivacyCatalogStore) => new GuardedPrivacyCatalogStore((IPrivacyCatalogStore)storage),
        nameof(IPrivacyRequestStore) => new GuardedPrivacyRequestStore((IPrivacyRequestStore)storage),
        nameof(ISessionStore) => new GuardedSessionStore((ISessionStore)storage),
        nameof(IShareLinkStore) => new GuardedShareLinkStore((IShareLinkStore)storage),
        nameof(ISystemKeyStore) => new GuardedSystemKeyStore((ISystemKeyStore)storage),
        nameof(ITokenStore) => new GuardedTokenStore((ITokenStore)storage),
        nameof(IVaultStore) => new GuardedVaultStore((IVaultStore)storage),
        _ => storage,
    };

    private sealed class GuardedAppDocumentStore(IAppDocumentStore inner) : IAppDocumentStore
    {
        public Task<StoredAppDocument?> GetAppDocumentAsync(Guid owner, string app, long now, CancellationToken cancellationToken) => Guard(inner.GetAppDocumentAsync(owner, app, now, cancellationToken));

        public Task<IReadOnlyList<AppDocumentHeader>> ListAppDocumentsAsync(Guid owner, long now, CancellationToken cancellationToken) => Guard(inner.ListAppDocumentsAsync(owner, now, cancellationToken));

        public Task<long?> PutAppDocumentAsync(NewAppDocument document, long? expectedVersion, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.PutAppDocumentAsync(document, expectedVersion, audit, cancellationToken));

        public Task<bool> DeleteAppDocumentAsync(Guid owner, string app, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.DeleteAppDocumentAsync(owner, app, expectedVersion, now, audit, cancellationToken));

        public Task<int> DeleteExpiredAppDocumentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.DeleteExpiredAppDocumentsAsync(now, limit, audit, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), owner, cancellationToken));
    }

    private sealed class GuardedAuditStore(IAuditStore inner) : IAuditStore
    {
        public Task AppendAuditAsync(AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AppendAuditAsync(audit, cancellationToken));

        public Task AppendAuditAsync(IReadOnlyList<AuditRecord> audit, CancellationToken cancellationToken) => Guard(inner.AppendAuditAsync(audit, cancellationToken));

        public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(Guid subject, CancellationToken cancellationToken) => Guard(inner.GetAuditAsync(subject, cancellationToken));

        public Task<IReadOnlyList<AuditRecord>> GetAuditPageAsync(Guid subject, long afterId, int limit, CancellationToken cancellationToken) => Guard(inner.GetAuditPageAsync(subject, afterId, limit, cancellationToken));

        public Task<int> PurgeAuditAsync(long before, CancellationToken cancellationToken) => Guard(inner.PurgeAuditAsync(before, cancellationToken));

        public Task<StoredAuditChain> GetAuditChainAsync(CancellationToken cancellationToken) => Guard(inner.GetAuditChainAsync(cancellationToken));

        public Task<IReadOnlyList<ChainedAuditRecord>> GetChainedAuditAsync(int stripe, long afterSequence, int limit, CancellationToken cancellationToken) => Guard(inner.GetChainedAuditAsync(stripe, afterSequence, limit, cancellationToken));
    }

    private sealed class GuardedConsentStore(IConsentStore inner) : IConsentStore
    {
        public Task<long> AddConsentEventAsync(NewConsentEvent consent, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AddConsentEventAsync(consent, audit, cancellationToken));

        public Task<IReadOnlyList<StoredConsentEvent>> GetConsentEventsAsync(Guid owner, CancellationToken cancellationToken) => Guard(inner.GetConsentEventsAsync(owner, cancellationToken));

        public Task<IReadOnlyList<StoredConsentEvent>> GetConsentChainPageAsync(Guid? afterOwner, long afterSequence, int limit, CancellationToken cancellationToken) => Guard(inner.GetConsentChainPageAsync(afterOwner, afterSequence, limit, cancellationToken));

        public Task<int> LinkLegacyConsentEventsAsync(AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.LinkLegacyConsentEventsAsync(audit, cancellationToken));

        public Task<StoredConsentHead?> GetConsentHeadAsync(Guid owner, CancellationToken cancellationToken) => Guard(inner.GetConsentHeadAsync(owner, cancellationToken));

        public Task<IReadOnlyList<StoredConsentHead>> GetConsentHeadsWithoutDecisionsAsync(int limit, CancellationToken cancellationToken) => Guard(inner.GetConsentHeadsWithoutDecisionsAsync(limit, cancellationToken));

        public Task<int> ExpireConsentsAsync(long now, int limit, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.ExpireConsentsAsync(now, limit, audit, cancellationToken));

        public Task<int> MarkReconsentRequiredAsync(string activity, int currentVersion, long now, int limit, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.MarkReconsentRequiredAsync(activity, currentVersion, now, limit, audit, cancellationToken));

        public Task<IReadOnlyList<StoredConsentEvent>> ListLatestConsentsAsync(string activity, Consent.ConsentDecision decision, long afterId, int limit, CancellationToken cancellationToken) => Guard(inner.ListLatestConsentsAsync(activity, decision, afterId, limit, cancellationToken));

        public Task<long> AddPendingConsentAsync(PendingConsentEvent pending, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AddPendingConsentAsync(pending, audit, cancellationToken));

        public Task<IReadOnlyList<StoredPendingConsent>> GetAttachablePendingConsentsAsync(Guid? owner, int limit, CancellationToken cancellationToken) => Guard(inner.GetAttachablePendingConsentsAsync(owner, limit, cancellationToken));

        public Task<bool> AttachPendingConsentsAsync(IReadOnlyList<long> pendingIds, IReadOnlyList<NewConsentEvent> events, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AttachPendingConsentsAsync(pendingIds, events, audit, cancellationToken));

        public Task<int> DeletePendingConsentsAsync(long before, int limit, CancellationToken cancellationToken) => Guard(inner.DeletePendingConsentsAsync(before, limit, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, bool keepHistory, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), owner, keepHistory, cancellationToken));
    }

    private sealed class GuardedDataKeyStore(IDataKeyStore inner) : IDataKeyStore
    {
        public Task<long> CountDataKeysNotUnderAsync(string keyVersion, CancellationToken cancellationToken) => Guard(inner.CountDataKeysNotUnderAsync(keyVersion, cancellationToken));

        public Task<IReadOnlyList<StoredDataKey>> GetDataKeysNotUnderAsync(string keyVersion, Guid? after, int limit, CancellationToken cancellationToken) => Guard(inner.GetDataKeysNotUnderAsync(keyVersion, after, limit, cancellationToken));

        public Task<int> ReplaceDataKeysAsync(IReadOnlyList<DataKeyReplacement> replacements, CancellationToken cancellationToken) => Guard(inner.ReplaceDataKeysAsync(replacements, cancellationToken));
    }

    private sealed class GuardedExpirationStore(IExpirationStore inner) : IExpirationStore
    {
        public Task<bool> StartExpirationAsync(NewExpiration expiration, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.StartExpirationAsync(expiration, now, audit, cancellationToken));

        public Task<StoredExpiration?> GetExpirationAsync(Guid token, CancellationToken cancellationToken) => Guard(inner.GetExpirationAsync(token, cancellationToken));

        public Task<StoredExpirationLink?> FindExpirationLinkAsync(byte[] retainHash, byte[] deleteHash, CancellationToken cancellationToken) => Guard(inner.FindExpirationLinkAsync(retainHash, deleteHash, cancellationToken));

        public Task<bool> RetainExpirationAsync(Guid token, byte[] retainHash, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.RetainExpirationAsync(token, retainHash, now, audit, cancellationToken));

        public Task<bool> CancelExpirationAsync(Guid token, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.CancelExpirationAsync(token, audit, cancellationToken));

        public Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken) => Guard(inner.GetEarliestDueAsync(cancellationToken));

        public Task<IReadOnlyList<Guid>> ClaimDueExpirationsAsync(long now, int limit, byte[] claimId, long claimedUntil, CancellationToken cancellationToken) => Guard(inner.ClaimDueExpirationsAsync(now, limit, claimId, claimedUntil, cancellationToken));

        public Task<bool> HoldsDeleteLinkAsync(IErasureTransaction erasure, Guid token, byte[] deleteHash, CancellationToken cancellationToken) => Guard(inner.HoldsDeleteLinkAsync(Unwrap(erasure), token, deleteHash, cancellationToken));

        public Task<bool> HoldsClaimAsync(IErasureTransaction erasure, Guid token, byte[] claimId, CancellationToken cancellationToken) => Guard(inner.HoldsClaimAsync(Unwrap(erasure), token, claimId, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), token, cancellationToken));
    }

    private sealed class GuardedPersonStore(IPersonStore inner) : IPersonStore
    {
        public Task CreatePersonsAsync(IReadOnlyList<NewPerson> users, CancellationToken cancellationToken) => Guard(inner.CreatePersonsAsync(users, cancellationToken));

        public Task<AuditedRead<StoredPerson>> GetPersonAuditedAsync(Guid owner, byte[]? hash, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.GetPersonAuditedAsync(owner, hash, audit, cancellationToken));

        public Task<StoredPerson?> GetPersonAsync(Guid token, CancellationToken cancellationToken) => Guard(inner.GetPersonAsync(token, cancellationToken));

        public Task<StoredPerson?> GetPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Guard(inner.GetPersonByIndexAsync(hash, cancellationToken));

        public Task<Guid?> FindPersonByIndexAsync(byte[] hash, CancellationToken cancellationToken) => Guard(inner.FindPersonByIndexAsync(hash, cancellationToken));

        public Task<UpdateOutcome> UpdatePersonAsync(PersonChange change, CancellationToken cancellationToken) => Guard(inner.UpdatePersonAsync(change, cancellationToken));

        public Task<long> CountIndexesBelowAsync(int keyVersion, CancellationToken cancellationToken) => Guard(inner.CountIndexesBelowAsync(keyVersion, cancellationToken));

        public Task<IReadOnlyList<StoredPerson>> GetPersonsWithIndexesBelowAsync(int keyVersion, Guid? after, int limit, CancellationToken cancellationToken) => Guard(inner.GetPersonsWithIndexesBelowAsync(keyVersion, after, limit, cancellationToken));

        public Task<bool> ReplaceIndexesAsync(Guid token, long expectedVersion, IReadOnlyList<IndexEntry> indexes, CancellationToken cancellationToken) => Guard(inner.ReplaceIndexesAsync(token, expectedVersion, indexes, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid token, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), token, cancellationToken));
    }

    private sealed class GuardedPrivacyCatalogStore(IPrivacyCatalogStore inner) : IPrivacyCatalogStore
    {
        public Task<IReadOnlyList<StoredNotice>> GetNoticesAsync(string? name, CancellationToken cancellationToken) => Guard(inner.GetNoticesAsync(name, cancellationToken));

        public Task<bool> AddNoticeAsync(StoredNotice notice, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AddNoticeAsync(notice, audit, cancellationToken));

        public Task<byte[]?> GetCatalogHashAsync(CancellationToken cancellationToken) => Guard(inner.GetCatalogHashAsync(cancellationToken));

        public Task<bool> ReplaceCatalogHashAsync(byte[]? expected, byte[] hash, long at, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.ReplaceCatalogHashAsync(expected, hash, at, audit, cancellationToken));
    }

    private sealed class GuardedPrivacyRequestStore(IPrivacyRequestStore inner) : IPrivacyRequestStore
    {
        public Task AddPrivacyRequestAsync(PrivacyRequestRow request, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AddPrivacyRequestAsync(request, audit, cancellationToken));

        public Task<PrivacyRequestRow?> GetPrivacyRequestAsync(Guid id, CancellationToken cancellationToken) => Guard(inner.GetPrivacyRequestAsync(id, cancellationToken));

        public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsOfAsync(Guid owner, CancellationToken cancellationToken) => Guard(inner.GetPrivacyRequestsOfAsync(owner, cancellationToken));

        public Task<IReadOnlyList<PrivacyRequestRow>> ListPrivacyRequestsAsync(IReadOnlyCollection<PrivacyRequestState> states, long? afterDueAt, Guid? afterId, int limit, CancellationToken cancellationToken) => Guard(inner.ListPrivacyRequestsAsync(states, afterDueAt, afterId, limit, cancellationToken));

        public Task<bool> UpdatePrivacyRequestAsync(PrivacyRequestRow updated, long expectedVersion, AuditRecord? audit, CancellationToken cancellationToken) => Guard(inner.UpdatePrivacyRequestAsync(updated, expectedVersion, audit, cancellationToken));

        public Task<bool> DeletePrivacyRequestAsync(Guid id, long expectedVersion, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.DeletePrivacyRequestAsync(id, expectedVersion, audit, cancellationToken));

        public Task<IReadOnlyList<PrivacyRequestRow>> GetPrivacyRequestsToWakeAsync(long now, int limit, CancellationToken cancellationToken) => Guard(inner.GetPrivacyRequestsToWakeAsync(now, limit, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), owner, cancellationToken));
    }

    private sealed class GuardedSessionStore(ISessionStore inner) : ISessionStore
    {
        public Task AddSessionAsync(NewSession session, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AddSessionAsync(session, audit, cancellationToken));

        public Task<StoredSession?> GetSessionAsync(byte[] idHash, long now, long? touchBefore, CancellationToken cancellationToken) => Guard(inner.GetSessionAsync(idHash, now, touchBefore, cancellationToken));

        public Task<long?> ReplaceSessionDataAsync(byte[] idHash, byte[] data, long? expectedVersion, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.ReplaceSessionDataAsync(idHash, data, expectedVersion, now, audit, cancellationToken));

        public Task<bool> ReplaceSessionAsync(byte[] previousIdHash, long now, NewSession replacement, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.ReplaceSessionAsync(previousIdHash, now, replacement, audit, cancellationToken));

        public Task<IReadOnlyList<StoredSessionInfo>> ListSessionsAsync(Guid owner, long now, CancellationToken cancellationToken) => Guard(inner.ListSessionsAsync(owner, now, cancellationToken));

        public Task<bool> DeleteSessionAsync(byte[] idHash, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.DeleteSessionAsync(idHash, audit, cancellationToken));

        public Task<int> DeleteSessionsAsync(Guid owner, Guid? handle, byte[]? exceptIdHash, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.DeleteSessionsAsync(owner, handle, exceptIdHash, audit, cancellationToken));

        public Task<int> DeleteExpiredSessionsAsync(long now, int limit, CancellationToken cancellationToken) => Guard(inner.DeleteExpiredSessionsAsync(now, limit, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), owner, cancellationToken));
    }

    private sealed class GuardedShareLinkStore(IShareLinkStore inner) : IShareLinkStore
    {
        public Task AddShareLinkAsync(NewShareLink link, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.AddShareLinkAsync(link, audit, cancellationToken));

        public Task<StoredShareLink?> GetShareLinkAsync(byte[] tokenHash, CancellationToken cancellationToken) => Guard(inner.GetShareLinkAsync(tokenHash, cancellationToken));

        public Task<int?> ConsumeShareLinkAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.ConsumeShareLinkAsync(tokenHash, now, audit, cancellationToken));

        public Task<IReadOnlyList<StoredShareLink>> ListShareLinksAsync(Guid owner, CancellationToken cancellationToken) => Guard(inner.ListShareLinksAsync(owner, cancellationToken));

        public Task<bool> RevokeShareLinkAsync(Guid owner, Guid handle, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.RevokeShareLinkAsync(owner, handle, now, audit, cancellationToken));

        public Task<int> DeleteExpiredShareLinksAsync(long now, int limit, CancellationToken cancellationToken) => Guard(inner.DeleteExpiredShareLinksAsync(now, limit, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), owner, cancellationToken));
    }

    private sealed class GuardedSystemKeyStore(ISystemKeyStore inner) : ISystemKeyStore
    {
        public Task<WrappedKey?> GetSystemKeyAsync(string name, CancellationToken cancellationToken) => Guard(inner.GetSystemKeyAsync(name, cancellationToken));

        public Task<IReadOnlyList<string>> GetSystemKeyNamesAsync(CancellationToken cancellationToken) => Guard(inner.GetSystemKeyNamesAsync(cancellationToken));

        public Task<WrappedKey> AddSystemKeyAsync(string name, WrappedKey key, long createdAt, CancellationToken cancellationToken) => Guard(inner.AddSystemKeyAsync(name, key, createdAt, cancellationToken));

        public Task<bool> ReplaceSystemKeyAsync(string name, byte[] previous, WrappedKey replacement, CancellationToken cancellationToken) => Guard(inner.ReplaceSystemKeyAsync(name, previous, replacement, cancellationToken));
    }

    private sealed class GuardedTokenStore(ITokenStore inner) : ITokenStore
    {
        public Task<IReadOnlyList<TokenAddOutcome>> AddTokensAsync(IReadOnlyList<NewToken> tokens, IReadOnlyList<AuditRecord> audit, long now, CancellationToken cancellationToken) => Guard(inner.AddTokensAsync(tokens, audit, now, cancellationToken));

        public Task<AuditedRead<StoredToken>> GetTokenAuditedAsync(byte[] tokenHash, long now, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.GetTokenAuditedAsync(tokenHash, now, audit, cancellationToken));

        public Task<IReadOnlyList<StoredToken?>> GetTokensAsync(IReadOnlyList<byte[]> tokenHashes, long now, CancellationToken cancellationToken) => Guard(inner.GetTokensAsync(tokenHashes, now, cancellationToken));

        public Task<bool> DeleteTokenAsync(byte[] tokenHash, AuditRecord audit, CancellationToken cancellationToken) => Guard(inner.DeleteTokenAsync(tokenHash, audit, cancellationToken));

        public Task<int> DeleteExpiredTokensAsync(long now, int limit, CancellationToken cancellationToken) => Guard(inner.DeleteExpiredTokensAsync(now, limit, cancellationToken));

        public Task<IReadOnlyList<StoredTokenSeal>> GetTokenSealsAsync(byte[]? afterHash, int limit, CancellationToken cancellationToken) => Guard(inner.GetTokenSealsAsync(afterHash, limit, cancellationToken));

        public Task<int> ReplaceTokenSealsAsync(IReadOnlyList<TokenSealReplacement> replacements, CancellationToken cancellationToken) => Guard(inner.ReplaceTokenSealsAsync(replacements, cancellationToken));

        public Task<IReadOnlyList<StoredTokenSeal>> GetOwnedTokensAsync(Guid owner, byte[]? afterHash, int limit, CancellationToken cancellationToken) => Guard(inner.GetOwnedTokensAsync(owner, afterHash, limit, cancellationToken));

        public Task EnlistErasureAsync(IErasureTransaction erasure, Guid owner, CancellationToken cancellationToken) => Guard(inner.EnlistErasureAsync(Unwrap(erasure), owner, cancellationToken));
    }

    private sealed class GuardedVaultStore(IVaultStore inner) : IVaultStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken) => Guard(inner.InitializeAsync(cancellationToken));

        public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Guard(inner.GetSchemaVersionAsync(cancellationToken));

        public Task<bool> IsForgottenAsync(Guid token, CancellationToken cancellationToken) => Guard(inner.IsForgottenAsync(token, cancellationToken));

        public Task<IErasureTransaction> BeginErasureAsync(CancellationToken cancellationToken) => BeginGuardedErasureAsync(inner, cancellationToken);

        public bool CanCompact => inner.CanCompact;

        public Task<bool> CompactAsync(CancellationToken cancellationToken) => Guard(inner.CompactAsync(cancellationToken));
    }
}
