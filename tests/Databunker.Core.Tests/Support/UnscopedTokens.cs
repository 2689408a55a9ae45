using System.Text;
using Databunker.Core.Kernel;
using Databunker.Core.Kernel.Crypto;
using Databunker.Core.Storage;
using Databunker.Core.Tokenization;
using Databunker.Core.Tokenization.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Support;

/// <summary>
/// Tokens as the vault stored them before tokens kept their scope (schema 18 and older): no scope in the value's
/// associated data and none in the row, sealed in one of the ways the versions before used.
/// </summary>
public static class UnscopedTokens
{
    /// <summary>How an older version sealed a token's value.</summary>
    public enum Sealing
    {
        /// <summary>Under the token-sealing key (envelope key id 16 + version), or the owner's data key when there is an owner.</summary>
        Current,

        /// <summary>The first versions: under the tokenization key, the token hash alone as associated data (key id 1).</summary>
        Legacy,

        /// <summary>Before the sealing key had versions: under the tokenization key, hash and expiry as associated data (key id 3).</summary>
        System,
    }

    /// <summary>Stores a token for <paramref name="value"/> the old way and returns it; deterministic ones in the scope "default", opaque.</summary>
    public static async Task<string> AddAsync(IServiceProvider services, string value, Guid? owner = null, Sealing sealing = Sealing.Current, bool deterministic = false)
    {
        var token = $"unscoped-{Guid.NewGuid():N}";
        using var lease = await services.GetRequiredService<VaultOpener>().EnterAsync(CancellationToken.None);
        var tokenization = lease.Keys.Tokenization;
        var hash = BlindIndex.Compute(tokenization, "token", token); // the tokenizer's name for token hashes
        var (key, keyId) = (sealing, owner) switch
        {
            (Sealing.Legacy, _) => (tokenization, Tokenizer.LegacyKeyId),
            (Sealing.System, _) => (tokenization, Tokenizer.SystemKeyId),
            (_, { } person) => ((await services.GetRequiredService<PersonDirectory>().OpenDataKeyAsync(person, CancellationToken.None))!, Tokenizer.OwnerKeyId),
            _ => (lease.Keys.TokenSeal, Tokenizer.SealKeyIdBase + (uint)lease.Keys.TokenSealVersion),
        };
        var context = sealing == Sealing.Legacy
            ? AssociatedData.For(AssociatedData.TokenValue, hash)
            : AssociatedData.ForToken(AssociatedData.TokenValue, hash, owner, null);
        var sealedValue = Envelope.Seal(key, keyId, Encoding.UTF8.GetBytes(value), context);

        // A deterministic token's hash covers scope, format, last four, owner and value (the tokenizer's field order).
        byte[]? deterministicHash = null, sealedToken = null;
        if (deterministic)
        {
            deterministicHash = BlindIndex.ComputeFields(tokenization, "token-deterministic", ["default", nameof(TokenFormat.Opaque), "0", owner?.ToString("N") ?? string.Empty, value]);
            sealedToken = Envelope.Seal(key, keyId, Encoding.UTF8.GetBytes(token), AssociatedData.For(AssociatedData.SealedToken, deterministicHash));
        }

        var created = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
#pragma warning disable DBNK001 // the storage role, as the tokenizer before scopes called it
        var outcome = await services.GetRequiredService<ITokenStore>().AddTokensAsync(
            [new NewToken(hash, sealedValue, deterministicHash, sealedToken, owner, null, created)],
            [new AuditRecord(0, created, "test", AuditOperations.TokenTokenize, owner, AuditOutcomes.Success, null)],
            created,
            CancellationToken.None);
#pragma warning restore DBNK001
        outcome.Single().Should().Be(TokenAddOutcome.Added);
        return token;
    }
}
