using System.Text;

namespace Databunker.Core.Tokenization;

internal sealed partial class Tokenizer
{
    public async Task<string?> DetokenizeAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        purposes.RefuseUnnamed();
        return (await DetokenizeAsync([token], null, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<string?>> DetokenizeManyAsync(IEnumerable<string> tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        purposes.RefuseUnnamed();
        return await DetokenizeAsync(Kernel.BatchLimit.Take(tokens, _maxBatchItems, nameof(tokens)), null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> DetokenizeForPurposeAsync(string token, string purpose, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return (await DetokenizeAsync([token], purposes.Resolve(purpose), cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<string?>> DetokenizeManyForPurposeAsync(IEnumerable<string> tokens, string purpose, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var view = purposes.Resolve(purpose);
        return await DetokenizeAsync(Kernel.BatchLimit.Take(tokens, _maxBatchItems, nameof(tokens)), view, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Reads tokens' values, for a purpose or (<paramref name="view"/> <see langword="null"/>) without one. A purpose
    /// reads only the scopes its activity declares, and a consent-based one only tokens whose owner's consent stands:
    /// otherwise nothing is read, every token of the call is audited as refused, and the call throws.
    /// </summary>
    private async Task<string?[]> DetokenizeAsync(List<string> tokens, Privacy.IPurposeView? view, CancellationToken cancellationToken)
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
        if (tokens.Count == 1 && _auditEachRead && view is null)
        {
            var read = await store.GetTokenAuditedAsync(hashes[0], auditTrail.Now(), auditTrail.NewEvent(AuditOperations.TokenDetokenize, null, AuditOutcomes.Success), cancellationToken).ConfigureAwait(false);
            (found, audited) = ([read.Value], read.Audited);
        }
        else
        {
            found = await store.GetTokensAsync(hashes, auditTrail.Now(), cancellationToken).ConfigureAwait(false);
        }

        if (view is not null && await RefusalAsync(found, view, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            // Nothing was read: each token the call named is audited as refused (its owner sees the refusal), or as not found.
            await auditTrail.AppendReadAsync(
                [.. found.Select(t => auditTrail.NewEvent(AuditOperations.TokenDetokenize, t?.Person, t is null ? AuditOutcomes.NotFound : AuditOutcomes.Refused, t is null ? null : view.TokenDetails(t.Scope)))],
                cancellationToken).ConfigureAwait(false);
            throw new PurposeNotAllowedException(view.Name, refusal);
        }

        var values = new string?[tokens.Count];
        var audit = new List<AuditRecord>(tokens.Count);
        Dictionary<Guid, byte[]>? ownerKeys = null;
        try
        {
            for (var i = 0; i < found.Count; i++)
            {
                var stored = found[i];
                audit.Add(auditTrail.NewEvent(
                    AuditOperations.TokenDetokenize,
                    stored?.Person,
                    stored is null ? AuditOutcomes.NotFound : AuditOutcomes.Success,
                    view is null || stored is null ? null : view.TokenDetails(stored.Scope)));
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
    /// Why <paramref name="view"/>'s purpose may not read the found tokens, or <see langword="null"/> when it may: a token
    /// of a scope it does not declare (a token made before scopes were kept has none, which only the vault's own
    /// purpose reads), or, for a purpose resting on consent, a token without an owner (no one's consent covers it) or
    /// one whose owner has not given or has withdrawn that consent. The scope read here is checked again when the value
    /// opens: it is part of the value's associated data.
    /// </summary>
    private async ValueTask<PurposeRefusal?> RefusalAsync(IReadOnlyList<StoredToken?> found, Privacy.IPurposeView view, CancellationToken cancellationToken)
    {
        foreach (var stored in found)
        {
            if (stored is not null && !view.ReadsScope(stored.Scope))
            {
                return PurposeRefusal.DataNotDeclared;
            }
        }

        if (!view.RestsOnConsent)
        {
            return null;
        }

        HashSet<Guid>? checkedOwners = null;
        foreach (var stored in found)
        {
            if (stored is null)
            {
                continue;
            }

            if (stored.Person is not { } owner)
            {
                return PurposeRefusal.NoConsent;
            }

            if (!(checkedOwners ??= []).Add(owner))
            {
                continue;
            }

            try
            {
                await purposes.EnsureConsentAsync(owner, view, cancellationToken).ConfigureAwait(false);
            }
            catch (PurposeNotAllowedException ex)
            {
                return ex.Reason;
            }
        }

        return null;
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
            // Envelopes older than token scopes bind none: a scope written into such a row is refused, not believed.
            case LegacyKeyId when stored.Scope is null:
                return Envelope.Open(key, stored.Value, AssociatedData.For(AssociatedData.TokenValue, hash), "token value");
            case SystemKeyId when stored is { Person: null, Scope: null }:
                return Envelope.Open(key, stored.Value, AssociatedData.ForToken(AssociatedData.TokenValue, hash, null, stored.ExpiresAt), "token value");
            case > SealKeyIdBase and var keyId when stored.Person is null:
                var sealKey = (await SealingKeyAsync(keyId, key, null, cancellationToken).ConfigureAwait(false))!;
                return Envelope.Open(sealKey, stored.Value, AssociatedData.ForToken(AssociatedData.TokenValue, hash, null, stored.ExpiresAt, stored.Scope), "token value");
            case OwnerKeyId when stored is { Person: { } owner, PersonKey: { } wrapped }:
                var ownerKey = await OwnerKeyAsync(owner, wrapped, ownerKeys, cancellationToken).ConfigureAwait(false);
                return Envelope.Open(ownerKey, stored.Value, AssociatedData.ForToken(AssociatedData.TokenValue, hash, owner, stored.ExpiresAt, stored.Scope), "token value");
            default:
                throw new VaultCryptoException("A stored token value failed its integrity check: its owner or key was altered.");
        }
    }
}
