using System.Text.Json;
using Databunker.Core.AppData;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Import;

/// <summary>
/// Consolidation's move (issue 33): rows of an application's own database become persons, in batches, each exactly once
/// however often the import is run again, with duplicates reported instead of merged, on every provider.
/// </summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class VaultImporterTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task AnImport_MakesOnePersonPerRow_WithItsAppData_AndTheVerifyFindsEachTheSame()
    {
        await using var host = await StartAsync();
        var rows = Rows(25).ToList();

        var results = await ImportAsync(host, rows, batchSize: 10);

        results.Select(r => r.Outcome).Should().AllBeEquivalentTo(ImportOutcome.Created);
        results.Select(r => r.SourceId).Should().Equal(rows.Select(r => r.SourceId), "results come in the order of the rows");
        results.Select(r => r.Token).Should().OnlyHaveUniqueItems();
        Persons(host).Should().Be(25);
        var seventh = await host.Vault.GetPersonAsync(PersonLookup.ByEmail("customer7@shop.example"));
        seventh!.Token.Should().Be(results[7].Token);
        seventh.Profile.GetProperty("name").GetString().Should().Be("Customer 7");
        var appData = host.Services.GetRequiredService<IAppDataManager>();
        (await appData.GetAsync(results[7].Token, "shop"))!.Data.GetProperty("street").GetString().Should().Be("7 High Street");

        var verdicts = await VerifyAsync(host, rows);
        verdicts.Select(v => v.Verdict).Should().AllBeEquivalentTo(ImportVerdict.Same);
        verdicts.Select(v => v.Token).Should().Equal(results.Select(r => r.Token));
        (await Importer(host).GetTokensAsync("customers", [.. rows.Select(r => r.SourceId)])).Should().Equal(results.Select(r => r.Token), "other tables find the rows' persons by them");
    }

    [Test]
    public async Task ARunAgainAfterAStop_SkipsTheRowsItMade_AndMakesTheRest_EachOnce()
    {
        await using var host = await StartAsync();
        var rows = Rows(30).ToList();

        // The first run stops after its second batch (as a Ctrl-C between batches does).
        var first = new List<ImportResult>();
        using (var stop = new CancellationTokenSource())
        {
            var act = () => Importer(host).ImportAsync(rows.ToAsyncEnumerable(), new ImportOptions { Name = "customers", BatchSize = 8 }, async (batch, _) =>
            {
                first.AddRange(batch);
                if (first.Count == 16)
                {
                    await stop.CancelAsync();
                }
            }, stop.Token);
            await act.Should().ThrowAsync<OperationCanceledException>();
        }

        Persons(host).Should().Be(16);

        // A second import of the same rows under the same name, in other batches and another order.
        var again = await ImportAsync(host, Enumerable.Reverse(rows).ToList(), batchSize: 7);

        again.Count(r => r.Outcome == ImportOutcome.AlreadyImported).Should().Be(16);
        again.Count(r => r.Outcome == ImportOutcome.Created).Should().Be(14);
        Persons(host).Should().Be(30, "each row is one person");
        again.Where(r => r.Outcome == ImportOutcome.AlreadyImported).Select(r => r.Token).Should().BeEquivalentTo(first.Select(r => r.Token));
        (await ImportAsync(host, rows)).Select(r => r.Outcome).Should().AllBeEquivalentTo(ImportOutcome.AlreadyImported);

        // Another import's name gives the same rows other tokens.
        var other = await ImportAsync(host, rows.Take(1).Select(r => r with { Profile = Profile(1000) }).ToList(), name: "another");
        other.Single().Token.Should().NotBe(first[0].Token);
    }

    [Test]
    public async Task TwoRowsWithOneEmail_AreReported_NotMerged()
    {
        await using var host = await StartAsync();
        var stored = await host.Vault.CreatePersonAsync(Profile(900));
        var rows = new List<ImportRow>
        {
            Row("a", Profile(1)),
            Row("b", Profile(2)),
            Row("c", Json(new { email = "CUSTOMER1@shop.example", name = "Same email, other case" })),
            Row("d", Profile(900)),
            Row("e", Profile(5)),
            Row("f", Json(new { email = "customer2@shop.example" })),
            Row("a", Profile(7)),
        };

        var results = await ImportAsync(host, rows, batchSize: 4);

        results.Select(r => r.Outcome).Should().Equal(
            ImportOutcome.Created, ImportOutcome.Created, ImportOutcome.Duplicate, ImportOutcome.Duplicate,
            ImportOutcome.Created, ImportOutcome.Duplicate, ImportOutcome.Duplicate);
        results[2].Index.Should().Be("email");
        results[2].HeldBy.Should().Be(results[0].Token, "the first row with the email keeps it, in the same batch");
        results[3].HeldBy.Should().Be(stored, "a stored person keeps theirs");
        results[5].HeldBy.Should().Be(results[1].Token, "found across batches too");
        results[6].Index.Should().Be("id", "an id given again in a later batch is a duplicate too, not a row already imported");
        results[6].HeldBy.Should().Be(results[0].Token);
        Persons(host).Should().Be(4);
        (await host.Vault.GetPersonAsync(PersonLookup.ByEmail("customer1@shop.example")))!.Profile.GetProperty("name").GetString().Should().Be("Customer 1");

        // A source id given twice in one batch is one row too.
        var twice = await ImportAsync(host, [Row("x", Profile(30)), Row("x", Profile(31))], name: "twice");
        twice.Select(r => r.Outcome).Should().Equal(ImportOutcome.Created, ImportOutcome.Duplicate);
        twice[1].Index.Should().Be("id");

        var verdicts = await VerifyAsync(host, rows.Take(6).ToList());
        verdicts.Select(v => v.Verdict).Should().Equal(ImportVerdict.Same, ImportVerdict.Same, ImportVerdict.Missing, ImportVerdict.Missing, ImportVerdict.Same, ImportVerdict.Missing);
    }

    [Test]
    public async Task ADryRun_FindsDuplicatesAcrossBatches_AsTheRunWould()
    {
        await using var host = await StartAsync();
        var rows = new List<ImportRow> { Row("1", Profile(1)), Row("2", Profile(2)), Row("3", Profile(1)), Row("2", Profile(9)) };

        var dry = new List<ImportResult>();
        await Importer(host).ImportAsync(rows.ToAsyncEnumerable(), new ImportOptions { Name = "customers", BatchSize = 1, DryRun = true }, Collect(dry));

        var run = await ImportAsync(host, rows, batchSize: 1);

        dry.Select(r => (r.Outcome, r.Index, r.HeldBy)).Should().Equal(run.Select(r => (r.Outcome, r.Index, r.HeldBy)));
        run.Select(r => r.Outcome).Should().Equal(ImportOutcome.Created, ImportOutcome.Created, ImportOutcome.Duplicate, ImportOutcome.Duplicate);
        run[2].HeldBy.Should().Be(run[0].Token);
    }

    [Test]
    public async Task ARowWhoseAppDataTheVaultWouldRefuse_IsRefusedWhole_BeforeItsPersonIsMade()
    {
        await using var host = await StartAsync();
        var rows = new List<ImportRow>
        {
            Row("1", Profile(1)) with { AppData = new Dictionary<string, JsonElement> { ["blog"] = Json(new { theme = "dark" }) } },
            Row("2", Profile(2)) with { AppData = new Dictionary<string, JsonElement> { ["shop"] = Json(new[] { 1, 2 }) } },
            Row("3", Profile(3)) with { AppData = new Dictionary<string, JsonElement> { ["shop"] = Json(new { street = "3 High Street" }) } },
        };

        var results = await ImportAsync(host, rows);

        results.Select(r => r.Outcome).Should().Equal(ImportOutcome.Refused, ImportOutcome.Refused, ImportOutcome.Created);
        results[0].Reason.Should().Contain("blog").And.Contain("not registered");
        results[1].Reason.Should().Contain("must be a JSON object");
        Persons(host).Should().Be(1, "a refused row makes no person, so a run again after the fix makes it whole");
        (await ImportAsync(host, [rows[0] with { AppData = null }]))[0].Outcome.Should().Be(ImportOutcome.Created);

        // A refused row still takes its id: a second row with it is a duplicate, whichever batch it falls in.
        foreach (var size in new[] { 1, 3 })
        {
            var again = await ImportAsync(host, [rows[1], Row("2", Profile(20 + size)), Row("9", Profile(9 + size))], name: $"again-{size}", batchSize: size);
            again.Select(r => r.Outcome).Should().Equal(ImportOutcome.Refused, ImportOutcome.Duplicate, ImportOutcome.Created);
            again[1].Index.Should().Be("id");
        }
    }

    [Test]
    public async Task ARefusedRow_IsReportedWithoutItsValue_AndTheRestOfItsBatchIsMade()
    {
        await using var host = await StartAsync();
        var rows = new List<ImportRow> { Row("1", Profile(1)), Row("2", Json(new { email = "not-an-address-secret", name = "Refused" })), Row("3", Profile(3)) };

        var results = await ImportAsync(host, rows);

        results.Select(r => r.Outcome).Should().Equal(ImportOutcome.Created, ImportOutcome.Refused, ImportOutcome.Created);
        results[1].Reason.Should().NotBeNullOrEmpty().And.NotContain("secret");
        Persons(host).Should().Be(2);
    }

    [Test]
    public async Task ADryRun_ReportsWhatARunWould_AndWritesNothing()
    {
        await using var host = await StartAsync();
        var stored = await host.Vault.CreatePersonAsync(Profile(2));
        var events = host.Scalar<long>("SELECT COUNT(*) FROM audit_events");
        var rows = new List<ImportRow> { Row("1", Profile(1)), Row("2", Profile(2)), Row("3", Json(new { email = 42 })), Row("4", Profile(1)) };

        var results = new List<ImportResult>();
        var summary = await Importer(host).ImportAsync(rows.ToAsyncEnumerable(), new ImportOptions { Name = "customers", DryRun = true }, Collect(results));
        summary.Should().Be(new ImportSummary(Created: 1, AlreadyImported: 0, Duplicates: 2, Refused: 1));

        results.Select(r => r.Outcome).Should().Equal(ImportOutcome.Created, ImportOutcome.Duplicate, ImportOutcome.Refused, ImportOutcome.Duplicate);
        results[1].HeldBy.Should().Be(stored);
        results[3].HeldBy.Should().Be(results[0].Token);
        Persons(host).Should().Be(1);
        host.Scalar<long>("SELECT COUNT(*) FROM audit_events").Should().Be(events, "a dry run writes nothing, not even an event");

        // The tokens a dry run names are the ones the run makes.
        (await ImportAsync(host, rows.Take(1).ToList()))[0].Token.Should().Be(results[0].Token);
    }

    [Test]
    public async Task AForgottenPerson_IsNotMadeAgainByARunAgain_AndAChangedOneIsNotTheSame()
    {
        await using var host = await StartAsync();
        var rows = Rows(3).ToList();
        var results = await ImportAsync(host, rows);
        (await host.Vault.ForgetPersonAsync(PersonLookup.ByToken(results[0].Token))).Should().BeTrue();
        (await host.Vault.UpdatePersonAsync(PersonLookup.ByToken(results[1].Token), Json(new { name = "Changed since" }))).Should().BeTrue();

        var again = await ImportAsync(host, rows);

        again.Select(r => r.Outcome).Should().AllBeEquivalentTo(ImportOutcome.AlreadyImported);
        Persons(host).Should().Be(2, "the person who asked to be forgotten stays forgotten");
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(results[1].Token)))!.Profile.GetProperty("name").GetString().Should().Be("Changed since");
        (await VerifyAsync(host, rows)).Select(v => v.Verdict).Should().Equal(ImportVerdict.Missing, ImportVerdict.Differs, ImportVerdict.Same);
    }

    [Test]
    public async Task BadOptionsAndRows_AreRefusedWithClearErrors()
    {
        await using var host = await StartAsync();

        await FluentActions.Awaiting(() => ImportAsync(host, Rows(1).ToList(), name: " ")).Should().ThrowAsync<ArgumentException>().WithMessage("*name*");
        await FluentActions.Awaiting(() => ImportAsync(host, Rows(1).ToList(), batchSize: 0)).Should().ThrowAsync<ArgumentException>().WithMessage("*batch size*");
        await FluentActions.Awaiting(() => ImportAsync(host, Rows(1).ToList(), batchSize: 10_001)).Should().ThrowAsync<ArgumentException>().WithMessage("*MaxBatchItems*");
        await FluentActions.Awaiting(() => ImportAsync(host, [Row("", Profile(1))])).Should().ThrowAsync<ArgumentException>().WithMessage("Row 1 *no id*");
        Persons(host).Should().Be(0);
    }

    private static IEnumerable<ImportRow> Rows(int count) =>
        Enumerable.Range(0, count).Select(i => Row(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Profile(i)) with
        {
            AppData = new Dictionary<string, JsonElement> { ["shop"] = Json(new { street = $"{i} High Street" }) },
        });

    private static ImportRow Row(string id, JsonElement profile) => new(id, profile);

    private static JsonElement Profile(int i) => Json(new { email = $"customer{i}@shop.example", name = $"Customer {i}" });

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private static IVaultImporter Importer(VaultHost host) => host.Services.GetRequiredService<IVaultImporter>();

    private static long Persons(VaultHost host) => host.Scalar<long>("SELECT COUNT(*) FROM users");

    private static async Task<List<ImportResult>> ImportAsync(VaultHost host, List<ImportRow> rows, int batchSize = 1000, string name = "customers")
    {
        var results = new List<ImportResult>();
        var summary = await Importer(host).ImportAsync(rows.ToAsyncEnumerable(), new ImportOptions { Name = name, BatchSize = batchSize }, Collect(results));
        summary.Should().Be(
            new ImportSummary(
                results.Count(r => r.Outcome == ImportOutcome.Created), results.Count(r => r.Outcome == ImportOutcome.AlreadyImported),
                results.Count(r => r.Outcome == ImportOutcome.Duplicate), results.Count(r => r.Outcome == ImportOutcome.Refused)),
            "the summary counts what the batches said");
        return results;
    }

    private static async Task<List<ImportVerification>> VerifyAsync(VaultHost host, List<ImportRow> rows)
    {
        var verdicts = new List<ImportVerification>();
        var summary = await Importer(host).VerifyAsync(rows.ToAsyncEnumerable(), new ImportOptions { Name = "customers", BatchSize = 4 }, Collect(verdicts));
        summary.Should().Be(new ImportVerificationSummary(
            verdicts.Count(v => v.Verdict == ImportVerdict.Same), verdicts.Count(v => v.Verdict == ImportVerdict.Differs), verdicts.Count(v => v.Verdict == ImportVerdict.Missing)));
        return verdicts;
    }

    private static Func<IReadOnlyList<T>, CancellationToken, Task> Collect<T>(List<T> into) => (batch, _) =>
    {
        into.AddRange(batch);
        return Task.CompletedTask;
    };

    private Task<VaultHost> StartAsync() => VaultHost.StartAsync(o => o.AppData.Register("shop"), store: _store);
}
