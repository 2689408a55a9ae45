using System.Buffers.Text;
using System.Security.Cryptography;
using Databunker.Core.Internal;
using Databunker.Core.Internal.Crypto;
using Databunker.Core.Internal.Vault;
using Databunker.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Expiration;

/// <summary>The expiration flow over the vault's storage; see <see cref="IExpirationManager"/>.</summary>
internal sealed class ExpirationManager : IExpirationManager
{
    private const string TokenHashName = "expiration-token";
    private const int TokenBytes = 24;
    private const string SchedulerActor = "databunker-scheduler";

    private readonly IVaultStorage _storage;
    private readonly VaultKeyRing _keys;
    private readonly PersonalDataVault _vault;
    private readonly ExpirationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ExpirationManager(IVaultStorage storage, VaultKeyRing keys, PersonalDataVault vault, IOptions<DatabunkerOptions> options, TimeProvider time, ILogger<ExpirationManager>? logger = null)
    {
        _storage = storage;
        _keys = keys;
        _vault = vault;
        _options = options.Value.Expiration;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<ExpirationTicket> StartAsync(UserLookup lookup, ExpirationTime? time = null, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var dueAt = (time ?? ExpirationTime.FromDelay(_options.DefaultRetention)).Resolve(now, _options.MaxRetention, nameof(time));
        var token = await _vault.FindTokenAsync(lookup, cancellationToken).ConfigureAwait(false) ?? throw new PersonNotFoundException();
        var expirationToken = NewExpirationToken();
        var hash = await HashAsync(expirationToken, cancellationToken).ConfigureAwait(false);
        var audit = _vault.NewAudit(AuditOperations.ExpirationStart, token, AuditOutcomes.Success);
        if (!await _storage.StartExpirationAsync(token, dueAt.ToUnixTimeMilliseconds(), hash, now.ToUnixTimeMilliseconds(), audit, cancellationToken).ConfigureAwait(false))
        {
            throw new PersonNotFoundException();
        }

        return new ExpirationTicket(token, expirationToken, dueAt, Link("retain", expirationToken), Link("delete", expirationToken));
    }

    public async Task<ExpirationStatus?> GetStatusAsync(UserLookup lookup, CancellationToken cancellationToken = default)
    {
        var token = await _vault.FindTokenAsync(lookup, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return lookup.Kind == LookupKind.Token && await _storage.IsForgottenAsync(lookup.Token, cancellationToken).ConfigureAwait(false)
                ? new ExpirationStatus(lookup.Token, ExpirationState.Deleted, null)
                : null;
        }

        var stored = await _storage.GetExpirationAsync(token.Value, cancellationToken).ConfigureAwait(false);
        return stored switch
        {
            null => new ExpirationStatus(token.Value, ExpirationState.None, null),
            { State: (int)ExpirationState.Waiting } => new ExpirationStatus(token.Value, ExpirationState.Waiting, DateTimeOffset.FromUnixTimeMilliseconds(stored.DueAt)),
            _ => new ExpirationStatus(token.Value, ExpirationState.Retained, null),
        };
    }

    public async Task<ExpirationLinkResult> RetainAsync(string expirationToken, CancellationToken cancellationToken = default)
    {
        if (!IsWellFormed(expirationToken))
        {
            return ExpirationLinkResult.NotFound;
        }

        var hash = await HashAsync(expirationToken, cancellationToken).ConfigureAwait(false);
        var audit = _vault.NewAudit(AuditOperations.ExpirationRetain, null, AuditOutcomes.Success);
        var token = await _storage.RetainExpirationAsync(hash, _vault.Now(), audit, cancellationToken).ConfigureAwait(false);
        return token is null ? ExpirationLinkResult.NotFound : ExpirationLinkResult.Retained;
    }

    public async Task<ExpirationLinkResult> DeleteAsync(string expirationToken, CancellationToken cancellationToken = default)
    {
        if (!IsWellFormed(expirationToken))
        {
            return ExpirationLinkResult.NotFound;
        }

        var hash = await HashAsync(expirationToken, cancellationToken).ConfigureAwait(false);
        var audit = _vault.NewAudit(AuditOperations.ExpirationDelete, null, AuditOutcomes.Success);
        var token = await _storage.ForgetByExpirationTokenAsync(hash, _vault.Now(), audit, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return ExpirationLinkResult.NotFound;
        }

        Log.UserForgotten(_logger, AuditOperations.ExpirationDelete);
        return ExpirationLinkResult.Deleted;
    }

    public async Task<bool> CancelAsync(UserLookup lookup, CancellationToken cancellationToken = default)
    {
        var token = await _vault.FindTokenAsync(lookup, cancellationToken).ConfigureAwait(false);
        return token is { } t
            && await _storage.CancelExpirationAsync(t, _vault.NewAudit(AuditOperations.ExpirationCancel, t, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
    }

    public async Task<ExpirationPassResult> RunDueAsync(CancellationToken cancellationToken = default)
    {
        await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
        var claimId = RandomNumberGenerator.GetBytes(16);
        int claimed = 0, deleted = 0, skipped = 0, failed = 0, batches = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _vault.Now();
            var batch = await _storage.ClaimDueExpirationsAsync(now, _options.BatchSize, claimId, now + (long)_options.ClaimTimeout.TotalMilliseconds, cancellationToken).ConfigureAwait(false);
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
                    var audit = new AuditRecord(0, _vault.Now(), SchedulerActor, AuditOperations.ExpirationExpired, token, AuditOutcomes.Success, null);
                    if (await _storage.ForgetClaimedAsync(token, claimId, audit.At, audit, CancellationToken.None).ConfigureAwait(false))
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
                    Log.ExpirationFailure(_logger, ex);
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
            await _storage.CompactAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.ExpirationPass(_logger, claimed, deleted, failed, batches);
        return new ExpirationPassResult(claimed, deleted, skipped, failed, batches);
    }

    private async Task<byte[]> HashAsync(string expirationToken, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
        return BlindIndex.Compute(keys.BlindIndex, TokenHashName, expirationToken);
    }

    private static string NewExpirationToken()
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private static bool IsWellFormed(string? token) =>
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
}
