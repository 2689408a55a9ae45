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
                o.Privacy.Activities.Add(new Databunker.Core.Privacy.ProcessingActivity
                {
                    Name = "support", Purpose = "Answering a support ticket", LegalBasis = Databunker.Core.Privacy.LegalBasis.Contract,
                    Fields = [new() { Path = "/ticket", Retention = TimeSpan.FromDays(1) }],
                });
            },
            store: TestStore.Named(store),
            services: new RequestHooks().Register);
        var tokenizer = host.Services.GetRequiredService<ITokenizer>();
        var appData = host.Services.GetRequiredService<IAppDataManager>();
        var due = await host.Vault.CreatePersonAsync(Json(new { email = "due@example.com" }));
        var kept = await host.Vault.CreatePersonAsync(Json(new { email = "kept@example.com", ticket = "T-1" }));
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

        early.Should().BeEquivalentTo(new Dictionary<string, int> { ["expiration"] = 0, ["tokens"] = 0, ["appdata"] = 0, ["sessions"] = 0, ["shares"] = 0, ["consent"] = 0, ["requests"] = 0, ["fields"] = 0 });
        done.Should().BeEquivalentTo(new Dictionary<string, int> { ["expiration"] = 1, ["tokens"] = 1, ["appdata"] = 1, ["sessions"] = 1, ["shares"] = 1, ["consent"] = 0, ["requests"] = 1, ["fields"] = 1 });
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(due))).Should().BeNull();
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(kept))).Should().NotBeNull();
        (await tokenizer.DetokenizeAsync(lasting)).Should().Be("4111 1111 1111 1112");
        (await tokenizer.DetokenizeAsync(shortLived)).Should().BeNull();
        (await appData.GetAsync(kept, "cart")).Should().BeNull();
    }

    [Test]
    public async Task GetRecentPassesAsync_ListsThisProcesssPasses_NewestFirst_WithWhatEachModuleDid()
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.Named(store));
        var due = await host.Vault.CreatePersonAsync(Json(new { email = "due@example.com" }));
        await host.Expirations.StartAsync(PersonLookup.ByToken(due), ExpirationTime.FromDelay(TimeSpan.FromDays(1)));

        (await host.Administration.GetRecentPassesAsync()).Should().BeEmpty();
        await host.Administration.RunDueWorkAsync();
        host.Time.Advance(TimeSpan.FromDays(2));
        await host.Administration.RunDueWorkAsync();
        var passes = await host.Administration.GetRecentPassesAsync();

        passes.Should().HaveCount(2);
        passes[0].StartedAt.Should().Be(host.Time.GetUtcNow(), "newest first");
        (passes[0].Succeeded, passes[0].Handled["expiration"], passes[1].Handled["expiration"]).Should().Be((true, 1, 0));
    }

    [Test]
    public async Task GetKeyStatusAsync_SaysWhichVersionsTheKeysAreUnder()
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.Named(store));
        await host.Vault.CreatePersonAsync(Json(new { email = "keys@example.com" }));

        var status = await host.Administration.GetKeyStatusAsync();

        status.DataKeysUnderOlderVersions.Should().Be(0);
        status.IndexEntriesUnderOlderVersions.Should().Be(0);
        status.CurrentKeyVersion.Should().NotBeNullOrEmpty();
        (status.BlindIndexVersion, status.TokenSealVersion).Should().Be((1, 1));
    }

    [Test]
    public async Task RecordAuditEventAsync_WritesTheHostsEvent_WithTheReasonSealedUnderThePersonsKey()
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.Named(store));
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "looked@example.com" }));

        using (AuditActor.Begin("dpo.anna"))
        {
            await host.Administration.RecordAuditEventAsync("console.lookup", person, "A complaint, ticket 4711");
            await host.Administration.RecordAuditEventAsync("console.requests");
        }

        var looked = (await host.Vault.GetAuditEventsAsync(person)).Single(e => e.Operation == "console.lookup");
        (looked.Actor, looked.Details).Should().Be(("dpo.anna", "{\"reason\":[\"A complaint, ticket 4711\"]}"));
        await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(person));
        (await host.Vault.GetAuditEventsAsync(person)).Single(e => e.Operation == "console.lookup").DetailsUnreadable.Should().BeTrue("a forget makes the reason unreadable");
        (await host.Administration.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [TestCase("person.forget", null, null, TestName = "RecordAuditEventAsync_RefusesTheVaultsOwnCodes")]
    [TestCase("Console.Lookup", null, null, TestName = "RecordAuditEventAsync_RefusesUpperCase")]
    [TestCase("lookup", null, null, TestName = "RecordAuditEventAsync_RefusesACodeWithoutAFamily")]
    [TestCase("console.lookup", null, "why", TestName = "RecordAuditEventAsync_RefusesAReasonWithoutAPerson")]
    [TestCase("console.lookup", "person", " ", TestName = "RecordAuditEventAsync_RefusesABlankReason")]
    public async Task RecordAuditEventAsync_Refuses(string operation, string? person, string? reason)
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.Named(store));
        var token = person is null ? (Guid?)null : await host.Vault.CreatePersonAsync(Json(new { email = "r@example.com" }));

        await FluentActions.Awaiting(() => host.Administration.RecordAuditEventAsync(operation, token, reason)).Should().ThrowAsync<VaultInputException>();
    }

    [Test]
    public async Task RecordAuditEventAsync_RefusesEveryFamilyOfTheVaultsOwnCodes()
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.Named(store));
        var families = typeof(AuditOperations).GetFields().Select(f => ((string)f.GetRawConstantValue()!).Split('.')[0]).Distinct().ToList();

        families.Should().NotBeEmpty();
        foreach (var family in families)
        {
            await FluentActions.Awaiting(() => host.Administration.RecordAuditEventAsync(family + ".host-event")).Should().ThrowAsync<VaultInputException>("{0}. is the vault's", family);
        }
    }

    [Test]
    public async Task RecordAuditEventAsync_ForAPersonTheVaultDoesNotHold_IsNotFound()
    {
        await using var host = await VaultHost.StartAsync(store: TestStore.Named(store));

        await FluentActions.Awaiting(() => host.Administration.RecordAuditEventAsync("console.lookup", Guid.NewGuid(), "why")).Should().ThrowAsync<PersonNotFoundException>();
    }

    [Test]
    public async Task GetBacklogByModuleAsync_SaysWhenEachModulesFirstItemFallsDue_AndHowLongItIsOverdue()
    {
        await using var host = await VaultHost.StartAsync(o => o.AppData.Register("cart", retention: TimeSpan.FromDays(3)), store: TestStore.Named(store));
        var start = host.Time.GetUtcNow();
        var person = await host.Vault.CreatePersonAsync(Json(new { email = "backlog@example.com" }));
        await host.Expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(10)));
        await host.Services.GetRequiredService<ITokenizer>().TokenizeAsync("4111 1111 1111 1111", new TokenizeOptions { Expires = ExpirationTime.FromDelay(TimeSpan.FromDays(1)) });
        await host.Services.GetRequiredService<IAppDataManager>().PutAsync(person, "cart", Json(new { items = 1 }));

        var before = (await host.Administration.GetBacklogByModuleAsync()).ToDictionary(m => m.Module);
        host.Time.Advance(TimeSpan.FromDays(2));
        var after = (await host.Administration.GetBacklogByModuleAsync()).ToDictionary(m => m.Module);

        before.Keys.Should().BeEquivalentTo(["appdata", "consent", "expiration", "requests", "sessions", "shares", "tokens"]);
        (before["tokens"].EarliestDue, before["tokens"].Overdue).Should().Be((start.AddDays(1), TimeSpan.Zero));
        before["appdata"].EarliestDue.Should().Be(start.AddDays(3));
        before["expiration"].EarliestDue.Should().Be(start.AddDays(10));
        (before["sessions"].EarliestDue, before["consent"].EarliestDue, before["shares"].EarliestDue).Should().Be(((DateTimeOffset?)null, (DateTimeOffset?)null, (DateTimeOffset?)null));
        after["tokens"].Overdue.Should().Be(TimeSpan.FromDays(1), "the token expired a day ago and no pass removed it");
        await host.Administration.RunDueWorkAsync();
        (await host.Administration.GetBacklogByModuleAsync()).Single(m => m.Module == "tokens").EarliestDue.Should().BeNull("the pass removed it");
    }
}
