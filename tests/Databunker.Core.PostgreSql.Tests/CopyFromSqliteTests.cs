using Databunker.Core.Consent;
using Databunker.Core.Expiration;
using Databunker.Core.Privacy;
using Databunker.Core.PostgreSql;
using Databunker.Core.Tests.Privacy;
using Databunker.Core.Tests.Support;
using Databunker.Core.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>The move up: a SQLite vault copied into PostgreSQL, byte for byte, opened with the same master key.</summary>
[TestFixture]
[Category(TestStore.PostgreSqlName)]
public sealed class CopyFromSqliteTests
{
    [Test]
    public void TheCopy_ReadsTheSchemaVersionThatDatabunkerCoreWrites() =>
        SqliteToPostgreSqlCopy.SqliteSchemaVersion.Should().Be(Databunker.Core.Sqlite.SqliteMigrator.LatestVersion, "the copy's column lists follow the SQLite schema");

    [Test]
    public async Task Copy_OfAThousandPersonsWithTokensAndExpirations_ReadsBackIdentically()
    {
        const int count = 1000;
        var sqlitePath = TestStore.Sqlite.NewDatabase();
        await using var source = await VaultHost.StartAsync(database: sqlitePath);
        var tokens = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(250))
        {
            tokens.AddRange(await source.Vault.CreatePersonsAsync(chunk.Select(Person)));
        }

        var tokenizer = source.Services.GetRequiredService<ITokenizer>();
        var nationalIds = await tokenizer.TokenizeManyAsync(Enumerable.Range(0, count).Select(NationalId));
        var cards = new List<string>();
        var tickets = new Dictionary<int, ExpirationTicket>();
        for (var i = 0; i < count; i++)
        {
            if (i % 10 == 0)
            {
                cards.Add(await tokenizer.TokenizeAsync($"4111 1111 1111 {i:D4}", new TokenizeOptions { Format = TokenFormat.CardNumber, Person = tokens[i] }));
            }

            if (i % 4 == 0)
            {
                tickets[i] = await source.Expirations.StartAsync(PersonLookup.ByToken(tokens[i]), TimeSpan.FromDays(30));
            }
        }

        await source.Vault.UpdatePersonAsync(PersonLookup.ByToken(tokens[1]), Parse("""{"email":"moved@example.com"}"""));
        await source.Expirations.RetainAsync(tickets[8].RetainToken);
        await source.Vault.ForgetPersonAsync(PersonLookup.ByToken(tokens[2]));
        var expected = new Dictionary<Guid, PersonRecord?>();
        foreach (var token in tokens)
        {
            expected[token] = await source.Vault.GetPersonAsync(PersonLookup.ByToken(token));
        }

        var auditOfFirst = await source.Vault.GetAuditEventsAsync(tokens[1]);
        var sourceRows = source.Scalar<long>("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM tokens) + (SELECT COUNT(*) FROM audit_events)");
        await source.DisposeAsync();

        var target = TestStore.PostgreSql.NewDatabase();
        var report = await SqliteToPostgreSqlCopy.CopyAsync($"Data Source={sqlitePath}", target);
        await using var moved = await VaultHost.StartAsync(database: target, masterKey: source.MasterKey, time: source.Time, store: TestStore.PostgreSql);

        report.RowsPerTable.Should().Contain(new KeyValuePair<string, long>("users", count - 1));
        report.RowsPerTable.Should().Contain(new KeyValuePair<string, long>("system_keys", 5));
        moved.Scalar<long>("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM tokens) + (SELECT COUNT(*) FROM audit_events)")
            .Should().Be(sourceRows, "every row arrives, and opening the copy writes no row");
        var tokenizerThere = moved.Services.GetRequiredService<ITokenizer>();
        for (var i = 0; i < count; i++)
        {
            var there = await moved.Vault.GetPersonAsync(PersonLookup.ByToken(tokens[i]));
            if (expected[tokens[i]] is not { } here)
            {
                there.Should().BeNull("the person forgotten before the copy stays forgotten");
                continue;
            }

            there!.Token.Should().Be(here.Token);
            SameJson(there.Profile, here.Profile).Should().BeTrue();
            there.CreatedAt.Should().Be(here.CreatedAt);
            there.UpdatedAt.Should().Be(here.UpdatedAt);
            var email = here.Profile.GetProperty("email").GetString()!;
            (await moved.Vault.GetPersonAsync(PersonLookup.ByEmail(email)))!.Token.Should().Be(tokens[i], "the blind indexes and their key came across");
        }

