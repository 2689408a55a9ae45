using Databunker.Core.Keys;
using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the data keys role (<see cref="IDataKeyStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class DataKeyStoreConformanceTests : StorageConformanceTests
{
    /// <summary>DataKeys: paged and replaced only when unchanged.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DataKeys_PagedAndReplacedOnlyWhenUnchanged()
    {
        var users = Enumerable.Range(0, 5).Select(_ => NewPerson()).ToList();
        await Persons.CreatePersonsAsync(users, default);

        (await DataKeys.CountDataKeysNotUnderAsync("2", default)).Should().Be(5);
        var page = await DataKeys.GetDataKeysNotUnderAsync("2", null, 3, default);
        page.Should().HaveCount(3);
        var rest = await DataKeys.GetDataKeysNotUnderAsync("2", page[^1].Person, 3, default);
        page.Concat(rest).Select(k => k.Person).Should().BeEquivalentTo(users.Select(u => u.Token), "pages in owner order visit every key once");
        var replacements = page.Select(k => new DataKeyReplacement(k.Person, k.Key.Ciphertext, new WrappedKey("2", Bytes(60)))).ToList();
        replacements[0] = replacements[0] with { Previous = Bytes(60) };

        (await DataKeys.ReplaceDataKeysAsync(replacements, default)).Should().Be(2);
        (await DataKeys.CountDataKeysNotUnderAsync("2", default)).Should().Be(3);
        (await Persons.GetPersonAsync(page[1].Person, default))!.DataKey.KeyVersion.Should().Be("2");
    }
}
