using System.Text;
using Databunker.Core.AppData;
using Databunker.Core.Expiration;
using Databunker.Core.Sessions;
using Databunker.Core.Shares;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

/// <summary>Forgetting a person who has something in every module leaves no row and no readable byte of theirs.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class ForgetEverythingTests(string store)
{
    private static readonly string[] Secrets =
        ["forget.me@example.com", "Fergus Gettmé", "14 Oblivion Row", "size-XXL-secret", "dark-theme-secret", "basket-of-secrets", "Laptop of Fergus", "Acme Insurance", "4921 8170 0412 3456", "NID-424242-Q"];

    [Test]
    public async Task Forget_APersonInEveryModule_LeavesNoRowAndNoReadableByte()
    {
        var testStore = TestStore.Named(store);
        await using var host = await VaultHost.StartAsync(o => o.AppData.Register("shop").Register("blog"), store: testStore);
        var person = await host.Vault.CreatePersonAsync(Json(new { email = Secrets[0], name = Secrets[1], address = Secrets[2] }));
        var bystander = await host.Vault.CreatePersonAsync(Json(new { email = "stays@example.com" }));
        var appData = host.Services.GetRequiredService<IAppDataManager>();
        await appData.PutAsync(person, "shop", Json(new { size = Secrets[3] }));
        await appData.PutAsync(person, "blog", Json(new { theme = Secrets[4] }));
        await appData.PutAsync(bystander, "shop", Json(new { size = "S" }));
        var sessions = host.Services.GetRequiredService<ISessionManager>();
        var sessionIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sessionIds.Add((await sessions.CreateAsync(Json(new { cart = Secrets[5] }), new SessionCreateOptions { Person = person, Label = Secrets[6] })).SessionId);
        }

        var anonymous = await sessions.CreateAsync(Json(new { cart = 1 }));
        var shares = host.Services.GetRequiredService<IShareLinkManager>();
        var links = new[]
        {
            await shares.CreateAsync(person, new ShareRequest { Recipient = Secrets[7], Fields = ["/email"] }),
            await shares.CreateAsync(person, new ShareRequest { Recipient = Secrets[7], App = "shop", Fields = ["/size"] }),
        };
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var card = await tokenizer.TokenizeAsync(Secrets[8], new TokenizeOptions { Person = person, Format = TokenFormat.CardNumber });
        var nationalId = await tokenizer.TokenizeAsync(Secrets[9], new TokenizeOptions { Person = person, Kind = TokenKind.Deterministic });
        await host.Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30)));
        var id = person.ToByteArray();
        var wrappedKey = host.Scalar<byte[]>("SELECT wrapped FROM data_keys WHERE owner = @id", new { id })!;
        var sealedDocument = host.Scalar<byte[]>("SELECT data FROM app_data WHERE owner = @id AND app = 'shop'", new { id })!;

        (await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person))).Should().BeTrue();
        if (testStore.Name == TestStore.SqliteName)
        {
            (await host.Administration.CompactAsync()).Should().BeTrue("compaction drops the write-ahead log's old page images");
        }

        foreach (var (table, column) in new[]
                 {
                     ("users", "token"), ("data_keys", "owner"), ("user_indexes", "token"), ("tokens", "owner"), ("expirations", "token"),
                     ("app_data", "owner"), ("sessions", "owner"), ("share_links", "owner"),
                 })
        {
            host.Scalar<long>($"SELECT COUNT(*) FROM {table} WHERE {column} = @id", new { id }).Should().Be(0, $"{table} keeps no row of the forgotten person");
        }

        host.Scalar<long>("SELECT COUNT(*) FROM app_data").Should().Be(1, "the bystander's document stays");
        host.Scalar<long>("SELECT COUNT(*) FROM sessions").Should().Be(1, "the anonymous session stays");
        host.Holds(wrappedKey).Should().BeFalse("the person's wrapped data key is gone from the files");
        host.Holds(sealedDocument).Should().BeFalse("the sealed document is gone from the files");
        foreach (var secret in Secrets.Concat(sessionIds).Concat(links.Select(l => l.Token)))
        {
            host.Holds(Encoding.UTF8.GetBytes(secret)).Should().BeFalse($"'{secret}' is in no file");
        }

        foreach (var sessionId in sessionIds)
        {
            (await sessions.GetAsync(sessionId)).Should().BeNull();
        }

        (await sessions.GetAsync(anonymous.SessionId)).Should().NotBeNull();
        foreach (var link in links)
        {
            (await shares.RedeemAsync(link.Token)).Status.Should().Be(ShareLinkStatus.Unknown);
        }

        (await tokenizer.DetokenizeAsync(card)).Should().BeNull();
        (await tokenizer.DetokenizeAsync(nationalId)).Should().BeNull();
        await FluentActions.Awaiting(() => appData.GetAsync(person, "shop")).Should().ThrowAsync<PersonNotFoundException>();
        (await appData.GetAsync(bystander, "shop")).Should().NotBeNull();
    }
}
