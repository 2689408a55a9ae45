using System.Text;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

/// <summary>Whoever copies the database files, or reads the logs, learns no personal data.</summary>
public sealed class LeakageTests
{
    [Test]
    public async Task ThousandPersons_DatabaseWalLogsAndErrors_HoldNoPlaintext()
    {
        const int count = 1000;
        await using var host = await VaultHost.StartAsync();
        var vault = host.Vault;
        var errors = new List<string>();

        var tokens = await vault.CreateUsersAsync(Enumerable.Range(0, count / 2).Select(Person));
        for (var i = count / 2; i < count; i++)
        {
            await vault.CreateUserAsync(Person(i));
        }

        for (var i = 0; i < count; i += 10)
        {
            await vault.GetUserAsync(UserLookup.ByEmail($"person{i:D5}@mail-{i % 7}.example"));
            await vault.UpdateUserAsync(UserLookup.ByLogin($"login-{i:D5}-zq"), Json(new { note = $"Given{i:D5} Family" }));
            await Capture(errors, () => vault.CreateUserAsync(Person(i)));
            await Capture(errors, () => vault.UpdateUserAsync(UserLookup.ByToken(tokens[1]), Json(new { email = $"person{i:D5}@mail-{i % 7}.example" })));
            await Capture(errors, () => vault.CreateUserAsync(Json(new { email = $"Given{i:D5} Family" })));
            await Capture(errors, () => vault.CreateUserAsync(Json(new { phone = $"Given{i:D5} Family" })));
        }

        var tokenizer = host.Services.GetRequiredService<Databunker.Core.Tokenization.ITokenizer>();
        var tokenized = await tokenizer.TokenizeManyAsync(Enumerable.Range(0, count).Select(NationalId));
        (await tokenizer.DetokenizeManyAsync(tokenized)).Should().Equal(Enumerable.Range(0, count).Select(NationalId));
        await Capture(errors, () => tokenizer.TokenizeAsync(NationalId(7), new Databunker.Core.Tokenization.TokenizeOptions { Format = Databunker.Core.Tokenization.TokenFormat.CardNumber }));
        await vault.DeleteUserAsync(UserLookup.ByToken(tokens[3]));
        await host.Expirations.StartAsync(UserLookup.ByToken(tokens[4]), TimeSpan.FromHours(1));

        var files = new[] { host.Database, host.Database + "-wal" }.Where(File.Exists).ToList();
        files.Should().HaveCount(2, "the WAL holds the recent writes and must be checked too");
        var bytes = files.Select(File.ReadAllBytes).ToList();
        var text = string.Join("\n", host.Logs.Lines) + "\n" + string.Join("\n", errors);
        errors.Should().HaveCount(4 * (count / 10) + 1);
        host.Logs.Lines.Should().NotBeEmpty();

        for (var i = 0; i < count; i++)
        {
            foreach (var secret in SecretsOf(i))
            {
                var utf8 = Encoding.UTF8.GetBytes(secret);
                var utf16 = Encoding.Unicode.GetBytes(secret);
                foreach (var file in bytes)
                {
                    file.AsSpan().IndexOf(utf8).Should().Be(-1, $"person {i}'s value is not on disk in UTF-8");
                    file.AsSpan().IndexOf(utf16).Should().Be(-1, $"person {i}'s value is not on disk in UTF-16");
                }

                text.Contains(secret, StringComparison.OrdinalIgnoreCase).Should().BeFalse($"person {i}'s value is in no log line or error");
            }
        }
    }

    private static async Task Capture(List<string> errors, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            errors.Add(ex.ToString());
        }
    }
}
