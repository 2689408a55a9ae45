using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Consent;
using Databunker.Core.Expiration;
using Databunker.Core.Export;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Databunker.Core.Sessions;
using Databunker.Core.Shares;
using Databunker.Core.Tokenization;

namespace Databunker.Core.Diagnostics;

/// <summary>
/// The public services as the container hands them out: each call of the implementation inside a span and
/// measured (<see cref="DatabunkerTelemetry"/>). When nobody listens, a call costs one check.
/// </summary>
internal static partial class Instrumented
{
    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IPersonalDataVault"/>, instrumented.</summary>
    public static void AddPersonalDataVault<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IPersonalDataVault
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IPersonalDataVault>(sp => new InstrumentedPersonalDataVault(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="ITokenizer"/>, instrumented.</summary>
    public static void AddTokenizer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, ITokenizer
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<ITokenizer>(sp => new InstrumentedTokenizer(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IExpirationManager"/>, instrumented.</summary>
    public static void AddExpirationManager<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IExpirationManager
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IExpirationManager>(sp => new InstrumentedExpirationManager(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IVaultAdministration"/>, instrumented.</summary>
    public static void AddVaultAdministration<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IVaultAdministration
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IVaultAdministration>(sp => new InstrumentedVaultAdministration(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IAppDataStore"/>, instrumented.</summary>
    public static void AddAppDataStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IAppDataStore
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IAppDataStore>(sp => new InstrumentedAppDataStore(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="ISessionVault"/>, instrumented.</summary>
    public static void AddSessionVault<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, ISessionVault
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<ISessionVault>(sp => new InstrumentedSessionVault(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IShareLinkManager"/>, instrumented.</summary>
    public static void AddShareLinkManager<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IShareLinkManager
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IShareLinkManager>(sp => new InstrumentedShareLinkManager(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="ISubjectExporter"/>, instrumented.</summary>
    public static void AddSubjectExporter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, ISubjectExporter
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<ISubjectExporter>(sp => new InstrumentedSubjectExporter(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IPrivacyCatalog"/>, instrumented.</summary>
    public static void AddPrivacyCatalog<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IPrivacyCatalog
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IPrivacyCatalog>(sp => new InstrumentedPrivacyCatalog(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IConsentLedger"/>, instrumented.</summary>
    public static void AddConsentLedger<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IConsentLedger
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IConsentLedger>(sp => new InstrumentedConsentLedger(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>Registers <typeparamref name="TImplementation"/> as <see cref="IPrivacyRequestManager"/>, instrumented.</summary>
    public static void AddPrivacyRequestManager<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TImplementation : class, IPrivacyRequestManager
    {
        services.TryAddSingleton<TImplementation>();
        services.TryAddSingleton<IPrivacyRequestManager>(sp => new InstrumentedPrivacyRequestManager(sp.GetRequiredService<TImplementation>(), sp.GetRequiredService<DatabunkerTelemetry>()));
    }

    /// <summary>IPersonalDataVault with a span and metrics per operation.</summary>
    private sealed class InstrumentedPersonalDataVault(IPersonalDataVault inner, DatabunkerTelemetry telemetry) : IPersonalDataVault
    {
        public Task<Guid> CreateUserAsync(JsonElement profile, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.vault.create_user");
            if (operation is null)
            {
                return inner.CreateUserAsync(profile, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CreateUserAsync(profile, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<Guid>> CreateUsersAsync(IEnumerable<JsonElement> profiles, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.vault.create_users");
            if (operation is null)
            {
                return inner.CreateUsersAsync(profiles, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CreateUsersAsync(profiles, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<UserRecord?> GetUserAsync(UserLookup lookup, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.vault.get_user");
            if (operation is null)
            {
                return inner.GetUserAsync(lookup, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetUserAsync(lookup, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> UpdateUserAsync(UserLookup lookup, JsonElement patch, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.vault.update_user");
            if (operation is null)
            {
                return inner.UpdateUserAsync(lookup, patch, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.UpdateUserAsync(lookup, patch, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> DeleteUserAsync(UserLookup lookup, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.vault.delete_user");
            if (operation is null)
            {
                return inner.DeleteUserAsync(lookup, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.DeleteUserAsync(lookup, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<AuditEvent>> GetAuditEventsAsync(Guid token, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.vault.get_audit_events");
            if (operation is null)
            {
                return inner.GetAuditEventsAsync(token, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetAuditEventsAsync(token, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>ITokenizer with a span and metrics per operation.</summary>
    private sealed class InstrumentedTokenizer(ITokenizer inner, DatabunkerTelemetry telemetry) : ITokenizer
    {
        public Task<string> TokenizeAsync(string value, TokenizeOptions? options = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.tokens.tokenize");
            if (operation is null)
            {
                return inner.TokenizeAsync(value, options, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.TokenizeAsync(value, options, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<string>> TokenizeManyAsync(IEnumerable<string> values, TokenizeOptions? options = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.tokens.tokenize_many");
            if (operation is null)
            {
                return inner.TokenizeManyAsync(values, options, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.TokenizeManyAsync(values, options, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.tokens.detokenize");
            if (operation is null)
            {
                return inner.DetokenizeAsync(token, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.DetokenizeAsync(token, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.tokens.detokenize_many");
            if (operation is null)
            {
                return inner.DetokenizeManyAsync(tokens, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.DetokenizeManyAsync(tokens, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> DeleteTokenAsync(string token, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.tokens.delete_token");
            if (operation is null)
            {
                return inner.DeleteTokenAsync(token, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.DeleteTokenAsync(token, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> RemoveExpiredTokensAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.tokens.remove_expired_tokens");
            if (operation is null)
            {
                return inner.RemoveExpiredTokensAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RemoveExpiredTokensAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>IExpirationManager with a span and metrics per operation.</summary>
    private sealed class InstrumentedExpirationManager(IExpirationManager inner, DatabunkerTelemetry telemetry) : IExpirationManager
    {
        public Task<ExpirationTicket> StartAsync(UserLookup lookup, ExpirationTime? time = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.start");
            if (operation is null)
            {
                return inner.StartAsync(lookup, time, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.StartAsync(lookup, time, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ExpirationStatus?> GetStatusAsync(UserLookup lookup, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.get_status");
            if (operation is null)
            {
                return inner.GetStatusAsync(lookup, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetStatusAsync(lookup, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ExpirationLinkInfo?> InspectLinkAsync(string expirationToken, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.inspect_link");
            if (operation is null)
            {
                return inner.InspectLinkAsync(expirationToken, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.InspectLinkAsync(expirationToken, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ExpirationLinkResult> RetainAsync(string expirationToken, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.retain");
            if (operation is null)
            {
                return inner.RetainAsync(expirationToken, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RetainAsync(expirationToken, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ExpirationLinkResult> DeleteAsync(string expirationToken, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.delete");
            if (operation is null)
            {
                return inner.DeleteAsync(expirationToken, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.DeleteAsync(expirationToken, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> CancelAsync(UserLookup lookup, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.cancel");
            if (operation is null)
            {
                return inner.CancelAsync(lookup, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CancelAsync(lookup, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ExpirationPassResult> RunDueAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.expiration.run_due");
            if (operation is null)
            {
                return inner.RunDueAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RunDueAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>IVaultAdministration with a span and metrics per operation.</summary>
    private sealed class InstrumentedVaultAdministration(IVaultAdministration inner, DatabunkerTelemetry telemetry) : IVaultAdministration
    {
        public Task InitializeAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.initialize");
            if (operation is null)
            {
                return inner.InitializeAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.InitializeAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<KeyRotationProgress> RewrapKeysAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.rewrap_keys");
            if (operation is null)
            {
                return inner.RewrapKeysAsync(progress, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RewrapKeysAsync(progress, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<KeyRotationProgress> RenewTokenSealingKeyAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.renew_token_sealing_key");
            if (operation is null)
            {
                return inner.RenewTokenSealingKeyAsync(progress, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RenewTokenSealingKeyAsync(progress, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<KeyRotationProgress> RekeyBlindIndexAsync(IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.rekey_blind_index");
            if (operation is null)
            {
                return inner.RekeyBlindIndexAsync(progress, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RekeyBlindIndexAsync(progress, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task RetireKeyVersionAsync(string keyVersion, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.retire_key_version");
            if (operation is null)
            {
                return inner.RetireKeyVersionAsync(keyVersion, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RetireKeyVersionAsync(keyVersion, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> CompactAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.compact");
            if (operation is null)
            {
                return inner.CompactAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CompactAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<AuditVerification> VerifyAuditTrailAsync(AuditChainHead? anchor = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.verify_audit_trail");
            if (operation is null)
            {
                return inner.VerifyAuditTrailAsync(anchor, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.VerifyAuditTrailAsync(anchor, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<AuditChainHead> GetAuditChainHeadAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.get_audit_chain_head");
            if (operation is null)
            {
                return inner.GetAuditChainHeadAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetAuditChainHeadAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> PurgeAuditEventsAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.purge_audit_events");
            if (operation is null)
            {
                return inner.PurgeAuditEventsAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.PurgeAuditEventsAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task FlushAuditAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.flush_audit");
            if (operation is null)
            {
                return inner.FlushAuditAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.FlushAuditAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyDictionary<string, int>> RunDueWorkAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.run_due_work");
            if (operation is null)
            {
                return inner.RunDueWorkAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RunDueWorkAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<DueWorkBacklog> GetDueWorkBacklogAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.admin.get_due_work_backlog");
            if (operation is null)
            {
                return inner.GetDueWorkBacklogAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetDueWorkBacklogAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>IAppDataStore with a span and metrics per operation.</summary>
    private sealed class InstrumentedAppDataStore(IAppDataStore inner, DatabunkerTelemetry telemetry) : IAppDataStore
    {
        public Task<AppDocument?> GetAsync(Guid person, string app, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.appdata.get");
            if (operation is null)
            {
                return inner.GetAsync(person, app, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetAsync(person, app, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<long> PutAsync(Guid person, string app, JsonElement document, long? expectedVersion = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.appdata.put");
            if (operation is null)
            {
                return inner.PutAsync(person, app, document, expectedVersion, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.PutAsync(person, app, document, expectedVersion, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<AppDocument> PatchAsync(Guid person, string app, JsonElement patch, long? expectedVersion = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.appdata.patch");
            if (operation is null)
            {
                return inner.PatchAsync(person, app, patch, expectedVersion, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.PatchAsync(person, app, patch, expectedVersion, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> DeleteAsync(Guid person, string app, long? expectedVersion = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.appdata.delete");
            if (operation is null)
            {
                return inner.DeleteAsync(person, app, expectedVersion, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.DeleteAsync(person, app, expectedVersion, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<AppDocumentInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.appdata.list");
            if (operation is null)
            {
                return inner.ListAsync(person, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ListAsync(person, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.appdata.remove_expired");
            if (operation is null)
            {
                return inner.RemoveExpiredAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RemoveExpiredAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>ISessionVault with a span and metrics per operation.</summary>
    private sealed class InstrumentedSessionVault(ISessionVault inner, DatabunkerTelemetry telemetry) : ISessionVault
    {
        public Task<SessionTicket> CreateAsync(JsonElement data, SessionCreateOptions? options = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.create");
            if (operation is null)
            {
                return inner.CreateAsync(data, options, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CreateAsync(data, options, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<Session?> GetAsync(string sessionId, bool touch = true, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.get");
            if (operation is null)
            {
                return inner.GetAsync(sessionId, touch, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetAsync(sessionId, touch, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<long> ReplaceAsync(string sessionId, JsonElement data, long? expectedVersion = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.replace");
            if (operation is null)
            {
                return inner.ReplaceAsync(sessionId, data, expectedVersion, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ReplaceAsync(sessionId, data, expectedVersion, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<SessionTicket> BindToPersonAsync(string sessionId, Guid person, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.bind");
            if (operation is null)
            {
                return inner.BindToPersonAsync(sessionId, person, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.BindToPersonAsync(sessionId, person, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<SessionInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.list");
            if (operation is null)
            {
                return inner.ListAsync(person, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ListAsync(person, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> EndAsync(string sessionId, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.end");
            if (operation is null)
            {
                return inner.EndAsync(sessionId, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.EndAsync(sessionId, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> EndByHandleAsync(Guid person, Guid handle, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.end_by_handle");
            if (operation is null)
            {
                return inner.EndByHandleAsync(person, handle, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.EndByHandleAsync(person, handle, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> EndAllAsync(Guid person, string? exceptSessionId = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.end_all");
            if (operation is null)
            {
                return inner.EndAllAsync(person, exceptSessionId, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.EndAllAsync(person, exceptSessionId, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.sessions.remove_expired");
            if (operation is null)
            {
                return inner.RemoveExpiredAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RemoveExpiredAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>IShareLinkManager with a span and metrics per operation.</summary>
    private sealed class InstrumentedShareLinkManager(IShareLinkManager inner, DatabunkerTelemetry telemetry) : IShareLinkManager
    {
        public Task<ShareLink> CreateAsync(Guid person, ShareRequest request, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.shares.create");
            if (operation is null)
            {
                return inner.CreateAsync(person, request, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CreateAsync(person, request, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ShareRedemption> RedeemAsync(string token, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.shares.redeem");
            if (operation is null)
            {
                return inner.RedeemAsync(token, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RedeemAsync(token, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<ShareLinkInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.shares.list");
            if (operation is null)
            {
                return inner.ListAsync(person, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ListAsync(person, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> RevokeAsync(Guid person, Guid handle, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.shares.revoke");
            if (operation is null)
            {
                return inner.RevokeAsync(person, handle, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RevokeAsync(person, handle, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.shares.remove_expired");
            if (operation is null)
            {
                return inner.RemoveExpiredAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RemoveExpiredAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>ISubjectExporter with a span and metrics per operation.</summary>
    private sealed class InstrumentedSubjectExporter(ISubjectExporter inner, DatabunkerTelemetry telemetry) : ISubjectExporter
    {
        public Task ExportAsync(Guid person, Stream destination, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.export.export");
            if (operation is null)
            {
                return inner.ExportAsync(person, destination, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ExportAsync(person, destination, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>IPrivacyCatalog with a span and metrics per operation.</summary>
    private sealed class InstrumentedPrivacyCatalog(IPrivacyCatalog inner, DatabunkerTelemetry telemetry) : IPrivacyCatalog
    {
        public IReadOnlyList<ProcessingActivity> Activities => inner.Activities;

        public ProcessingActivity? FindActivity(string name) => inner.FindActivity(name);

        public Task<IReadOnlyList<PublishedNotice>> PublishAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.privacy.publish");
            if (operation is null)
            {
                return inner.PublishAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.PublishAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PublishedNotice?> GetNoticeAsync(string name, int? version = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.privacy.get_notice");
            if (operation is null)
            {
                return inner.GetNoticeAsync(name, version, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetNoticeAsync(name, version, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<PublishedNotice>> GetNoticeHistoryAsync(string name, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.privacy.get_notice_history");
            if (operation is null)
            {
                return inner.GetNoticeHistoryAsync(name, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetNoticeHistoryAsync(name, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public string GetRecordOfProcessingJson() => inner.GetRecordOfProcessingJson();

        public string GetRecordOfProcessingMarkdown() => inner.GetRecordOfProcessingMarkdown();

        public string GetRetentionNoticeMarkdown() => inner.GetRetentionNoticeMarkdown();
    }

    /// <summary>IConsentLedger with a span and metrics per operation.</summary>
    private sealed class InstrumentedConsentLedger(IConsentLedger inner, DatabunkerTelemetry telemetry) : IConsentLedger
    {
        public Task<ConsentEvent> RecordAsync(Guid person, ConsentRecord record, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.record");
            if (operation is null)
            {
                return inner.RecordAsync(person, record, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RecordAsync(person, record, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<ConsentVerification> VerifyAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.verify");
            if (operation is null)
            {
                return inner.VerifyAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.VerifyAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<ConsentEvent>> GetHistoryAsync(Guid person, string? activity = null, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.get_history");
            if (operation is null)
            {
                return inner.GetHistoryAsync(person, activity, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetHistoryAsync(person, activity, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<ConsentState>> GetStateAsync(Guid person, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.get_state");
            if (operation is null)
            {
                return inner.GetStateAsync(person, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetStateAsync(person, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<bool> IsAllowedAsync(Guid person, string activity, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.is_allowed");
            if (operation is null)
            {
                return inner.IsAllowedAsync(person, activity, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.IsAllowedAsync(person, activity, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<Guid?> RecordForContactAsync(UserLookup contact, ConsentRecord record, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.record_for_contact");
            if (operation is null)
            {
                return inner.RecordForContactAsync(contact, record, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RecordForContactAsync(contact, record, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<PersonConsent>> ListByLatestDecisionAsync(string activity, ConsentDecision decision, long afterId = 0, int limit = 100, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.list_by_latest_decision");
            if (operation is null)
            {
                return inner.ListByLatestDecisionAsync(activity, decision, afterId, limit, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ListByLatestDecisionAsync(activity, decision, afterId, limit, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> AttachPendingAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.attach_pending");
            if (operation is null)
            {
                return inner.AttachPendingAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.AttachPendingAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> RunDueWorkAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.consent.run_due_work");
            if (operation is null)
            {
                return inner.RunDueWorkAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RunDueWorkAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }

    /// <summary>IPrivacyRequestManager with a span and metrics per operation.</summary>
    private sealed class InstrumentedPrivacyRequestManager(IPrivacyRequestManager inner, DatabunkerTelemetry telemetry) : IPrivacyRequestManager
    {
        public Task<PrivacyRequest> SubmitAsync(PrivacyRequestSubmission submission, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.submit");
            if (operation is null)
            {
                return inner.SubmitAsync(submission, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.SubmitAsync(submission, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequestVerification> VerifyAsync(Guid request, string code, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.verify");
            if (operation is null)
            {
                return inner.VerifyAsync(request, code, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.VerifyAsync(request, code, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequest> ResendCodeAsync(Guid request, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.resend_code");
            if (operation is null)
            {
                return inner.ResendCodeAsync(request, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ResendCodeAsync(request, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequest?> GetAsync(Guid request, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.get");
            if (operation is null)
            {
                return inner.GetAsync(request, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.GetAsync(request, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<PrivacyRequest>> ListAsync(PrivacyRequestQuery query, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.list");
            if (operation is null)
            {
                return inner.ListAsync(query, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ListAsync(query, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<IReadOnlyList<PrivacyRequest>> ListForPersonAsync(Guid person, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.list_for_person");
            if (operation is null)
            {
                return inner.ListForPersonAsync(person, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ListForPersonAsync(person, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequest> ExtendAsync(Guid request, string reason, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.extend");
            if (operation is null)
            {
                return inner.ExtendAsync(request, reason, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ExtendAsync(request, reason, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequest> ApproveAsync(Guid request, PrivacyRequestApproval approval, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.approve");
            if (operation is null)
            {
                return inner.ApproveAsync(request, approval, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.ApproveAsync(request, approval, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequest> RejectAsync(Guid request, string approver, string reason, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.reject");
            if (operation is null)
            {
                return inner.RejectAsync(request, approver, reason, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RejectAsync(request, approver, reason, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<PrivacyRequest> CancelAsync(Guid request, string reason, CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.cancel");
            if (operation is null)
            {
                return inner.CancelAsync(request, reason, cancellationToken);
            }

            try
            {
                return operation.Watch(inner.CancelAsync(request, reason, cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }

        public Task<int> RunDueWorkAsync(CancellationToken cancellationToken = default)
        {
            var operation = telemetry.Begin("databunker.requests.run_due_work");
            if (operation is null)
            {
                return inner.RunDueWorkAsync(cancellationToken);
            }

            try
            {
                return operation.Watch(inner.RunDueWorkAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                operation.Fail(ex);
                throw;
            }
        }
    }
}
