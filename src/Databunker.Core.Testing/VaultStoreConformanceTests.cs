using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>The contract of the kernel role (<see cref="IVaultStore"/>): schema, erasure and compaction. A provider derives a fixture and overrides <see cref="StorageConformanceTests.UseStorage"/>.</summary>
public abstract class VaultStoreConformanceTests : StorageConformanceTests
{
    /// <summary>InitializeAsync: called twice, keeps data and version.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task InitializeAsync_CalledTwice_KeepsDataAndVersion()
    {
        var user = NewPerson(Kind(LookupKind.Email));
        await Persons.CreatePersonsAsync([user], default);
        var version = await Vault.GetSchemaVersionAsync(default);

        await Vault.InitializeAsync(default);

        (await Vault.GetSchemaVersionAsync(default)).Should().Be(version).And.BeGreaterThan(0);
        (await Persons.GetPersonAsync(user.Token, default)).Should().NotBeNull();
    }

    /// <summary>Erasure: deletes everything and leaves a tombstone.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Erasure_DeletesEverythingAndLeavesATombstone()
    {
        var email = Kind(LookupKind.Email);
        var user = NewPerson(email);
        await Persons.CreatePersonsAsync([user], default);
        await Expirations.StartExpirationAsync(Expiration(user.Token, 10), 1, Audit(user.Token), default);

        var before = (await AuditTrail.GetAuditAsync(user.Token, default)).Count;
        (await ForgetAsync(user.Token, 5)).Should().BeTrue();
        (await ForgetAsync(user.Token, 6)).Should().BeFalse();
        var stranger = Guid.NewGuid();
        (await ForgetAsync(stranger, 6)).Should().BeFalse();

        (await AuditTrail.GetAuditAsync(user.Token, default)).Should().HaveCount(before + 1, "a forget that finds nobody writes no event");
        (await AuditTrail.GetAuditAsync(stranger, default)).Should().BeEmpty();
        (await Vault.IsForgottenAsync(stranger, default)).Should().BeFalse("nobody was forgotten");

        (await Persons.GetPersonAsync(user.Token, default)).Should().BeNull();
        (await Persons.FindPersonByIndexAsync(email.Hash, default)).Should().BeNull();
        (await Expirations.GetExpirationAsync(user.Token, default)).Should().BeNull();
        (await DataKeys.CountDataKeysNotUnderAsync("none", default)).Should().Be(0);
        (await Vault.IsForgottenAsync(user.Token, default)).Should().BeTrue();
        (await Vault.IsForgottenAsync(Guid.NewGuid(), default)).Should().BeFalse();
        await Persons.CreatePersonsAsync([NewPerson(new IndexEntry(LookupKind.Email, email.Hash))], default);
    }

    /// <summary>CompactAsync: when idle, finishes.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CompactAsync_WhenIdle_Finishes()
    {
        var user = NewPerson(Kind(LookupKind.Email));
        await Persons.CreatePersonsAsync([user], default);
        await ForgetAsync(user.Token, 2);

        // A storage without compaction (CanCompact false) is never asked to compact.
        if (Vault.CanCompact)
        {
            (await Vault.CompactAsync(default)).Should().BeTrue();
        }

        (await Vault.IsForgottenAsync(user.Token, default)).Should().BeTrue();
    }
}
