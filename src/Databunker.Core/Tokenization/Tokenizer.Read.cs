using System.Text;

namespace Databunker.Core.Tokenization;

internal sealed partial class Tokenizer
{
    public async Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return (await DetokenizeAsync([token], cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return await DetokenizeAsync(Kernel.BatchLimit.Take(tokens, _maxBatchItems, nameof(tokens)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var key = lease.Keys.Tokenization;
        var audit = auditTrail.NewEvent(AuditOperations.TokenDelete, null, AuditOutcomes.Success);
        return await store.DeleteTokenAsync(BlindIndex.Compute(key, TokenHashName, token), audit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DeleteExpiredTokensAsync(CancellationToken cancellationToken = default)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var removed = 0;
        int batch;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch = await store.DeleteExpiredTokensAsync(auditTrail.Now(), _options.RemovalBatchSize, cancellationToken).ConfigureAwait(false);
            removed += batch;
        }
        while (batch == _options.RemovalBatchSize);

        return removed;
    }

    private async Task<string?[]> DetokenizeAsync(List<string> tokens, CancellationToken cancellationToken)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var key = lease.Keys.Tokenization;
        var hashes = new byte[tokens.Count][];
        for (var i = 0; i < tokens.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(tokens[i], nameof(tokens));
            hashes[i] = BlindIndex.Compute(key, TokenHashName, tokens[i]);
        }

        // One token with its event committed before the read returns: a token without an owner gets its event with the
        // read, in one round trip where the storage can; any other is audited after it, as a batch is.
        var audited = false;
        IReadOnlyList<StoredToken?> found;
        if (tokens.Count == 1 && _auditEachRead)
        {
            var read = await store.GetTokenAuditedAsync(hashes[0], auditTrail.Now(), auditTrail.NewEvent(AuditOperations.TokenDetokenize, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
            (found, audited) = ([read.Value], read.Audited);
        }
        else
        {
            found = await store.GetTokensAsync(hashes, auditTrail.Now(), cancellationToken).ConfigureAwait(false);
        }

        var values = new string?[tokens.Count];
        var audit = new List<AuditRecord>(tokens.Count);
        Dictionary<Guid, byte[]>? ownerKeys = null;
        try
        {
            for (var i = 0; i < found.Count; i++)
            {
                var stored = found[i];
                audit.Add(auditTrail.NewEvent(AuditOperations.TokenDetokenize, stored?.Person, stored is null ? AuditOutcomes.NotFound : AuditOutcomes.Success));
                if (stored is not null)
                {
                    values[i] = Encoding.UTF8.GetString(await OpenValueAsync(key, hashes[i], stored, ownerKeys ??= [], cancellationToken).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            foreach (var ownerKey in ownerKeys?.Values ?? Enumerable.Empty<byte[]>())
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(ownerKey);
            }
        }

        if (!audited)
        {
            await auditTrail.AppendReadAsync(audit, cancellationToken).ConfigureAwait(false);
        }

        return values;
    }

    /// <summary>
    /// Opens a token's value with the key its envelope names, checking that the row agrees: an owned value
    /// needs its owner's key, and owner and expiry are part of the associated data, so a row whose owner or
    /// expiry was cleared or changed fails here instead of outliving its owner.
    /// </summary>
    private async ValueTask<byte[]> OpenValueAsync(byte[] key, byte[] hash, StoredToken stored, Dictionary<Guid, byte[]> ownerKeys, CancellationToken cancellationToken)
    {
        switch (Envelope.ReadKeyId(stored.Value))
        {
            case LegacyKeyId:
                return Envelope.Open(key, stored.Value, AssociatedData.For(AssociatedData.TokenValue, hash), "token value");
            case SystemKeyId when stored.Person is null:
                return Envelope.Open(key, stored.Value, AssociatedData.ForToken(AssociatedData.TokenValue, hash, null, stored.ExpiresAt), "token value");
            case > SealKeyIdBase and var keyId when stored.Person is null:
                var sealKey = (await SealingKeyAsync(keyId, key, null, cancellationToken).ConfigureAwait(false))!;
                return Envelope.Open(sealKey, stored.Value, AssociatedData.ForToken(AssociatedData.TokenValue, hash, null, stored.ExpiresAt), "token value");
            case OwnerKeyId when stored is { Person: { } owner, PersonKey: { } wrapped }:
                var ownerKey = await OwnerKeyAsync(owner, wrapped, ownerKeys, cancellationToken).ConfigureAwait(false);
                return Envelope.Open(ownerKey, stored.Value, AssociatedData.ForToken(AssociatedData.TokenValue, hash, owner, stored.ExpiresAt), "token value");
            default:
                throw new VaultCryptoException("A stored token value failed its integrity check: its owner or key was altered.");
        }
    }
}
