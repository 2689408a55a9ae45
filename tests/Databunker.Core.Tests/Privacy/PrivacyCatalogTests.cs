using System.Security.Cryptography;
using System.Text;
using Databunker.Core.Privacy;
using Databunker.Core.Storage;
using Databunker.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Tests.Privacy;

[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class PrivacyCatalogTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    [Test]
    public async Task Publish_PublishesEachTextOnceAndAuditsIt()
    {
        await using var host = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), store: _store);
        var catalog = host.Services.GetRequiredService<IPrivacyCatalog>();

        var first = await catalog.PublishAsync();
        var again = await catalog.PublishAsync();

        first.Should().ContainSingle().Which.Should().Be(new PublishedNotice(
            "newsletter", 1, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SampleCatalog.NewsletterText))), SampleCatalog.NewsletterText, host.Time.GetUtcNow()));
        again.Should().BeEmpty("nothing changed");
        (await Operations(host)).Should().Equal(AuditOperations.CatalogNoticePublish, AuditOperations.CatalogChange);
        catalog.FindActivity("newsletter")!.LegalBasis.Should().Be(LegalBasis.Consent);
        catalog.Activities.Select(a => a.Name).Should().Equal("orders", "newsletter", "fraud-prevention");
    }

    [Test]
    public async Task AChangedText_IsANewVersion_AndEveryVersionStaysReadable()
    {
        var database = _store.NewDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        await using (var before = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), database: database, masterKey: key, store: _store))
        {
            await before.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        }

        await using var after = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy, "We will email you our newsletter every Friday."), database: database, masterKey: key, store: _store);
        var catalog = after.Services.GetRequiredService<IPrivacyCatalog>();

        (await catalog.PublishAsync()).Select(n => n.Version).Should().Equal(2);
        var history = await catalog.GetNoticeHistoryAsync("newsletter");
        history.Select(n => (n.Version, n.Text)).Should().Equal((1, SampleCatalog.NewsletterText), (2, "We will email you our newsletter every Friday."));
        (await catalog.GetNoticeAsync("newsletter"))!.Version.Should().Be(2);
        (await catalog.GetNoticeAsync("newsletter", 1))!.Text.Should().Be(SampleCatalog.NewsletterText, "a published version never changes");
        (await catalog.GetNoticeAsync("unknown")).Should().BeNull();
        (await Operations(after)).Should().Equal(
            AuditOperations.CatalogNoticePublish, AuditOperations.CatalogChange, AuditOperations.CatalogNoticePublish, AuditOperations.CatalogChange);
    }

    [Test]
    public async Task TwoHostsPublishingAtOnce_PublishEachTextOnce()
    {
        var database = _store.NewDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        await using var first = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), database: database, masterKey: key, store: _store);
        await using var second = await VaultHost.StartAsync(o => SampleCatalog.Declare(o.Privacy), database: database, masterKey: key, store: _store);

        var published = await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync()),
            Task.Run(() => second.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync()));

        published.Sum(p => p.Count).Should().Be(1);
        (await first.Services.GetRequiredService<IPrivacyCatalog>().GetNoticeHistoryAsync("newsletter")).Should().ContainSingle();
        (await Operations(first)).Count(o => o == AuditOperations.CatalogChange).Should().Be(1);
    }

    [Test]
    public async Task AMalformedCatalogue_IsRefusedAtStart()
    {
        static void ConsentWithoutNotice(DatabunkerOptions o) =>
            o.Privacy.Activities.Add(new ProcessingActivity { Name = "ads", Purpose = "Advertising", LegalBasis = LegalBasis.Consent });

        var act = () => VaultHost.StartAsync(ConsentWithoutNotice, store: _store);

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("rests on consent");
    }

    private static async Task<List<string>> Operations(VaultHost host) =>
        [.. (await host.ChainedEventsAsync()).Select(e => e.Event.Operation).Where(o => o.StartsWith("catalog.", StringComparison.Ordinal))];
}

/// <summary>The sample catalogue's record of processing activities and retention notice, checked in under docs/privacy/.</summary>
public sealed class PrivacyDocumentsTests
{
    [TestCase("record-of-processing.md")]
    [TestCase("record-of-processing.json")]
    [TestCase("retention-notice.md")]
    [TestCase("minimisation-retention-notice.md")]
    public async Task TheCheckedInDocument_IsWhatTheSampleCatalogueGenerates(string file)
    {
        await using var host = await VaultHost.StartAsync(o =>
        {
            if (file.StartsWith("minimisation", StringComparison.Ordinal))
            {
                Purposes.MinimisationShop.Declare(o.Privacy); // the shop of docs/minimisation.md
            }
            else
            {
                SampleCatalog.Declare(o.Privacy);
            }
        });
        var catalog = host.Services.GetRequiredService<IPrivacyCatalog>();
        var generated = file switch
        {
            "record-of-processing.md" => catalog.GetRecordOfProcessingMarkdown(),
            "record-of-processing.json" => catalog.GetRecordOfProcessingJson(),
            _ => catalog.GetRetentionNoticeMarkdown(),
        };
        var path = Path.Combine(Support.Repository.Root(), "docs", "privacy", file);
        if (Environment.GetEnvironmentVariable("DATABUNKER_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, generated);
        }

        File.Exists(path).Should().BeTrue($"docs/privacy/{file} is checked in");
        (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n").Should().Be(generated,
            $"docs/privacy/{file} must match the sample catalogue; regenerate it with DATABUNKER_UPDATE_DOCS=1 and review the change");
    }
}
