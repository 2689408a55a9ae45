using System.Text;
using Databunker.Core.Internal.Crypto;
using Databunker.Core.Storage;

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
        return await DetokenizeAsync(tokens.ToList(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var key = (await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false)).Tokenization;
        var audit = _vault.NewAudit(AuditOperations.TokenDelete, null, AuditOutcomes.Success);
        return await _storage.DeleteTokenAsync(BlindIndex.Compute(key, TokenHashName, token), audit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> RemoveExpiredTokensAsync(CancellationToken cancellationToken = default)
    {
        await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false);
        var removed = 0;
        int batch;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch = await _storage.DeleteExpiredTokensAsync(_vault.Now(), _options.RemovalBatchSize, cancellationToken).ConfigureAwait(false);
            removed += batch;
        }
        while (batch == _options.RemovalBatchSize);

        return removed;
    }

    private async Task<string?[]> DetokenizeAsync(List<string> tokens, CancellationToken cancellationToken)
    {
        var key = (await _keys.GetSystemKeysAsync(cancellationToken).ConfigureAwait(false)).Tokenization;
        var hashes = new byte[tokens.Count][];
        for (var i = 0; i < tokens.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(tokens[i], nameof(tokens));
            hashes[i] = BlindIndex.Compute(key, TokenHashName, tokens[i]);
        }

        var found = await _storage.GetTokensAsync(hashes, _vault.Now(), cancellationToken).ConfigureAwait(false);
        var values = new string?[tokens.Count];
        var audit = new List<AuditRecord>(tokens.Count);
        for (var i = 0; i < found.Count; i++)
        {
            var stored = found[i];
            audit.Add(_vault.NewAudit(AuditOperations.TokenDetokenize, stored?.Owner, stored is null ? AuditOutcomes.NotFound : AuditOutcomes.Success));
            if (stored is not null)
            {
                values[i] = Encoding.UTF8.GetString(Envelope.Open(key, stored.Value, AssociatedData.For(AssociatedData.TokenValue, hashes[i]), "token value"));
            }
        }

        await _storage.AppendAuditAsync(audit, cancellationToken).ConfigureAwait(false);
        return values;
    }
}
