using System.Collections.Concurrent;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// Defect 1 of the second security review: disposing the service provider zeroed the keys under calls in
/// flight, so values were sealed under 32 zero bytes and index hashes computed under a public key.
/// </summary>
[Category(TestCategories.Slow)]
public sealed class ShutdownTests
{
    private const int Trials = 30;
    private const int Writers = 6;

    [Test]
    public async Task Dispose_WhileWritersRun_SealsNothingUnderAZeroKey_AndRefusesLaterCalls()
    {
        var totalUsers = 0;
        var totalTokens = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var host = await VaultHost.StartAsync();
            var vault = host.Vault;
            var tokenizer = host.Services.GetRequiredService<ITokenizer>();
            var users = new ConcurrentDictionary<Guid, string>();
            var tokens = new ConcurrentDictionary<string, string>();
            var unexpected = new ConcurrentBag<Exception>();
            var started = 0;
            var enoughWork = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    var email = $"t{trial}-w{w}-{i}@example.com";
                    try
                    {
                        var token = await vault.CreatePersonAsync(Json(new { email, name = $"N{i}" }));
                        users[token] = email;
                        var value = $"IBAN-{trial}-{w}-{i}";
                        tokens[await tokenizer.TokenizeAsync(value, new TokenizeOptions { Person = token })] = value;
                        tokens[await tokenizer.TokenizeAsync(value + "-free")] = value + "-free";
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    catch (Exception ex)
                    {
                        unexpected.Add(ex);
                        return;
                    }

                    if (Interlocked.Increment(ref started) == Writers * 3)
                    {
                        enoughWork.TrySetResult();
                    }
                }
            })).ToList();

            await enoughWork.Task;
            await host.DisposeAsync();
            await Task.WhenAll(writers);

            unexpected.Should().BeEmpty("after dispose every call fails with ObjectDisposedException, and nothing else fails");
            var afterDispose = () => vault.GetPersonAsync(PersonLookup.ByEmail("nobody@example.com"));
            await afterDispose.Should().ThrowAsync<ObjectDisposedException>();
            var tokenizeAfter = () => tokenizer.TokenizeAsync("late");
            await tokenizeAfter.Should().ThrowAsync<ObjectDisposedException>();

            // Reopen the same file with the same key and read back every row that exists.
            await using var reopened = await VaultHost.StartAsync(database: host.Database, masterKey: host.MasterKey);
            var stored = reopened.Scalar<long>("SELECT COUNT(*) FROM users");
            stored.Should().Be(users.Count, "every committed create returned its token");
            foreach (var (token, email) in users)
            {
                (await reopened.Vault.GetPersonAsync(PersonLookup.ByToken(token)))!.Profile.GetProperty("email").GetString().Should().Be(email);
                (await reopened.Vault.GetPersonAsync(PersonLookup.ByEmail(email)))!.Token.Should().Be(token, "the index hash was made under the real key");
            }

            reopened.Scalar<long>("SELECT COUNT(*) FROM tokens").Should().Be(tokens.Count);
            var reopenedTokenizer = reopened.Services.GetRequiredService<ITokenizer>();
            foreach (var chunk in tokens.Chunk(5_000))
            {
                (await reopenedTokenizer.DetokenizeManyAsync(chunk.Select(t => t.Key))).Should().Equal(chunk.Select(t => t.Value), "every value was sealed under a real key");
            }
            totalUsers += users.Count;
            totalTokens += tokens.Count;
        }

        TestContext.Out.WriteLine($"{Trials} trials: {totalUsers} persons and {totalTokens} tokens read back after racing dispose");
    }

    [Test]
    public void Envelope_And_BlindIndex_RefuseAnAllZeroKey()
    {
        var zero = new byte[32];
        var seal = () => Kernel.Crypto.Envelope.Seal(zero, 1, "x"u8, "ad"u8);
        var hash = () => Kernel.Crypto.BlindIndex.Compute(zero, "email", "a@example.com");
        var fields = () => Kernel.Crypto.BlindIndex.ComputeFields(zero, "token", "a", "b");

        seal.Should().Throw<VaultCryptoException>();
        hash.Should().Throw<VaultCryptoException>();
        fields.Should().Throw<VaultCryptoException>();
    }
}
