using System.Text;
using System.Text.Json;

namespace Databunker.Core.Tokenization;

/// <summary>The tokens module's export section: the values of the live tokens a person owns.</summary>
internal sealed partial class Tokenizer
{
    private const int ExportPageSize = 500;

    /// <summary>Writes <c>[{ "value", "deterministic", "scope", "expiresAt" }]</c> (no scope for tokens made before scopes were kept) for the person's live tokens, page by page.</summary>
    internal async Task WriteExportAsync(Utf8JsonWriter writer, ExportContext context, CancellationToken cancellationToken)
    {
        writer.WriteStartArray();
        for (byte[]? after = null; ;)
        {
            var page = await store.GetPersonTokensAsync(context.Person, after, ExportPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var token in page.Where(t => t.ExpiresAt is not { } e || e > context.Now))
            {
                var value = Envelope.ReadKeyId(token.Value) switch
                {
                    OwnerKeyId => Envelope.Open(context.DataKey, token.Value, AssociatedData.ForToken(AssociatedData.TokenValue, token.TokenHash, context.Person, token.ExpiresAt, token.Scope), "token value"),
                    LegacyKeyId when token.Scope is null => Envelope.Open(context.Keys.Tokenization, token.Value, AssociatedData.For(AssociatedData.TokenValue, token.TokenHash), "token value"),
                    _ => throw new VaultCryptoException("A stored token value failed its integrity check: its owner or key was altered."),
                };
                writer.WriteStartObject();
                writer.WriteString("value", Encoding.UTF8.GetString(value));
                Array.Clear(value);
                writer.WriteBoolean("deterministic", token.DeterministicHash is not null);
                if (token.Scope is { } scope)
                {
                    writer.WriteString("scope", scope);
                }

                ExportContext.WriteTime(writer, "expiresAt", token.ExpiresAt);
                writer.WriteEndObject();
            }

            await ExportContext.MaybeFlushAsync(writer, cancellationToken).ConfigureAwait(false);
            if (page.Count < ExportPageSize)
            {
                break;
            }

            after = page[^1].TokenHash;
        }

        writer.WriteEndArray();
    }
}
