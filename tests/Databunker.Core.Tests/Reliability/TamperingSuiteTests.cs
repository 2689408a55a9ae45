using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

/// <summary>
/// For every kind of stored secret, every flipped byte, every truncation and a swap with another row's
/// secret fail with <see cref="VaultCryptoException"/> (for the system keys: a refusal to start whose
/// cause is one), never with garbage data.
/// </summary>
[NonParallelizable]
public sealed class TamperingSuiteTests
{
    private static int _variants;

    public static IEnumerable<TestCaseData> Secrets()
    {
        yield return new TestCaseData("users", "profile", "token", "profile").SetName("Profile");
        yield return new TestCaseData("data_keys", "wrapped", "owner", "profile").SetName("WrappedDataKey");
        yield return new TestCaseData("audit_events", "details", "subject", "audit").SetName("AuditDetails");
        yield return new TestCaseData("tokens", "value", "owner", "detokenize").SetName("TokenValue");
        yield return new TestCaseData("tokens", "sealed_token", "owner", "deterministic").SetName("SealedDeterministicToken");
    }

    [TestCaseSource(nameof(Secrets))]
    public async Task EveryFlipTruncationAndSwap_FailsWithCryptoException(string table, string column, string owner, string read)
    {
        await using var host = await VaultHost.StartAsync(o => o.AuditReads = false);
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var alice = await host.Vault.CreatePersonAsync(Json(new { email = "alice@example.com", secret = "alice-secret" }));
        var bob = await host.Vault.CreatePersonAsync(Json(new { email = "bob@example.com", secret = "bob-secret" }));
        var deterministic = new TokenizeOptions { Kind = TokenKind.Deterministic };
        await tokenizer.TokenizeAsync("4921 8170 0412 1111", deterministic with { Person = alice });
        var bobToken = await tokenizer.TokenizeAsync("4921 8170 0412 2222", deterministic with { Person = bob });
        Func<Task> readBob = read switch
        {
            "profile" => () => host.Vault.GetPersonAsync(PersonLookup.ByToken(bob)),
            "audit" => () => host.Vault.GetAuditEventsAsync(bob),
            "detokenize" => () => tokenizer.DetokenizeAsync(bobToken),
            _ => () => tokenizer.TokenizeAsync("4921 8170 0412 2222", deterministic with { Person = bob }),
        };
        var where = $"{owner} = @o AND {column} IS NOT NULL";
        var original = Scalar<byte[]>(host.Database, $"SELECT {column} FROM {table} WHERE {where} LIMIT 1", new { o = bob.ToByteArray() })!;
        var others = Scalar<byte[]>(host.Database, $"SELECT {column} FROM {table} WHERE {where} LIMIT 1", new { o = alice.ToByteArray() })!;
        await readBob();

        var variants = new List<byte[]> { others };
        for (var i = 0; i < original.Length; i++)
        {
            var flipped = (byte[])original.Clone();
            flipped[i] ^= (byte)(1 << (i % 8));
            variants.Add(flipped);
            variants.Add(original[..i]);
        }

        foreach (var variant in variants)
        {
            Sql(host.Database, $"UPDATE {table} SET {column} = @v WHERE {where}", new { v = variant, o = bob.ToByteArray() });
            await readBob.Should().ThrowAsync<VaultCryptoException>();
            Interlocked.Increment(ref _variants);
        }

        Sql(host.Database, $"UPDATE {table} SET {column} = @v WHERE {where}", new { v = original, o = bob.ToByteArray() });
        await readBob.Should().NotThrowAsync("the restored secret opens again, so the failures were the tampering's");
        TestContext.Out.WriteLine($"tampering suite: {variants.Count} tampered {table}.{column} values tried, {_variants} in all so far");
    }

    [Test]
    public async Task SystemKeys_EveryFlipTruncationAndSwap_RefuseToStartWithCryptoCause()
    {
        var path = VaultHost.NewDatabasePath();
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using (await VaultHost.StartAsync(database: path, masterKey: key))
        {
        }

        var original = Scalar<byte[]>(path, "SELECT wrapped FROM system_keys WHERE name = 'tokenization'")!;
        var other = Scalar<byte[]>(path, "SELECT wrapped FROM system_keys WHERE name = 'blind-index'")!;
        var variants = new List<byte[]> { other };
        for (var i = 0; i < original.Length; i += 3)
        {
            var flipped = (byte[])original.Clone();
            flipped[i] ^= 0x40;
            variants.Add(flipped);
            variants.Add(original[..i]);
        }

        foreach (var variant in variants)
        {
            Sql(path, "UPDATE system_keys SET wrapped = @v WHERE name = 'tokenization'", new { v = variant });
            var start = () => VaultHost.StartAsync(database: path, masterKey: key);
            (await start.Should().ThrowAsync<VaultConfigurationException>()).WithInnerException<VaultCryptoException>();
            Interlocked.Increment(ref _variants);
        }

        Sql(path, "UPDATE system_keys SET wrapped = @v WHERE name = 'tokenization'", new { v = original });
        await using var restored = await VaultHost.StartAsync(database: path, masterKey: key);
        TestContext.Out.WriteLine($"tampering suite: {variants.Count} tampered system keys tried");
    }
}
