using System.Buffers.Binary;
using Databunker.Core.Keys;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// Defect 14 of the second security review: the tokenization key served HMAC and AES-GCM and no system key
/// could be renewed. Token values now have a versioned sealing key of their own, and the blind index can
/// be re-keyed from the decrypted profiles.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class KeyRenewalTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task RenewTokenSealingKey_ResealsEveryValue_AndTokensKeepWorking()
    {
        await using var host = await VaultHost.StartAsync(store: _store, configure: o => o.RotationBatchSize = 7);
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var owner = await host.Vault.CreatePersonAsync(Json(new { email = "owner@example.com" }));
        var values = Enumerable.Range(0, 20).Select(i => $"IBAN-{i:D4}").ToList();
        var random = await tokenizer.TokenizeManyAsync(values);
        var deterministic = await tokenizer.TokenizeManyAsync(values, new TokenizeOptions { Kind = TokenKind.Deterministic, Scope = "iban" });
        var owned = await tokenizer.TokenizeAsync("owned value", new TokenizeOptions { Person = owner });
        KeyIds(host).Should().OnlyContain(id => id == 17 || id == 2, "unowned values under token-seal@1, owned ones under their owner's key");

        var reports = new List<KeyRotationProgress>();
        var result = await host.Administration.RenewTokenSealingKeyAsync(new Recorder(reports));

        result.Should().Be(new KeyRotationProgress(40, 0, "token-seal@2"));
        reports.Should().HaveCount(6, "one report per batch of 7 of the 41 rows");
        KeyIds(host).Should().OnlyContain(id => id == 18 || id == 2, "every unowned value moved to token-seal@2; the tokenization key seals nothing");
        (await tokenizer.DetokenizeManyAsync(random)).Should().Equal(values);
        (await tokenizer.DetokenizeManyAsync(deterministic)).Should().Equal(values);
        (await tokenizer.TokenizeManyAsync(values, new TokenizeOptions { Kind = TokenKind.Deterministic, Scope = "iban" })).Should().Equal(deterministic, "deterministic tokens stay the same");
        (await tokenizer.DetokenizeAsync(owned)).Should().Be("owned value");
        var later = await tokenizer.TokenizeAsync("after renewal");
        KeyIds(host).Should().Contain(18).And.NotContain(17);

        await using var reopened = await VaultHost.StartAsync(store: _store, database: host.Database, masterKey: host.MasterKey);
        var again = reopened.Services.GetRequiredService<ITokenizer>();
        (await again.DetokenizeAsync(later)).Should().Be("after renewal");
        (await again.DetokenizeManyAsync(random)).Should().Equal(values);
    }

    [Test]
    public async Task RekeyBlindIndex_RecomputesEveryIndex_WhileLookupsAndUniquenessHold()
    {
        var database = _store.NewDatabase();
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using var host = await VaultHost.StartAsync(store: _store, database: database, masterKey: key, configure: o => o.RotationBatchSize = 7);
        var tokens = await host.Vault.CreatePersonsAsync(Enumerable.Range(0, 30).Select(Person));
        var oldHashes = host.Scalar<long>("SELECT COUNT(*) FROM user_indexes");
        var reports = new List<KeyRotationProgress>();
        var duringRekey = new List<Exception?>();
        Guid? createdDuring = null;

        var result = await host.Administration.RekeyBlindIndexAsync(new Recorder(reports, report =>
        {
            if (report.Rewrapped != 14)
            {
                return;
            }

            // Mid-way: a person not re-keyed yet is found, a duplicate of one is refused, a new person is indexed.
            host.Vault.GetPersonAsync(PersonLookup.ByEmail(Email(29))).GetAwaiter().GetResult()!.Token.Should().Be(tokens[29]);
            host.Vault.GetPersonAsync(PersonLookup.ByEmail(Email(0))).GetAwaiter().GetResult()!.Token.Should().Be(tokens[0]);
            duringRekey.Add(Record(() => host.Vault.CreatePersonAsync(Json(new { email = Email(29) })).GetAwaiter().GetResult()));
            duringRekey.Add(Record(() => host.Vault.CreatePersonAsync(Json(new { email = Email(1) })).GetAwaiter().GetResult()));
            createdDuring = host.Vault.CreatePersonAsync(Json(new { email = "during@example.com" })).GetAwaiter().GetResult();
        }));

        result.Remaining.Should().Be(0);
        result.TargetKeyVersion.Should().Be("blind-index@2");
        result.Rewrapped.Should().BeGreaterThanOrEqualTo(30);
        duringRekey.Should().AllBeOfType<DuplicateIndexException>("uniqueness holds across both versions");
        host.Scalar<long>("SELECT COUNT(*) FROM user_indexes WHERE key_version <> 2").Should().Be(0);
        host.Scalar<long>("SELECT COUNT(*) FROM user_indexes").Should().Be(oldHashes + 1, "one entry per index again, the new person's included");
        host.Scalar<long>("SELECT COUNT(*) FROM system_keys WHERE name = 'blind-index@2'").Should().Be(1);

        await using var reopened = await VaultHost.StartAsync(store: _store, database: database, masterKey: key);
        for (var i = 0; i < 30; i++)
        {
            (await reopened.Vault.GetPersonAsync(PersonLookup.ByEmail(Email(i))))!.Token.Should().Be(tokens[i]);
        }

        (await reopened.Vault.GetPersonAsync(PersonLookup.ByEmail("during@example.com")))!.Token.Should().Be(createdDuring!.Value);
        var duplicate = () => reopened.Vault.CreatePersonAsync(Json(new { email = Email(3) }));
        await duplicate.Should().ThrowAsync<DuplicateIndexException>();
    }

    [Test]
    public async Task KeyRotation_WithAProviderThatRenamesItsVersion_Ends()
    {
        var database = _store.NewDatabase();
        var v1 = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using (var first = await VaultHost.StartAsync(database: database, masterKey: v1, store: _store))
        {
            await first.Vault.CreatePersonsAsync(Enumerable.Range(0, 7).Select(Person));
        }

        // A KMS that advertises an alias and wraps under the key's full name.
        await using var host = await VaultHost.StartAsync(database: database, store: _store, keys: b => b.UseMasterKey(v1).UseKeyProvider<AliasedProvider>());
        var result = await host.Administration.RewrapKeysAsync().WaitAsync(TimeSpan.FromMinutes(1));

        result.TargetKeyVersion.Should().Be("arn:key/1");
        result.Remaining.Should().Be(0);
        result.Rewrapped.Should().Be(7 + 5, "each key visited once");
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("person00003@mail-3.example"))).Should().NotBeNull();
    }

    private static string Email(int i) => Person(i).GetProperty("email").GetString()!;

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>The key id in the header of every stored token value (byte 0 is the format, bytes 1 to 4 the key id).</summary>
    private static List<uint> KeyIds(VaultHost host)
    {
        var ids = new List<uint>();
        var count = host.Scalar<long>("SELECT COUNT(*) FROM tokens");
        for (var i = 0; i < count; i++)
        {
            var value = host.Scalar<byte[]>($"SELECT value FROM tokens ORDER BY token_hash LIMIT 1 OFFSET {i}")!;
            ids.Add(BinaryPrimitives.ReadUInt32BigEndian(value.AsSpan(1)));
        }

        return ids;
    }

    private sealed class Recorder(List<KeyRotationProgress> reports, Action<KeyRotationProgress>? each = null) : IProgress<KeyRotationProgress>
    {
        public void Report(KeyRotationProgress value)
        {
            reports.Add(value);
            each?.Invoke(value);
        }
    }

    /// <summary>Wraps with the master key, but names the version "arn:key/1" while it advertises "alias".</summary>
    private sealed class AliasedProvider(Microsoft.Extensions.Options.IOptions<Databunker.Core.Keys.MasterKeyOptions> options) : Databunker.Core.Keys.IKeyProvider
    {
        private readonly Databunker.Core.Keys.IKeyProvider _inner = new Databunker.Core.Kernel.Crypto.MasterKeyProvider(options);

        public string CurrentKeyVersion => "alias";

        public async ValueTask<Databunker.Core.Keys.WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context, CancellationToken cancellationToken) =>
            (await _inner.WrapKeyAsync(key, context, cancellationToken)) with { KeyVersion = "arn:key/1" };

        public ValueTask<byte[]> UnwrapKeyAsync(Databunker.Core.Keys.WrappedKey wrappedKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken) =>
            _inner.UnwrapKeyAsync(wrappedKey with { KeyVersion = "1" }, context, cancellationToken);
    }
}
