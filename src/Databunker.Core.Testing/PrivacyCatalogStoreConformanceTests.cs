using System.Security.Cryptography;

namespace Databunker.Core.Testing;

/// <summary>The contract of the privacy catalogue's role (<see cref="IPrivacyCatalogStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class PrivacyCatalogStoreConformanceTests : StorageConformanceTests
{
    private static StoredNotice Notice(string name, int version, string text) => new(name, version, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)), text, 10 * version);

    /// <summary>AddNoticeAsync: versions are kept as written, read by name and version; a taken name and version is refused without an event.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddNotice_KeepsEveryVersionOnceAndRefusesATakenOne()
    {
        (await PrivacyCatalog.AddNoticeAsync(Notice("newsletter", 1, "We mail you news."), Audit(null), default)).Should().BeTrue();
        (await PrivacyCatalog.AddNoticeAsync(Notice("newsletter", 2, "We mail you news weekly."), Audit(null), default)).Should().BeTrue();
        (await PrivacyCatalog.AddNoticeAsync(Notice("analytics", 1, "We count visits."), Audit(null), default)).Should().BeTrue();
        (await PrivacyCatalog.AddNoticeAsync(Notice("newsletter", 2, "Another text."), Audit(null), default)).Should().BeFalse("version 2 is published already");

        var newsletter = await PrivacyCatalog.GetNoticesAsync("newsletter", default);
        newsletter.Select(n => (n.Version, n.Text, n.PublishedAt)).Should().Equal((1, "We mail you news.", 10L), (2, "We mail you news weekly.", 20L));
        newsletter[1].ContentHash.Should().Equal(SHA256.HashData("We mail you news weekly."u8.ToArray()));
        (await PrivacyCatalog.GetNoticesAsync(null, default)).Select(n => (n.Name, n.Version)).Should().Equal(("analytics", 1), ("newsletter", 1), ("newsletter", 2));
        (await PrivacyCatalog.GetNoticesAsync("unknown", default)).Should().BeEmpty();
        (await ChainedEventsAsync()).Should().HaveCount(3, "one event per published version");
    }

    /// <summary>ReplaceCatalogHashAsync: compare and set, with an event only when it sets.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReplaceCatalogHash_ComparesAndSets()
    {
        var first = Bytes(32);
        var second = Bytes(32);

        (await PrivacyCatalog.GetCatalogHashAsync(default)).Should().BeNull();
        (await PrivacyCatalog.ReplaceCatalogHashAsync(null, first, 10, Audit(null), default)).Should().BeTrue();
        (await PrivacyCatalog.ReplaceCatalogHashAsync(null, second, 11, Audit(null), default)).Should().BeFalse("a hash is recorded already");
        (await PrivacyCatalog.ReplaceCatalogHashAsync(second, first, 12, Audit(null), default)).Should().BeFalse("the recorded hash is not the one expected");
        (await PrivacyCatalog.ReplaceCatalogHashAsync(first, second, 13, Audit(null), default)).Should().BeTrue();

        (await PrivacyCatalog.GetCatalogHashAsync(default)).Should().Equal(second);
        (await ChainedEventsAsync()).Should().HaveCount(2);
    }
}
