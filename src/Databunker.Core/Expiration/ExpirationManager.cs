using System.Buffers.Text;

namespace Databunker.Core.Expiration;

/// <summary>The expiration flow over the vault's storage; see <see cref="IExpirationManager"/>.</summary>
internal sealed class ExpirationManager(
    IExpirationStore store,
    IVaultStore vaultStore,
    VaultOpener opener,
    PersonDirectory directory,
    PersonEraser eraser,
    AuditTrail auditTrail,
    IOptions<DatabunkerOptions> options,
    TimeProvider clock,
    IExpirationLinkSender? linkSender = null,
    ILogger<ExpirationManager>? logger = null) : IExpirationManager
{
    private const string RetainHashName = "expiration-retain";
    private const string DeleteHashName = "expiration-delete";
    private const int HashSize = BlindIndex.HashSize;
    private const int TokenBytes = 24;
    private const string SchedulerActor = "databunker-scheduler";

    private readonly ExpirationOptions _options = options.Value.Expiration;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task<ExpirationTicket> StartAsync(PersonLookup lookup, ExpirationTime? time = null, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var dueAt = (time ?? ExpirationTime.FromDelay(_options.DefaultRetention)).Resolve(now, _options.MaxRetention, nameof(time));
        var token = await directory.FindTokenAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
        var retainToken = NewLinkToken();
        var deleteToken = NewLinkToken();
        var retainHash = LinkHash(lease.Keys, RetainHashName, retainToken);
        var deleteHash = LinkHash(lease.Keys, DeleteHashName, deleteToken);
        var due = dueAt.ToUnixTimeMilliseconds();
        var expiration = new NewExpiration(token, due, retainHash, deleteHash, Bind(lease.Keys, token, retainHash, deleteHash, due));
        var ticket = new ExpirationTicket(token, retainToken, deleteToken, dueAt, Link("retain", retainToken), Link("delete", deleteToken));

        // The links go out before the expiration is stored: a failed send starts nothing, and a crash after the send
        // leaves links that find nothing, never a person who falls due without having been told.
        if (linkSender is not null)
        {
            await linkSender.SendLinksAsync(ticket, cancellationToken).ConfigureAwait(false);
        }

        var audit = auditTrail.NewEvent(AuditOperations.ExpirationStart, token, AuditOutcomes.Success);
        if (!await store.StartExpirationAsync(expiration, now.ToUnixTimeMilliseconds(), audit, cancellationToken).ConfigureAwait(false))
        {
            throw new PersonNotFoundException();
        }

        return ticket;
    }

    public async Task<ExpirationStatus?> GetStatusAsync(PersonLookup lookup, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var token = await directory.FindTokenAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return lookup.Kind == LookupKind.Token && await vaultStore.IsForgottenAsync(lookup.Token, cancellationToken).ConfigureAwait(false)
                ? new ExpirationStatus(lookup.Token, ExpirationState.Deleted, null)
                : null;
        }

        var stored = await store.GetExpirationAsync(token.Value, cancellationToken).ConfigureAwait(false);
        if (stored is { State: ExpirationState.Waiting })
        {
            Verify(lease.Keys, token.Value, stored);
            return new ExpirationStatus(token.Value, ExpirationState.Waiting, DateTimeOffset.FromUnixTimeMilliseconds(stored.DueAt));
        }

        return new ExpirationStatus(token.Value, stored is null ? ExpirationState.None : ExpirationState.Retained, null);
    }

    public async Task<ExpirationLinkInfo?> InspectLinkAsync(string expirationToken, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var link = await FindLinkAsync(lease.Keys, expirationToken, cancellationToken).ConfigureAwait(false);
        return link is null
            ? null
            : new ExpirationLinkInfo(
                link.MatchedDelete ? ExpirationLinkAction.Delete : ExpirationLinkAction.Retain,
                ExpirationState.Waiting,
                DateTimeOffset.FromUnixTimeMilliseconds(link.Expiration.DueAt));
    }

    public Task<ExpirationLinkResult> RetainAsync(string expirationToken, CancellationToken cancellationToken = default) =>
        UseLinkAsync(expirationToken, delete: false, async link =>
        {
            var audit = auditTrail.NewEvent(AuditOperations.ExpirationRetain, link.Token, AuditOutcomes.Success);
            return await store.RetainExpirationAsync(link.Token, link.Expiration.RetainHash!, auditTrail.Now(), audit, cancellationToken).ConfigureAwait(false)
                ? ExpirationLinkResult.Retained
                : ExpirationLinkResult.NotFound;
        }, cancellationToken);

    public Task<ExpirationLinkResult> DeleteAsync(string expirationToken, CancellationToken cancellationToken = default) =>
        UseLinkAsync(expirationToken, delete: true, async link =>
        {
            var audit = auditTrail.NewEvent(AuditOperations.ExpirationDelete, link.Token, AuditOutcomes.Success);
            var deleteHash = link.Expiration.DeleteHash!;
            return await eraser.ForgetAsync(
                    link.Token, audit, erasure => store.HoldsDeleteLinkAsync(erasure, link.Token, deleteHash, cancellationToken), cancellationToken).ConfigureAwait(false)
                ? ExpirationLinkResult.Deleted
                : ExpirationLinkResult.NotFound;
        }, cancellationToken);

    /// <summary>Finds the live link a token names and, if it is of the wanted kind, acts on it; otherwise not found.</summary>
    private async Task<ExpirationLinkResult> UseLinkAsync(
        string expirationToken, bool delete, Func<StoredExpirationLink, Task<ExpirationLinkResult>> act, CancellationToken cancellationToken)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var link = await FindLinkAsync(lease.Keys, expirationToken, cancellationToken).ConfigureAwait(false);
        return link is not null && link.MatchedDelete == delete
            ? await act(link).ConfigureAwait(false)
            : ExpirationLinkResult.NotFound;
    }

    public async Task<bool> CancelAsync(PersonLookup lookup, CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var token = await directory.FindTokenAsync(lookup, lease.Keys, cancellationToken).ConfigureAwait(false);
        return token is { } t
            && await store.CancelExpirationAsync(t, auditTrail.NewEvent(AuditOperations.ExpirationCancel, t, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
    }

    public async Task<ExpirationPassResult> RunDueAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var claimId = RandomNumberGenerator.GetBytes(16);
        int claimed = 0, deleted = 0, skipped = 0, failed = 0, batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = auditTrail.Now();
            var batch = await store.ClaimDueExpirationsAsync(now, _options.BatchSize, claimId, now + (long)_options.ClaimTimeout.TotalMilliseconds, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            batches++;
            claimed += batch.Count;
            foreach (var token in batch)
            {
                try
                {
                    var audit = auditTrail.NewEventBy(SchedulerActor, AuditOperations.ExpirationExpired, token, AuditOutcomes.Success);
                    if (await eraser.ForgetAsync(
                            token, audit, erasure => store.HoldsClaimAsync(erasure, token, claimId, CancellationToken.None), CancellationToken.None, compactAfter: false).ConfigureAwait(false))
                    {
                        deleted++;
                    }
                    else
                    {
                        skipped++;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed++;
                    ExpirationLog.ExpirationFailure(_logger, ex);
                }
            }

            if (batch.Count < _options.BatchSize)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            // Forgotten persons' old page images leave the write-ahead log; a busy log is compacted by a later pass.
            await eraser.CompactAsync(cancellationToken).ConfigureAwait(false);
        }

        if (claimed > 0)
        {
            ExpirationLog.ExpirationPass(_logger, claimed, deleted, failed, batches);
        }
        else
        {
            ExpirationLog.ExpirationPassIdle(_logger);
        }

        return new ExpirationPassResult(claimed, deleted, skipped, failed, batches);
    }

    /// <summary>The live link a token names, its binding to the person checked; <see langword="null"/> when none.</summary>
    private async Task<StoredExpirationLink?> FindLinkAsync(SystemKeys keys, string? expirationToken, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(expirationToken))
        {
            return null;
        }

        var link = await store.FindExpirationLinkAsync(
            LinkHash(keys, RetainHashName, expirationToken), LinkHash(keys, DeleteHashName, expirationToken), cancellationToken).ConfigureAwait(false);
        if (link is not null)
        {
            Verify(keys, link.Token, link.Expiration);
        }

        return link;
    }

    /// <summary>
    /// Checks that a waiting expiration's links and due time were written for this person by this vault:
    /// a link hash moved to another person's row, or a due time moved, fails here.
    /// </summary>
    private void Verify(SystemKeys keys, Guid token, StoredExpiration stored)
    {
        if (stored.RetainHash is not { Length: HashSize } retain || stored.DeleteHash is not { Length: HashSize } delete
            || stored.Binding is not { Length: HashSize } binding
            || !CryptographicOperations.FixedTimeEquals(binding, Bind(keys, token, retain, delete, stored.DueAt)))
        {
            Log.IntegrityFailure(_logger, "expiration");
            throw new VaultCryptoException("A stored expiration failed its integrity check: its links or due time were altered or moved to another person.");
        }
    }

    private static byte[] LinkHash(SystemKeys keys, string label, string linkToken) => BlindIndex.Compute(keys.ExpirationLinks, label, linkToken);

    private static byte[] Bind(SystemKeys keys, Guid token, byte[] retainHash, byte[] deleteHash, long dueAt)
    {
        Span<byte> input = stackalloc byte[16 + HashSize + HashSize + 8];
        token.TryWriteBytes(input);
        retainHash.CopyTo(input[16..]);
        deleteHash.CopyTo(input[(16 + HashSize)..]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(input[(16 + HashSize + HashSize)..], dueAt);
        return HMACSHA256.HashData(keys.ExpirationBinding, input);
    }

    private static string NewLinkToken()
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private static bool IsWellFormed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? token) =>
        token is { Length: 32 } && Base64Url.IsValid(token);

    private Uri? Link(string action, string expirationToken)
    {
        if (_options.LinkBaseAddress is not { } baseAddress)
        {
            return null;
        }

        var text = baseAddress.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? $"{text}{action}/{expirationToken}" : $"{text}/{action}/{expirationToken}");
    }

    /// <summary>Registers the expiration module, its forget step, its due work and its export section.</summary>
    public static void Register(IServiceCollection services)
    {
        Diagnostics.Instrumented.AddExpirationManager<ExpirationManager>(services);

        // Its part of the due-work backlog: the earliest due expiration.
        BacklogSource<IExpirationStore>.Add(services, "expiration", static (store, cancellationToken) => store.GetEarliestDueAsync(cancellationToken));

        // Its part of a forget: the person's expiration goes with them.
        ErasureStep<IExpirationStore>.Add(services, static (expirations, erasure, person, cancellationToken) => expirations.EnlistErasureAsync(erasure, person, cancellationToken));

        // Its part of the export: the person's expiration, if any.
        ExportSection<IExpirationStore>.Add<IExpirationStore>(services, "expiration", static async (expirations, writer, context, cancellationToken) =>
        {
            if (await expirations.GetExpirationAsync(context.Person, cancellationToken).ConfigureAwait(false) is not { } expiration)
            {
                writer.WriteNullValue();
                return;
            }

            writer.WriteStartObject();
            writer.WriteString("state", expiration.State.ToString().ToLowerInvariant());
            ExportContext.WriteTime(writer, "dueAt", expiration.DueAt);
            writer.WriteEndObject();
        });

        // Its part of the due-work pass: forgetting whoever is due.
        DueWork<IExpirationManager>.Add(services, "expiration", static async (manager, cancellationToken) => (await manager.RunDueAsync(cancellationToken).ConfigureAwait(false)).Deleted);
    }
}
