using System.Text.Json;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The hand-written floor of one store: the same rows, keyed hashes, AES-GCM seals and audit row the vault
/// writes, with no abstraction. <see cref="VaultBenchmarks"/> runs every operation beside it, per store.
/// </summary>
public interface IFloor : IDisposable
{
    Guid Create(JsonElement profile, string email);

    void CreateMany(IReadOnlyList<(JsonElement Profile, string Email)> people);

    JsonElement? GetByToken(Guid token);

    JsonElement? GetByEmail(string email);

    bool Update(Guid token, JsonElement patch);

    void Forget(Guid token);

    string Tokenize(string value);

    string TokenizeDeterministic(string value);

    string TokenizeCard(string value);

    string? Detokenize(string token);
}
