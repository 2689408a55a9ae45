using Databunker.Core.Keys;
using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the system keys role (<see cref="ISystemKeyStore"/>). A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class SystemKeyStoreConformanceTests : StorageConformanceTests
{
    /// <summary>AddSystemKeyAsync: second add, returns the first.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AddSystemKeyAsync_SecondAdd_ReturnsTheFirst()
    {
        var first = new WrappedKey("1", Bytes(40));
        var second = new WrappedKey("1", Bytes(40));

        var stored1 = await SystemKeys.AddSystemKeyAsync("k", first, 1, default);
        var stored2 = await SystemKeys.AddSystemKeyAsync("k", second, 2, default);

        stored1.Ciphertext.Should().Equal(first.Ciphertext);
        stored2.Ciphertext.Should().Equal(first.Ciphertext);
        (await SystemKeys.GetSystemKeyAsync("other", default)).Should().BeNull();
    }

    /// <summary>ReplaceSystemKeyAsync: only when previous matches.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReplaceSystemKeyAsync_OnlyWhenPreviousMatches()
    {
        var original = await SystemKeys.AddSystemKeyAsync("k", new WrappedKey("1", Bytes(40)), 1, default);
        var replacement = new WrappedKey("2", Bytes(40));

        (await SystemKeys.ReplaceSystemKeyAsync("k", Bytes(40), replacement, default)).Should().BeFalse();
        (await SystemKeys.ReplaceSystemKeyAsync("k", original.Ciphertext, replacement, default)).Should().BeTrue();
        (await SystemKeys.GetSystemKeyAsync("k", default)).Should().BeEquivalentTo(replacement);
    }
}
