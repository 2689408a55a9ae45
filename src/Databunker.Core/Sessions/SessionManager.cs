using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Databunker.Core.Sessions;

/// <summary>The sessions module: ids issued here and kept as keyed hashes, data sealed per owner or per session.</summary>
internal sealed class SessionManager(
    ISessionStore store,
    VaultOpener opener,
    VaultKeyRing keyRing,
    PersonDirectory persons,
    AuditTrail audit,
    IOptions<DatabunkerOptions> options,
    TimeProvider time,
    ILogger<SessionManager>? logger = null) : ISessionManager
{
    private const int IdBytes = 32;
    private const int IdLength = 43;
    private const string IdHashName = "session";
    private static readonly byte[] AnonymousKeyInfo = Encoding.ASCII.GetBytes("databunker session data");

    private readonly SessionOptions _options = options.Value.Sessions;
    private readonly bool _auditReads = options.Value.AuditReads && options.Value.Sessions.AuditReads;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task<SessionTicket> CreateAsync(JsonElement data, SessionCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SessionCreateOptions();
        var json = ProfileCodec.Serialize(data, _options.MaxDataBytes, nameof(data), "session data");
        var label = Label(options.Label, nameof(options));
        var idle = Timeout(options.IdleTimeout, _options.IdleTimeout, nameof(options));
        var absolute = Timeout(options.AbsoluteTimeout, _options.AbsoluteTimeout, nameof(options));
        try
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var ownerKey = options.Person is { } person ? await OpenPersonKeyAsync(person, AuditOperations.SessionCreate, cancellationToken).ConfigureAwait(false) : null;
            try
            {
                var now = Now();
                var (ticket, session) = Issue(lease.Keys, options.Person, ownerKey, json, label, now, idle, absolute);
                await store.AddSessionAsync(session, audit.NewEvent(AuditOperations.SessionCreate, options.Person, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false);
                return ticket;
            }
            finally
            {
                Zero(ownerKey);
            }
        }
        finally
        {
            Array.Clear(json);
        }
    }

    public async Task<Session?> GetAsync(string sessionId, bool touch = true, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!TryParse(sessionId, out var id))
            {
                return null;
            }

            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var now = Now();
            var stored = await store.GetSessionAsync(IdHash(lease.Keys, sessionId), now, touch ? now - (long)_options.TouchInterval.TotalMilliseconds : null, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.Person is not null && stored.PersonKey is null)
            {
                return null;
            }

            var key = await SessionKeyAsync(stored, id, cancellationToken).ConfigureAwait(false);
            try
            {
                var session = Open(key, stored);
                if (_auditReads && stored.Person is { } owner)
                {
                    await audit.AppendReadAsync(AuditOperations.SessionGet, owner, AuditOutcomes.Success, cancellationToken).ConfigureAwait(false);
                }

                return session;
            }
            finally
            {
                Zero(key);
            }
        }
        catch (VaultCryptoException ex) when (CryptoGuard.Logged(_logger, AuditOperations.SessionGet, ex))
        {
            throw;
        }
    }

    public Task<long> ReplaceAsync(string sessionId, JsonElement data, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var json = ProfileCodec.Serialize(data, _options.MaxDataBytes, nameof(data), "session data");
        if (expectedVersion < 1)
        {
            throw new VaultInputException("An expected session version is one a read returned (1 or more).", nameof(expectedVersion));
        }

        return CryptoGuard.RunAsync(_logger, AuditOperations.SessionReplace, async () =>
        {
            try
            {
                var id = ParseOrThrow(sessionId);
                using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
                var idHash = IdHash(lease.Keys, sessionId);
                var stored = await store.GetSessionAsync(idHash, Now(), null, cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException();
                var key = await SessionKeyAsync(stored, id, cancellationToken).ConfigureAwait(false);
                long? version;
                try
                {
                    var now = Now();
                    var sealedData = Envelope.Seal(key, PersonDirectory.DataKeyId, json, AssociatedData.ForOwnedRecord(AssociatedData.SessionData, stored.Person, stored.Handle));
                    version = await store.ReplaceSessionDataAsync(
                        idHash, sealedData, expectedVersion, now, audit.NewEvent(AuditOperations.SessionReplace, stored.Person, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    Zero(key);
                }

                if (version is { } written)
                {
                    return written;
                }

                var live = await store.GetSessionAsync(idHash, Now(), null, cancellationToken).ConfigureAwait(false) is not null;
                throw live && expectedVersion is { } expected ? new VersionConflictException(expected) : new SessionNotFoundException();
            }
            finally
            {
                Array.Clear(json);
            }
        });
    }

    public Task<SessionTicket> BindToPersonAsync(string sessionId, Guid person, CancellationToken cancellationToken = default) =>
        CryptoGuard.RunAsync(_logger, AuditOperations.SessionBind, async () =>
        {
            var id = ParseOrThrow(sessionId);
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var idHash = IdHash(lease.Keys, sessionId);
            var stored = await store.GetSessionAsync(idHash, Now(), null, cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException();
            if (stored.Person is { } owner && owner != person)
            {
                throw new DatabunkerException("The session belongs to another person: end it and create a new one for this person.");
            }

            var personKey = await OpenPersonKeyAsync(person, AuditOperations.SessionBind, cancellationToken).ConfigureAwait(false);
            var oldKey = await SessionKeyAsync(stored, id, cancellationToken).ConfigureAwait(false);
            byte[]? json = null;
            try
            {
                var session = Open(oldKey, stored);
                json = ProfileCodec.Serialize(session.Data, int.MaxValue, nameof(sessionId), "session data");
                var now = Now();
                var (ticket, replacement) = Issue(lease.Keys, person, personKey, json, session.Label, now, _options.IdleTimeout, _options.AbsoluteTimeout);
                if (!await store.ReplaceSessionAsync(idHash, now, replacement, audit.NewEvent(AuditOperations.SessionBind, person, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false))
                {
                    throw new SessionNotFoundException();
                }

                return ticket;
            }
            finally
            {
                Zero(personKey);
                Zero(oldKey);
                if (json is not null)
                {
                    Array.Clear(json);
                }
            }
        });

    public Task<IReadOnlyList<SessionInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default) =>
        CryptoGuard.RunAsync<IReadOnlyList<SessionInfo>>(_logger, "session.list", async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var key = await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
            try
            {
                var infos = await store.ListSessionsAsync(person, Now(), cancellationToken).ConfigureAwait(false);
                return [.. infos.Select(i => new SessionInfo(i.Handle, Time(i.CreatedAt), Time(i.LastSeenAt), Time(i.ExpiresAt), OpenLabel(key, person, i.Handle, i.Label)))];
            }
            finally
            {
                Zero(key);
            }
        });

    public async Task<bool> EndAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!TryParse(sessionId, out _))
        {
            return false;
        }

        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await store.DeleteSessionAsync(IdHash(lease.Keys, sessionId), audit.NewEvent(AuditOperations.SessionEnd, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> EndByHandleAsync(Guid person, Guid handle, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await store.DeleteSessionsAsync(person, handle, null, audit.NewEvent(AuditOperations.SessionEnd, person, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<int> EndAllAsync(Guid person, string? exceptSessionId = null, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);

        // A current id that is malformed names no session: then every session ends, the safe side of the request.
        var except = TryParse(exceptSessionId, out _) ? IdHash(lease.Keys, exceptSessionId!) : null;
        return await store.DeleteSessionsAsync(person, null, except, audit.NewEvent(AuditOperations.SessionEndAll, person, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await Batches.DrainAsync(
            _options.RemovalBatchSize,
            ct => store.DeleteExpiredSessionsAsync(Now(), _options.RemovalBatchSize, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the module, its part of a forget, of the due-work pass and of the export.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddSessionManager<SessionManager>(services);

        // Its part of a forget: every session of the person ends with them.
        ErasureStep<ISessionStore>.Add(services, static (sessions, erasure, person, cancellationToken) => sessions.EnlistErasureAsync(erasure, person, cancellationToken));

        // Its part of the export: the person's live sessions, without their ids or data (the host's state, not theirs).
        ExportSection<ISessionStore>.Add<ISessionStore>(services, "sessions", static async (sessions, writer, context, cancellationToken) =>
        {
            writer.WriteStartArray();
            foreach (var session in await sessions.ListSessionsAsync(context.Person, context.Now, cancellationToken).ConfigureAwait(false))
            {
                writer.WriteStartObject();
                writer.WriteString("handle", session.Handle);
                ExportContext.WriteTime(writer, "createdAt", session.CreatedAt);
                ExportContext.WriteTime(writer, "lastSeenAt", session.LastSeenAt);
                ExportContext.WriteTime(writer, "expiresAt", session.ExpiresAt);
                writer.WriteString("label", OpenLabel(context.DataKey, context.Person, session.Handle, session.Label));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

        // Its part of the due-work pass: expired sessions, which Databunker leaves in place until someone reads them.
        DueWork<ISessionManager>.Add(services, "sessions", static (sessions, cancellationToken) => sessions.DeleteExpiredAsync(cancellationToken));
        BacklogSource<ISessionStore>.Add(services, "sessions", static (store, cancellationToken) => store.GetEarliestSessionExpiryAsync(cancellationToken));
    }

    /// <summary>Whether <paramref name="sessionId"/> has the shape of an id this vault issues (43 URL-safe Base64 characters).</summary>
    internal static bool TryParse(string? sessionId, out byte[] id)
    {
        id = [];
        if (sessionId is not { Length: IdLength } || !Base64Url.IsValid(sessionId))
        {
            return false;
        }

        id = Base64Url.DecodeFromChars(sessionId);
        return id.Length == IdBytes;
    }

    private static byte[] ParseOrThrow(string sessionId) => TryParse(sessionId, out var id) ? id : throw new SessionNotFoundException();

    private static byte[] IdHash(SystemKeys keys, string sessionId) => BlindIndex.Compute(keys.SessionIds, IdHashName, sessionId);

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    private static void Zero(byte[]? key)
    {
        if (key is not null)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>An anonymous session's key: derived from its id, which the vault never stores.</summary>
    private static byte[] AnonymousKey(byte[] id)
    {
        var key = new byte[Envelope.KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, id, key, [], AnonymousKeyInfo);
        return key;
    }

    private static TimeSpan Timeout(TimeSpan? requested, TimeSpan fallback, string paramName) => requested switch
    {
        null => fallback,
        { } t when t > TimeSpan.Zero && t <= TimeSpan.FromDays(3650) => t,
        _ => throw new VaultInputException("A session timeout must be positive and at most 3,650 days.", paramName),
    };

    private static string? OpenLabel(byte[] key, Guid? owner, Guid handle, byte[]? label) => label is null
        ? null
        : Encoding.UTF8.GetString(Envelope.Open(key, label, AssociatedData.ForOwnedRecord(AssociatedData.SessionLabel, owner, handle), "session label"));

    private static Session Open(byte[] key, StoredSession stored)
    {
        var json = Envelope.Open(key, stored.Data, AssociatedData.ForOwnedRecord(AssociatedData.SessionData, stored.Person, stored.Handle), "session data");
        try
        {
            return new Session(
                stored.Handle,
                stored.Person,
                ProfileCodec.Deserialize(json),
                stored.Version,
                Time(stored.CreatedAt),
                Time(stored.LastSeenAt),
                Time(stored.ExpiresAt),
                OpenLabel(key, stored.Person, stored.Handle, stored.Label));
        }
        finally
        {
            Array.Clear(json);
        }
    }

    private string? Label(string? label, string paramName)
    {
        if (label is null)
        {
            return null;
        }

        if (label.Length == 0 || label.Length > _options.MaxLabelLength)
        {
            throw new VaultInputException($"A session label is 1 to {_options.MaxLabelLength} characters.", paramName);
        }

        return Utf16Text.IsValid(label) ? label : throw new VaultInputException("The session label holds text that is not valid Unicode.", paramName);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A new id and the session to store under its hash, sealed under <paramref name="ownerKey"/> or the id's own key.</summary>
    private static (SessionTicket Ticket, NewSession Session) Issue(
        SystemKeys keys, Guid? owner, byte[]? ownerKey, byte[] json, string? label, long now, TimeSpan idle, TimeSpan absolute)
    {
        var id = RandomNumberGenerator.GetBytes(IdBytes);
        var sessionId = Base64Url.EncodeToString(id);
        var handle = Guid.NewGuid();
        var key = ownerKey ?? AnonymousKey(id);
        try
        {
            var session = new NewSession(
                IdHash(keys, sessionId),
                handle,
                owner,
                Envelope.Seal(key, PersonDirectory.DataKeyId, json, AssociatedData.ForOwnedRecord(AssociatedData.SessionData, owner, handle)),
                label is null ? null : Envelope.Seal(key, PersonDirectory.DataKeyId, Encoding.UTF8.GetBytes(label), AssociatedData.ForOwnedRecord(AssociatedData.SessionLabel, owner, handle)),
                now,
                (long)idle.TotalMilliseconds,
                now + (long)absolute.TotalMilliseconds);
            return (new SessionTicket(sessionId, handle, Time(session.ExpiresAt)), session);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(id);
            if (ownerKey is null)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    private async Task<byte[]> SessionKeyAsync(StoredSession stored, byte[] id, CancellationToken cancellationToken) =>
        stored.Person is { } owner
            ? await keyRing.OpenDataKeyAsync(owner, stored.PersonKey ?? throw new SessionNotFoundException(), cancellationToken).ConfigureAwait(false)
            : AnonymousKey(id);

    private async Task<byte[]> OpenPersonKeyAsync(Guid person, string operation, CancellationToken cancellationToken)
    {
        if (await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false) is { } key)
        {
            return key;
        }

        await audit.AppendAsync(operation, person, AuditOutcomes.NotFound, cancellationToken).ConfigureAwait(false);
        throw new PersonNotFoundException();
    }
}
