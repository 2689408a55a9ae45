using System.Text;
using Databunker.Core.Kernel;
using Databunker.Core.Kernel.Crypto;
using Databunker.Core.Storage;
using Databunker.Core.Tokenization;
using Databunker.Core.Tokenization.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Support;

/// <summary>
/// Tokens as the vault stored them before tokens kept their scope (schema 18 and older): the value sealed under the
/// token-sealing key, or its owner's data key, with no scope in its associated data, and no scope in its row.
/// </summary>
public static class UnscopedTokens
{
    /// <summary>Stores a random token for <paramref name="value"/> the old way and returns it.</summary>
    public static async Task<string> AddAsync(IServiceProvider services, string value, Guid? owner = null)
    {
        var token = $"unscoped-{Guid.NewGuid():N}";
        using var lease = await services.GetRequiredService<VaultOpener>().EnterAsync(CancellationToken.None);
        var hash = BlindIndex.Compute(lease.Keys.Tokenization, "token", token); // the tokenizer's name for token hashes
        var (key, keyId) = owner is { } person
            ? ((await services.GetRequiredService<PersonDirectory>().OpenDataKeyAsync(person, CancellationToken.None))!, Tokenizer.OwnerKeyId)
            : (lease.Keys.TokenSeal, Tokenizer.SealKeyIdBase + (uint)lease.Keys.TokenSealVersion);
        var sealedValue = Envelope.Seal(key, keyId, Encoding.UTF8.GetBytes(value), AssociatedData.ForToken(AssociatedData.TokenValue, hash, owner, null));
        var created = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
#pragma warning disable DBNK001 // the storage role, as the tokenizer before scopes called it
        var outcome = await services.GetRequiredService<ITokenStore>().AddTokensAsync(
            [new NewToken(hash, sealedValue, null, null, owner, null, created)],
            [new AuditRecord(0, created, "test", AuditOperations.TokenTokenize, owner, AuditOutcomes.Success, null)],
            created,
            CancellationToken.None);
#pragma warning restore DBNK001
        outcome.Single().Should().Be(TokenAddOutcome.Added);
        return token;
    }
}
