using Databunker.Core.AppData;
using Databunker.Core.Expiration;
using Databunker.Core.Requests;
using Databunker.Core.Tests.Requests;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Administration;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class DueWorkTests(string store)
{
    [Test]
    public async Task RunDueWorkAsync_EveryModuleDoesWhatIsDue()
    {
        await using var host = await VaultHost.StartAsync(
            o =>
            {
                o.AppData.Register("cart", retention: TimeSpan.FromDays(1));
                o.Requests.VerificationWindow = TimeSpan.FromDays(1);
            },
            store: TestStore.Named(store),
            services: new RequestHooks().Register);
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var appData = host.Services.GetRequiredService<IAppDataManager>();
        var due = await host.Vault.CreatePersonAsync(Json(new { email = "due@example.com" }));
        var kept = await host.Vault.CreatePersonAsync(Json(new { email = "kept@example.com" }));
        await host.Expirations.StartAsync(PersonLookup.ByToken(due), ExpirationTime.FromDelay(TimeSpan.FromDays(1)));
        await host.Expirations.StartAsync(PersonLookup.ByToken(kept), ExpirationTime.FromDelay(TimeSpan.FromDays(10)));
        var shortLived = await tokenizer.TokenizeAsync("4111 1111 1111 1111", new TokenizeOptions { Expires = ExpirationTime.FromDelay(TimeSpan.FromHours(1)) });
        var lasting = await tokenizer.TokenizeAsync("4111 1111 1111 1112");
        await appData.PutAsync(kept, "cart", Json(new { items = 1 }));
        await host.Services.GetRequiredService<Databunker.Core.Sessions.ISessionManager>().CreateAsync(Json(new { step = 1 }));
        await host.Services.GetRequiredService<Databunker.Core.Shares.IShareLinkManager>().CreateAsync(
            kept, new Databunker.Core.Shares.ShareRequest { Recipient = "R", Fields = ["/email"], Lifetime = TimeSpan.FromDays(1) });
        await host.Services.GetRequiredService<IPrivacyRequestManager>().SubmitAsync(new PrivacyRequestSubmission { Person = kept, Type = PrivacyRequestType.Access });

        var early = await host.Administration.RunDueWorkAsync();
        host.Time.Advance(TimeSpan.FromDays(2));
        var done = await host.Administration.RunDueWorkAsync();

        early.Should().BeEquivalentTo(new Dictionary<string, int> { ["expiration"] = 0, ["tokens"] = 0, ["appdata"] = 0, ["sessions"] = 0, ["shares"] = 0, ["consent"] = 0, ["requests"] = 0 });
        done.Should().BeEquivalentTo(new Dictionary<string, int> { ["expiration"] = 1, ["tokens"] = 1, ["appdata"] = 1, ["sessions"] = 1, ["shares"] = 1, ["consent"] = 0, ["requests"] = 1 });
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(due))).Should().BeNull();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(kept))).Should().NotBeNull();
        (await tokenizer.DetokenizeAsync(lasting)).Should().Be("4111 1111 1111 1112");
        (await tokenizer.DetokenizeAsync(shortLived)).Should().BeNull();
        (await appData.GetAsync(kept, "cart")).Should().BeNull();
    }
}
