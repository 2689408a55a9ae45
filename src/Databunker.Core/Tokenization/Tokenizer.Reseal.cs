namespace Databunker.Core.Tokenization;

internal sealed partial class Tokenizer
{
    /// <summary>The token-sealing key: what a renewal of it re-seals is this module's.</summary>
    public string KeyName => VaultKeyRing.TokenSealKeyName;

    /// <summary>
    /// Re-seals, in batches, every token envelope that is not under <paramref name="keys"/>' current sealing
    /// key: unowned values and deterministic tokens go under that key, owned ones made before values were
    /// sealed under their owner's data key go under it now. Each batch is one transaction that replaces a row
    /// only if it still holds what was read. Returns how many rows changed and how many could not be (a
    /// concurrent delete or re-seal), to be retried by another call.
    /// </summary>
    public async Task<(long Renewed, long Missed)> RenewAsync(SystemKeys keys, int batchSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        var current = SealKeyIdBase + (uint)keys.TokenSealVersion;
        long resealed = 0, missed = 0;
        byte[]? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await store.GetTokenSealsAsync(after, batchSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            after = page[^1].TokenHash;
            var ownerKeys = new Dictionary<Guid, byte[]>();
            var replacements = new List<TokenSealReplacement>();
            try
            {
                foreach (var seal in page)
                {
                    var keyId = Envelope.ReadKeyId(seal.Value);
                    if (keyId == OwnerKeyId || keyId == current)
                    {
                        continue;
                    }

                    var stored = new StoredToken(seal.Value, seal.Person, seal.ExpiresAt, seal.PersonKey, seal.Scope);
                    var plaintext = await OpenValueAsync(keys.Tokenization, seal.TokenHash, stored, ownerKeys, cancellationToken).ConfigureAwait(false);
                    var (target, targetId) = seal is { Person: { } owner, PersonKey: { } wrapped }
                        ? (await OwnerKeyAsync(owner, wrapped, ownerKeys, cancellationToken).ConfigureAwait(false), OwnerKeyId)
                        : (keys.TokenSeal, current);
                    var value = Envelope.Seal(target, targetId, plaintext, AssociatedData.ForToken(AssociatedData.TokenValue, seal.TokenHash, seal.Person, seal.ExpiresAt, seal.Scope));
                    CryptographicOperations.ZeroMemory(plaintext);
                    byte[]? sealedToken = null;
                    if (seal is { SealedToken: { } oldToken, DeterministicHash: { } deterministic })
                    {
                        var tokenKey = await SealingKeyAsync(Envelope.ReadKeyId(oldToken), keys.Tokenization,
                                seal.Person is { } o ? ownerKeys.GetValueOrDefault(o) : null, cancellationToken).ConfigureAwait(false)
                            ?? throw new VaultCryptoException("A stored deterministic token failed authentication: it was altered, moved, or its key is wrong.");
                        var context = AssociatedData.For(AssociatedData.SealedToken, deterministic);
                        sealedToken = Envelope.Seal(target, targetId, Envelope.Open(tokenKey, oldToken, context, "token"), context);
                    }

                    replacements.Add(new TokenSealReplacement(seal.TokenHash, seal.Value, value, sealedToken));
                }
            }
            finally
            {
                foreach (var ownerKey in ownerKeys.Values)
                {
                    CryptographicOperations.ZeroMemory(ownerKey);
                }
            }

            var replaced = replacements.Count == 0 ? 0 : await store.ReplaceTokenSealsAsync(replacements, cancellationToken).ConfigureAwait(false);
            resealed += replaced;
            missed += replacements.Count - replaced;
            progress?.Invoke(resealed);
        }

        return (resealed, missed);
    }

    private async ValueTask<byte[]> OwnerKeyAsync(Guid owner, Keys.WrappedKey wrapped, Dictionary<Guid, byte[]> ownerKeys, CancellationToken cancellationToken)
    {
        if (!ownerKeys.TryGetValue(owner, out var key))
        {
            key = await keyRing.OpenDataKeyAsync(owner, wrapped, cancellationToken).ConfigureAwait(false);
            ownerKeys[owner] = key;
        }

        return key;
    }
}