        (await tokenizerThere.DetokenizeManyAsync(nationalIds)).Should().Equal(Enumerable.Range(0, count).Select(NationalId));
        (await tokenizerThere.DetokenizeManyAsync(cards)).Should().Equal(Enumerable.Range(0, count).Where(i => i % 10 == 0).Select(i => $"4111 1111 1111 {i:D4}"));
        (await moved.Vault.GetAuditEventsAsync(tokens[1])).Select(e => (e.Operation, e.At, e.Outcome))
            .Should().StartWith(auditOfFirst.Select(e => (e.Operation, e.At, e.Outcome)));
        (await moved.Expirations.GetStatusAsync(PersonLookup.ByToken(tokens[8])))!.State.Should().Be(ExpirationState.Retained);
        (await moved.Expirations.GetStatusAsync(PersonLookup.ByToken(tokens[4])))!.DueAt.Should().Be(tickets[4].DueAt);
        (await moved.Expirations.RetainAsync(tickets[12].RetainToken)).Should().Be(ExpirationLinkResult.Retained, "expiration links mailed before the move still work");

        moved.Time.Advance(TimeSpan.FromDays(30));
        var pass = await moved.Expirations.RunDueAsync();
        pass.Deleted.Should().Be(tickets.Count - 2, "every waiting person but the two who chose to stay");
        (await moved.Vault.CreatePersonAsync(Json(new { login = "after-the-move" }))).Should().NotBeEmpty("new audit ids follow the copied ones");
    }

    [Test]
    public async Task Copy_OfAConsentLedger_VerifiesIntactAndTakesNewDecisions()
    {
        var sqlitePath = TestStore.Sqlite.NewDatabase();
        Guid person;
        byte[] key;
        await using (var source = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), database: sqlitePath))
        {
            await source.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
            person = await source.Vault.CreatePersonAsync(Json(new { email = "consent@example.com" }));
            var ledger = source.Services.GetRequiredService<IConsentLedger>();
            await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
            await ledger.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Withdrawn });
            key = source.MasterKey;
        }

        var target = TestStore.PostgreSql.NewDatabase();
        await SqliteToPostgreSqlCopy.CopyAsync($"Data Source={sqlitePath}", target);
        await using var moved = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), database: target, masterKey: key, store: TestStore.PostgreSql);

        var there = moved.Services.GetRequiredService<IConsentLedger>();
        (await there.VerifyAsync()).IsIntact.Should().BeTrue("links and sequence numbers are copied byte for byte");
        await there.RecordAsync(person, new ConsentRecord { Activity = "newsletter", Decision = ConsentDecision.Granted });
        (await there.GetHistoryAsync(person)).Select(e => e.Decision).Should().Equal(ConsentDecision.Granted, ConsentDecision.Withdrawn, ConsentDecision.Granted);
        (await there.VerifyAsync()).DecisionsChecked.Should().Be(3);
    }

    [Test]
    public async Task Copy_IntoASchemaThatHoldsAVault_IsRefusedAndChangesNothing()
    {
        var sqlitePath = TestStore.Sqlite.NewDatabase();
        await using (var source = await VaultHost.StartAsync(database: sqlitePath))
        {
            await source.Vault.CreatePersonAsync(Json(new { login = "one" }));
        }

        await using var existing = await VaultHost.StartAsync(store: TestStore.PostgreSql);
        await existing.Vault.CreatePersonAsync(Json(new { login = "already-here" }));

        var act = () => SqliteToPostgreSqlCopy.CopyAsync($"Data Source={sqlitePath}", existing.Database);

        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*already holds a vault*");
        existing.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(1);
    }

    [Test]
    public async Task Copy_OfAMissingFileOrANonVault_IsRefused()
    {
        var target = TestStore.PostgreSql.NewDatabase();
        var missing = () => SqliteToPostgreSqlCopy.CopyAsync($"Data Source={TestStore.Sqlite.NewDatabase()}", target);
        await missing.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*does not exist*");

        var notAVault = TestStore.Sqlite.NewDatabase();
        Sql(notAVault, "CREATE TABLE things (x INTEGER);");
        var act = () => SqliteToPostgreSqlCopy.CopyAsync($"Data Source={notAVault}", target);
        await act.Should().ThrowAsync<VaultConfigurationException>().WithMessage("*not a Databunker.Core SQLite vault*");
    }
}
