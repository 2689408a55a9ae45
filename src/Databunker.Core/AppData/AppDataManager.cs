using System.Text.Json;
using System.Text.Json.Nodes;

namespace Databunker.Core.AppData;

/// <summary>The app-data module: documents sealed under the person's data key, bound to person and application.</summary>
internal sealed class AppDataManager(
    IAppDocumentStore store,
    VaultOpener opener,
    VaultKeyRing keyRing,
    PersonDirectory persons,
    AuditTrail audit,
    Privacy.IPurposeViews purposes,
    IOptions<DatabunkerOptions> options,
    TimeProvider time,
    ILogger<AppDataManager>? logger = null) : IAppDataManager
{
    /// <summary>How often a patch without an expected version is applied again after a concurrent write.</summary>
    internal const int MaxPatchAttempts = 16;

    private readonly AppDataOptions _options = options.Value.AppData;
    private readonly Dictionary<string, AppDataRegistration> _apps = options.Value.AppData.Apps.ToDictionary(
        a => a.Key, a => new AppDataRegistration(a.Key, a.Value.MaxDocumentBytes, a.Value.Retention), StringComparer.Ordinal);
    private readonly bool _auditReads = options.Value.AuditReads;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task<AppDocument?> GetAsync(Guid person, string app, CancellationToken cancellationToken = default)
    {
        Registration(app);
        purposes.RefuseUnnamed();
        return GetCoreAsync(person, app, null, cancellationToken);
    }

    public Task<AppDocument?> GetForPurposeAsync(Guid person, string app, string purpose, CancellationToken cancellationToken = default)
    {
        Registration(app);
        var view = purposes.Resolve(purpose);
        return view.ReadsApp(app) ? GetCoreAsync(person, app, view, cancellationToken) : throw new PurposeNotAllowedException(purpose, PurposeRefusal.DataNotDeclared);
    }

    private async Task<AppDocument?> GetCoreAsync(Guid person, string app, Privacy.IPurposeView? view, CancellationToken cancellationToken)
    {
        try
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var stored = await store.GetAppDocumentAsync(person, app, Now(), cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                var exists = await persons.Store.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) is not null;
                await AuditReadAsync(AuditOperations.AppDataGet, person, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
                return exists ? null : throw new PersonNotFoundException();
            }

            if (view is not null)
            {
                try
                {
                    await purposes.EnsureConsentAsync(person, view, cancellationToken).ConfigureAwait(false);
                }
                catch (PurposeNotAllowedException)
                {
                    await AuditReadAsync(AuditOperations.AppDataGet, person, AuditOutcomes.Refused, cancellationToken).ConfigureAwait(false);
                    throw;
                }
            }

            var dataKey = await keyRing.OpenDataKeyAsync(person, stored.PersonKey, cancellationToken).ConfigureAwait(false);
            try
            {
                var document = Open(dataKey, person, app, stored);
                if (view is null)
                {
                    await AuditReadAsync(AuditOperations.AppDataGet, person, AuditOutcomes.Success, cancellationToken).ConfigureAwait(false);
                }
                else if (_auditReads)
                {
                    // The purpose and the application read: the catalogue's names (AuditTrail.CatalogueDetails).
                    var details = AuditTrail.CatalogueDetails(view.Name, "apps", [app]);
                    await audit.AppendReadAsync([audit.NewEvent(AuditOperations.AppDataGet, person, AuditOutcomes.Success, details)], cancellationToken).ConfigureAwait(false);
                }

                return document;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
        catch (VaultCryptoException ex) when (CryptoGuard.Logged(_logger, AuditOperations.AppDataGet, ex))
        {
            throw;
        }
    }

    public Task<long> PutAsync(Guid person, string app, JsonElement document, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var registration = Registration(app);
        CheckExpected(expectedVersion);
        var json = ProfileCodec.Serialize(document, registration.MaxDocumentBytes, nameof(document), "document");
        return PutCoreAsync(person, registration, json, expectedVersion, cancellationToken);
    }

    private async Task<long> PutCoreAsync(Guid person, AppDataRegistration registration, byte[] json, long? expectedVersion, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
                var dataKey = await OpenDataKeyAsync(person, AuditOperations.AppDataPut, cancellationToken).ConfigureAwait(false);
                try
                {
                    var (version, _, _) = await WriteAsync(dataKey, person, registration, json, expectedVersion, AuditOperations.AppDataPut, cancellationToken).ConfigureAwait(false);
                    return version ?? throw new VersionConflictException(expectedVersion ?? 0);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                }
            }
            finally
            {
                Array.Clear(json);
            }
        }
        catch (VaultCryptoException ex) when (CryptoGuard.Logged(_logger, AuditOperations.AppDataPut, ex))
        {
            throw;
        }
    }

    public Task<AppDocument> PatchAsync(Guid person, string app, JsonElement patch, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var registration = Registration(app);
        CheckExpected(expectedVersion);
        ProfileCodec.Validate(patch, registration.MaxDocumentBytes, nameof(patch), "patch");
        return GuardCryptoAsync(AuditOperations.AppDataPatch, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                var stored = await store.GetAppDocumentAsync(person, app, Now(), cancellationToken).ConfigureAwait(false);
                var current = stored?.Version ?? 0;
                if (expectedVersion is { } expected && expected != current)
                {
                    throw new VersionConflictException(expected);
                }

                var dataKey = stored is null
                    ? await OpenDataKeyAsync(person, AuditOperations.AppDataPatch, cancellationToken).ConfigureAwait(false)
                    : await keyRing.OpenDataKeyAsync(person, stored.PersonKey, cancellationToken).ConfigureAwait(false);
                byte[]? json = null;
                try
                {
                    var target = stored is null ? new JsonObject() : JsonObject.Create(Open(dataKey, person, app, stored).Data);
                    var patched = ProfileCodec.ToElement(JsonMergePatch.Apply(target, patch));
                    json = ProfileCodec.Serialize(patched, registration.MaxDocumentBytes, nameof(patch), "document");
                    var (version, updatedAt, expiresAt) = await WriteAsync(dataKey, person, registration, json, current, AuditOperations.AppDataPatch, cancellationToken).ConfigureAwait(false);
                    if (version is { } written)
                    {
                        return new AppDocument(app, patched, written, DateTimeOffset.FromUnixTimeMilliseconds(updatedAt), ToTime(expiresAt));
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                    if (json is not null)
                    {
                        Array.Clear(json);
                    }
                }

                if (expectedVersion is { } lost)
                {
                    throw new VersionConflictException(lost);
                }

                if (attempt == MaxPatchAttempts)
                {
                    throw new DatabunkerException($"The document changed concurrently {MaxPatchAttempts} times in a row; the patch was not applied.");
                }
            }
        });
    }

    public async Task<bool> DeleteAsync(Guid person, string app, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        Registration(app);
        CheckExpected(expectedVersion);
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var dataKey = await OpenDataKeyAsync(person, AuditOperations.AppDataDelete, cancellationToken).ConfigureAwait(false);
        bool deleted;
        try
        {
            var now = Now();
            var details = AuditTrail.SealDetails(dataKey, person, AuditOperations.AppDataDelete, now, "app", [app]);
            deleted = await store.DeleteAppDocumentAsync(
                person, app, expectedVersion, now, audit.NewEvent(AuditOperations.AppDataDelete, person, AuditOutcomes.Success, details, now), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return deleted || (expectedVersion is { } expected ? throw new VersionConflictException(expected) : false);
    }

    public async Task<IReadOnlyList<AppDocumentInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var headers = await store.ListAppDocumentsAsync(person, Now(), cancellationToken).ConfigureAwait(false);
        if (headers.Count == 0 && await persons.Store.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) is null)
        {
            await AuditReadAsync(AuditOperations.AppDataList, person, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
            throw new PersonNotFoundException();
        }

        await AuditReadAsync(AuditOperations.AppDataList, person, AuditOutcomes.Success, cancellationToken).ConfigureAwait(false);
        return [.. headers.Select(h => new AppDocumentInfo(h.App, h.Version, DateTimeOffset.FromUnixTimeMilliseconds(h.UpdatedAt), ToTime(h.ExpiresAt)))];
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await Batches.DrainAsync(
            _options.RemovalBatchSize,
            ct =>
            {
                var now = Now();
                return store.DeleteExpiredAppDocumentsAsync(now, _options.RemovalBatchSize, audit.NewEvent(AuditOperations.AppDataExpired, null, AuditOutcomes.Success, at: now), ct);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the module, its part of a forget, of the due-work pass and of the export.</summary>
    public static void Register(IServiceCollection services)
    {
        // Its documents, for a share link of a part of one.
        services.TryAddSingleton<IDocumentSource, AppDocumentSource>();

        Diagnostics.Instrumented.AddAppDataManager<AppDataManager>(services);

        // Its part of a forget: every document of the person goes with them.
        ErasureStep<IAppDocumentStore>.Add(services, static (documents, erasure, person, cancellationToken) => documents.EnlistErasureAsync(erasure, person, cancellationToken));

        // Its part of the export: every live document, opened.
        ExportSection<IAppDocumentStore>.Add<IAppDocumentStore>(services, "appData", static (documents, writer, context, cancellationToken) => WriteExportAsync(documents, writer, context, cancellationToken));

        // Its part of the due-work pass: documents whose retention has passed.
        DueWork<IAppDataManager>.Add(services, "appdata", static (appData, cancellationToken) => appData.DeleteExpiredAsync(cancellationToken));
        BacklogSource<IAppDocumentStore>.Add(services, "appdata", static (store, cancellationToken) => store.GetEarliestAppDocumentExpiryAsync(cancellationToken));
    }

    /// <summary>Writes <c>[{ "app", "version", "updatedAt", "expiresAt", "data" }]</c>, one document at a time.</summary>
    private static async Task WriteExportAsync(IAppDocumentStore documents, System.Text.Json.Utf8JsonWriter writer, ExportContext context, CancellationToken cancellationToken)
    {
        writer.WriteStartArray();
        foreach (var header in await documents.ListAppDocumentsAsync(context.Person, context.Now, cancellationToken).ConfigureAwait(false))
        {
            if (await documents.GetAppDocumentAsync(context.Person, header.App, context.Now, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                continue;
            }

            var json = Envelope.Open(context.DataKey, stored.Data, AssociatedData.ForAppData(context.Person, header.App), "app-data document");
            writer.WriteStartObject();
            writer.WriteString("app", header.App);
            writer.WriteNumber("version", stored.Version);
            ExportContext.WriteTime(writer, "updatedAt", stored.UpdatedAt);
            ExportContext.WriteTime(writer, "expiresAt", stored.ExpiresAt);
            writer.WritePropertyName("data");
            using (var document = JsonDocument.Parse(json))
            {
                // Members the document names as credentials are withheld (AppDataCredentials): whoever exports is not
                // necessarily whoever signs in.
                AppDataCredentials.Write(writer, document.RootElement);
            }

            writer.WriteEndObject();
            Array.Clear(json);
            await ExportContext.MaybeFlushAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        writer.WriteEndArray();
    }

    private static void CheckExpected(long? expectedVersion)
    {
        if (expectedVersion < 0)
        {
            throw new VaultInputException("An expected version is 0 (no document yet) or a version a read returned.", nameof(expectedVersion));
        }
    }

    private static DateTimeOffset? ToTime(long? unixMilliseconds) =>
        unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private static AppDocument Open(byte[] dataKey, Guid person, string app, StoredAppDocument stored)
    {
        var json = Envelope.Open(dataKey, stored.Data, AssociatedData.ForAppData(person, app), "app-data document");
        try
        {
            return new AppDocument(app, ProfileCodec.Deserialize(json), stored.Version, DateTimeOffset.FromUnixTimeMilliseconds(stored.UpdatedAt), ToTime(stored.ExpiresAt));
        }
        finally
        {
            Array.Clear(json);
        }
    }

    private AppDataRegistration Registration(string app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return _apps.TryGetValue(app, out var registration)
            ? registration
            : throw new VaultInputException("The application is not registered: register it with DatabunkerOptions.AppData.Register(name, ...) first.", nameof(app));
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<byte[]> OpenDataKeyAsync(Guid person, string operation, CancellationToken cancellationToken)
    {
        if (await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false) is { } dataKey)
        {
            return dataKey;
        }

        await audit.AppendAsync(operation, person, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
        throw new PersonNotFoundException();
    }

    /// <summary>Seals and writes the document; the version is <see langword="null"/> when <paramref name="expectedVersion"/> did not match.</summary>
    private async Task<(long? Version, long UpdatedAt, long? ExpiresAt)> WriteAsync(
        byte[] dataKey, Guid person, AppDataRegistration registration, byte[] json, long? expectedVersion, string operation, CancellationToken cancellationToken)
    {
        var now = Now();
        long? expiresAt = registration.Retention is { } retention ? now + (long)retention.TotalMilliseconds : null;
        var sealedDocument = Envelope.Seal(dataKey, PersonDirectory.DataKeyId, json, AssociatedData.ForAppData(person, registration.Name));
        var details = AuditTrail.SealDetails(dataKey, person, operation, now, "app", [registration.Name]);
        var version = await store.PutAppDocumentAsync(
            new NewAppDocument(person, registration.Name, sealedDocument, now, expiresAt),
            expectedVersion,
            audit.NewEvent(operation, person, AuditOutcomes.Success, details, now),
            cancellationToken).ConfigureAwait(false);
        return (version, now, expiresAt);
    }

    private Task AuditReadAsync(string operation, Guid person, string outcome, CancellationToken cancellationToken) =>
        _auditReads ? audit.AppendReadAsync(operation, person, outcome, cancellationToken) : Task.CompletedTask;

    private Task<T> GuardCryptoAsync<T>(string operation, Func<Task<T>> work) => CryptoGuard.RunAsync(_logger, operation, work);
}
