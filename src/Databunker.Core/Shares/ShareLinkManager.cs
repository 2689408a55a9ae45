using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Databunker.Core.Shares;

/// <summary>The shared-records module: links kept as keyed hashes, recipient and fields sealed under the person's key.</summary>
internal sealed class ShareLinkManager(
    IShareLinkStore store,
    IDocumentSource documents,
    VaultOpener opener,
    VaultKeyRing keyRing,
    PersonDirectory persons,
    AuditTrail audit,
    IOptions<DatabunkerOptions> options,
    TimeProvider time,
    ILogger<ShareLinkManager>? logger = null) : IShareLinkManager
{
    private const int TokenBytes = 32;
    private const int TokenLength = 43;
    private const int MaxRecipientLength = 200;
    private const string TokenHashName = "share";

    private readonly ShareOptions _options = options.Value.Shares;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task<ShareLink> CreateAsync(Guid person, ShareRequest request, CancellationToken cancellationToken = default)
    {
        var (pointers, lifetime) = Check(request);
        return CryptoGuard.RunAsync(_logger, AuditOperations.ShareCreate, async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
            try
            {
                var document = await ReadAsync(person, request.App, dataKey, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < pointers.Length; i++)
                {
                    if (document is not { } d || !JsonPointer.TryResolve(d, pointers[i], out _))
                    {
                        // The pointer's position, not the pointer: a path can hold a value (a key that is an email).
                        throw new VaultInputException($"Field {i + 1} of the share request names nothing in the {(request.App is null ? "profile" : "application's document")}.", nameof(request));
                    }
                }

                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var tokenBytes = RandomNumberGenerator.GetBytes(TokenBytes);
                var token = Base64Url.EncodeToString(tokenBytes);
                CryptographicOperations.ZeroMemory(tokenBytes);
                var handle = Guid.NewGuid();
                var link = new NewShareLink(
                    BlindIndex.Compute(lease.Keys.ShareLinks, TokenHashName, token),
                    handle,
                    person,
                    Envelope.Seal(dataKey, PersonDirectory.DataKeyId, Encoding.UTF8.GetBytes(request.Recipient), AssociatedData.ForOwnedRecord(AssociatedData.ShareRecipient, person, handle)),
                    Envelope.Seal(dataKey, PersonDirectory.DataKeyId, FieldList.Serialize(request.App, request.Fields), AssociatedData.ForOwnedRecord(AssociatedData.ShareFields, person, handle)),
                    now,
                    now + (long)lifetime.TotalMilliseconds,
                    request.MaxReads);
                var details = AuditTrail.SealDetails(dataKey, person, AuditOperations.ShareCreate, now, "recipient", [request.Recipient]);
                await store.AddShareLinkAsync(link, audit.NewEvent(AuditOperations.ShareCreate, person, AuditOutcomes.Success, details, now), cancellationToken).ConfigureAwait(false);
                return new ShareLink(token, handle, DateTimeOffset.FromUnixTimeMilliseconds(link.ExpiresAt));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        });
    }

    public async Task<ShareRedemption> RedeemAsync(string token, CancellationToken cancellationToken = default)
    {
        try
        {
            if (token is not { Length: TokenLength } || !Base64Url.IsValid(token))
            {
                return new ShareRedemption(ShareLinkStatus.Unknown, null);
            }

            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var tokenHash = BlindIndex.Compute(lease.Keys.ShareLinks, TokenHashName, token);
            var stored = await store.GetShareLinkAsync(tokenHash, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (stored?.PersonKey is not { } ownerKey || Status(stored, now) is var status && status != ShareLinkStatus.Redeemed)
            {
                return new ShareRedemption(stored?.PersonKey is null ? ShareLinkStatus.Unknown : Status(stored, now), null);
            }

            var dataKey = await keyRing.OpenDataKeyAsync(stored.Person, ownerKey, cancellationToken).ConfigureAwait(false);
            try
            {
                var (recipient, fields) = Open(dataKey, stored);
                var details = AuditTrail.SealDetails(dataKey, stored.Person, AuditOperations.ShareRedeem, now, "recipient", [recipient]);
                var left = await store.ConsumeShareLinkAsync(tokenHash, now, audit.NewEvent(AuditOperations.ShareRedeem, stored.Person, AuditOutcomes.Success, details, now), cancellationToken).ConfigureAwait(false);
                if (left is not { } readsLeft)
                {
                    // Spent, revoked or forgotten between the read and the redemption.
                    var current = await store.GetShareLinkAsync(tokenHash, cancellationToken).ConfigureAwait(false);
                    return new ShareRedemption(current is null ? ShareLinkStatus.Unknown : Status(current, now) is var s && s != ShareLinkStatus.Redeemed ? s : ShareLinkStatus.Exhausted, null);
                }

                var values = await ValuesAsync(stored.Person, fields, dataKey, cancellationToken).ConfigureAwait(false);
                return new ShareRedemption(ShareLinkStatus.Redeemed, new SharedRecord(recipient, values, DateTimeOffset.FromUnixTimeMilliseconds(stored.ExpiresAt), readsLeft));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
        catch (VaultCryptoException ex) when (CryptoGuard.Logged(_logger, AuditOperations.ShareRedeem, ex))
        {
            throw;
        }
    }

    public Task<IReadOnlyList<ShareLinkInfo>> ListAsync(Guid person, CancellationToken cancellationToken = default) =>
        CryptoGuard.RunAsync<IReadOnlyList<ShareLinkInfo>>(_logger, "share.list", async () =>
        {
            using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = await persons.OpenDataKeyAsync(person, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
            try
            {
                var links = await store.ListShareLinksAsync(person, cancellationToken).ConfigureAwait(false);
                return [.. links.Select(link =>
                {
                    var (recipient, fields) = Open(dataKey, link);
                    return new ShareLinkInfo(
                        link.Handle, recipient, fields.App, fields.Fields, DateTimeOffset.FromUnixTimeMilliseconds(link.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(link.ExpiresAt),
                        link.MaxReads, link.ReadsLeft, link.RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null);
                })];
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        });

    public async Task<bool> RevokeAsync(Guid person, Guid handle, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await store.RevokeShareLinkAsync(person, handle, now, audit.NewEvent(AuditOperations.ShareRevoke, person, AuditOutcomes.Success, at: now), cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        return await Batches.DrainAsync(
            _options.RemovalBatchSize,
            ct => store.DeleteExpiredShareLinksAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), _options.RemovalBatchSize, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the module, its part of a forget, of the due-work pass and of the export.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddShareLinkManager<ShareLinkManager>(services);

        // Its part of a forget: every link of the person goes with them.
        ErasureStep<IShareLinkStore>.Add(services, static (links, erasure, person, cancellationToken) => links.EnlistErasureAsync(erasure, person, cancellationToken));

        // Its part of the export: the person's links, without their tokens.
        ExportSection<IShareLinkStore>.Add<IShareLinkStore>(services, "shares", static async (links, writer, context, cancellationToken) =>
        {
            writer.WriteStartArray();
            foreach (var link in await links.ListShareLinksAsync(context.Person, cancellationToken).ConfigureAwait(false))
            {
                var (recipient, fields) = Open(context.DataKey, link);
                writer.WriteStartObject();
                writer.WriteString("handle", link.Handle);
                writer.WriteString("recipient", recipient);
                writer.WriteString("app", fields.App);
                writer.WriteStartArray("fields");
                foreach (var field in fields.Fields)
                {
                    writer.WriteStringValue(field);
                }

                writer.WriteEndArray();
                ExportContext.WriteTime(writer, "createdAt", link.CreatedAt);
                ExportContext.WriteTime(writer, "expiresAt", link.ExpiresAt);
                writer.WriteNumber("maxReads", link.MaxReads);
                writer.WriteNumber("readsLeft", link.ReadsLeft);
                ExportContext.WriteTime(writer, "revokedAt", link.RevokedAt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

        // Its part of the due-work pass: expired links, which Databunker never deletes.
        DueWork<IShareLinkManager>.Add(services, "shares", static (links, cancellationToken) => links.DeleteExpiredAsync(cancellationToken));
        BacklogSource<IShareLinkStore>.Add(services, "shares", static (store, cancellationToken) => store.GetEarliestShareLinkExpiryAsync(cancellationToken));
    }

    private static ShareLinkStatus Status(StoredShareLink link, long now) =>
        link.RevokedAt is not null ? ShareLinkStatus.Revoked
        : link.ExpiresAt <= now ? ShareLinkStatus.Expired
        : link.ReadsLeft <= 0 ? ShareLinkStatus.Exhausted
        : ShareLinkStatus.Redeemed;

    private static (string Recipient, FieldList Fields) Open(byte[] dataKey, StoredShareLink link)
    {
        var recipient = Encoding.UTF8.GetString(Envelope.Open(dataKey, link.Recipient, AssociatedData.ForOwnedRecord(AssociatedData.ShareRecipient, link.Person, link.Handle), "share recipient"));
        var fields = FieldList.Deserialize(Envelope.Open(dataKey, link.Fields, AssociatedData.ForOwnedRecord(AssociatedData.ShareFields, link.Person, link.Handle), "share fields"));
        return (recipient, fields);
    }

    /// <summary>The request's pointers and lifetime, checked before anything is read.</summary>
    private (string[][] Pointers, TimeSpan Lifetime) Check(ShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Recipient) || request.Recipient.Length > MaxRecipientLength || !Utf16Text.IsValid(request.Recipient))
        {
            throw new VaultInputException($"The recipient is 1 to {MaxRecipientLength} characters of valid text.", nameof(request));
        }

        if (request.Fields is not { Count: > 0 } fields || fields.Count > _options.MaxFields)
        {
            throw new VaultInputException($"A share names 1 to {_options.MaxFields} fields.", nameof(request));
        }

        var pointers = new string[fields.Count][];
        for (var i = 0; i < fields.Count; i++)
        {
            if (!JsonPointer.TryParse(fields[i], out pointers[i]))
            {
                throw new VaultInputException($"Field {i + 1} of the share request is not a JSON Pointer (RFC 6901) to a member, such as /name.", nameof(request));
            }
        }

        var lifetime = request.Lifetime ?? _options.DefaultLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > _options.MaxLifetime)
        {
            throw new VaultInputException($"A share's lifetime is positive and at most {_options.MaxLifetime.TotalDays:0.##} days.", nameof(request));
        }

        if (request.MaxReads < 1 || request.MaxReads > _options.MaxReads)
        {
            throw new VaultInputException($"A share allows 1 to {_options.MaxReads} reads.", nameof(request));
        }

        return (pointers, lifetime);
    }

    /// <summary>The document the pointers point into, or <see langword="null"/> when the application has none for the person.</summary>
    private async Task<JsonElement?> ReadAsync(Guid person, string? app, byte[] dataKey, CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            return await documents.GetDocumentAsync(person, app, cancellationToken).ConfigureAwait(false);
        }

        var user = await persons.Store.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
        var json = PersonDirectory.OpenProfile(dataKey, user);
        try
        {
            return ProfileCodec.Deserialize(json);
        }
        finally
        {
            Array.Clear(json);
        }
    }

    /// <summary>The fields' current values, as an object from pointer to value.</summary>
    private async Task<JsonElement> ValuesAsync(Guid person, FieldList fields, byte[] dataKey, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(person, fields.App, dataKey, cancellationToken).ConfigureAwait(false);
        using var scratch = JsonScratch.ForDetails();
        var writer = scratch.Writer;
        writer.WriteStartObject();
        foreach (var field in fields.Fields)
        {
            if (document is { } d && JsonPointer.TryParse(field, out var tokens) && JsonPointer.TryResolve(d, tokens, out var value))
            {
                writer.WritePropertyName(field);
                value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
        return ProfileCodec.Deserialize(scratch.Written.ToArray());
    }

    /// <summary>What a link shares, sealed as one JSON value: <c>{"app": name or null, "fields": [pointers]}</c>.</summary>
    private sealed record FieldList(string? App, string[] Fields)
    {
        public static byte[] Serialize(string? app, IReadOnlyList<string> fields)
        {
            using var scratch = JsonScratch.ForDetails();
            var writer = scratch.Writer;
            writer.WriteStartObject();
            writer.WriteString("app", app);
            writer.WriteStartArray("fields");
            foreach (var field in fields)
            {
                writer.WriteStringValue(field);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            return scratch.Written.ToArray();
        }

        public static FieldList Deserialize(byte[] json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new FieldList(root.GetProperty("app").GetString(), [.. root.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!)]);
        }
    }
}
