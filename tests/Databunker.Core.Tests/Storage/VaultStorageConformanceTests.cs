using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Storage;

namespace Databunker.Core.Tests.Storage;

/// <summary>
/// The contract every <see cref="IVaultStorage"/> must keep. Each implementation derives one fixture from
/// this class; the tests are the same for all.
/// </summary>
public abstract class VaultStorageConformanceTests
{
    private IVaultStorage _storage = null!;

    protected IVaultStorage Storage => _storage;

    /// <summary>A new, empty storage for one test.</summary>
    protected abstract IVaultStorage CreateStorage();

    [SetUp]
    public async Task CreateAndInitialize()
    {
        _storage = CreateStorage();
        await _storage.InitializeAsync(CancellationToken.None);
    }

    [TearDown]
    public void DisposeStorage() => (_storage as IDisposable)?.Dispose();

    [Test]
    public async Task InitializeAsync_CalledTwice_KeepsDataAndVersion()
    {
        var user = NewUser(Kind(LookupKind.Email));
        await Storage.CreateUsersAsync([user], default);
        var version = await Storage.GetSchemaVersionAsync(default);

        await Storage.InitializeAsync(default);

        (await Storage.GetSchemaVersionAsync(default)).Should().Be(version).And.BeGreaterThan(0);
        (await Storage.GetUserAsync(user.Token, default)).Should().NotBeNull();
    }

    [Test]
    public async Task AddSystemKeyAsync_SecondAdd_ReturnsTheFirst()
    {
        var first = new WrappedKey("1", Bytes(40));
        var second = new WrappedKey("1", Bytes(40));

        var stored1 = await Storage.AddSystemKeyAsync("k", first, 1, default);
        var stored2 = await Storage.AddSystemKeyAsync("k", second, 2, default);

        stored1.Ciphertext.Should().Equal(first.Ciphertext);
        stored2.Ciphertext.Should().Equal(first.Ciphertext);
        (await Storage.GetSystemKeyAsync("other", default)).Should().BeNull();
    }

    [Test]
    public async Task ReplaceSystemKeyAsync_OnlyWhenPreviousMatches()
    {
        var original = await Storage.AddSystemKeyAsync("k", new WrappedKey("1", Bytes(40)), 1, default);
        var replacement = new WrappedKey("2", Bytes(40));

        (await Storage.ReplaceSystemKeyAsync("k", Bytes(40), replacement, default)).Should().BeFalse();
        (await Storage.ReplaceSystemKeyAsync("k", original.Ciphertext, replacement, default)).Should().BeTrue();
        (await Storage.GetSystemKeyAsync("k", default)).Should().BeEquivalentTo(replacement);
    }

    [Test]
    public async Task CreateUsersAsync_ThenRead_ByTokenAndByIndex()
    {
        var email = Kind(LookupKind.Email);
        var user = NewUser(email, Kind(LookupKind.Phone));

        await Storage.CreateUsersAsync([user], default);

        var byToken = await Storage.GetUserAsync(user.Token, default);
        byToken!.Profile.Should().Equal(user.Profile);
        byToken.DataKey.Should().BeEquivalentTo(user.DataKey);
        byToken.Version.Should().Be(1);
        byToken.CreatedAt.Should().Be(user.CreatedAt);
        (await Storage.GetUserByIndexAsync(email.Hash, default))!.Token.Should().Be(user.Token);
        (await Storage.FindTokenByIndexAsync(email.Hash, default)).Should().Be(user.Token);
        (await Storage.FindTokenByIndexAsync(Bytes(32), default)).Should().BeNull();
        (await Storage.GetAuditAsync(user.Token, default)).Should().ContainSingle();
    }

    [Test]
    public async Task CreateUsersAsync_TakenHash_ThrowsNamingTheIndexAndWritesNothing()
    {
        var phone = Kind(LookupKind.Phone);
        await Storage.CreateUsersAsync([NewUser(phone)], default);
        var fresh = NewUser(Kind(LookupKind.Email));
        var clash = NewUser(Kind(LookupKind.Login), new IndexEntry(LookupKind.Phone, phone.Hash));

        var act = () => Storage.CreateUsersAsync([fresh, clash], default);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("phone");
        (await Storage.GetUserAsync(fresh.Token, default)).Should().BeNull();
        (await Storage.GetUserAsync(clash.Token, default)).Should().BeNull();
        (await Storage.GetAuditAsync(fresh.Token, default)).Should().BeEmpty();
    }

    [Test]
    public async Task EmptyBatches_AreNoOps()
    {
        await Storage.CreateUsersAsync([], default);
        await Storage.AppendAuditAsync(Array.Empty<AuditRecord>(), default);
        (await Storage.ReplaceDataKeysAsync([], default)).Should().Be(0);
        (await Storage.GetTokensAsync([], 0, default)).Should().BeEmpty();
        (await Storage.CountDataKeysNotUnderAsync("none", default)).Should().Be(0);
    }

    [Test]
    public async Task UpdateUserAsync_ReplacesIndexesAndChecksVersion()
    {
        var oldEmail = Kind(LookupKind.Email);
        var user = NewUser(oldEmail);
        await Storage.CreateUsersAsync([user], default);
        var newEmail = Kind(LookupKind.Email);

        var stale = await Storage.UpdateUserAsync(Change(user.Token, 7, newEmail), default);
        var afterStale = await Storage.GetAuditAsync(user.Token, default);
        var staleIndex = await Storage.FindTokenByIndexAsync(oldEmail.Hash, default);
        var fresh = await Storage.UpdateUserAsync(Change(user.Token, 1, newEmail), default);
        var again = await Storage.UpdateUserAsync(Change(user.Token, 2, newEmail), default);
        var missing = await Storage.UpdateUserAsync(Change(Guid.NewGuid(), 1), default);

        stale.Should().Be(UpdateOutcome.VersionConflict);
        afterStale.Should().ContainSingle("a stale update writes no audit event");
        staleIndex.Should().Be(user.Token, "a stale update keeps the old indexes");
        fresh.Should().Be(UpdateOutcome.Updated);
        again.Should().Be(UpdateOutcome.Updated, "keeping an index's value is no conflict with oneself");
        missing.Should().Be(UpdateOutcome.NotFound);
        (await Storage.FindTokenByIndexAsync(oldEmail.Hash, default)).Should().BeNull();
        (await Storage.FindTokenByIndexAsync(newEmail.Hash, default)).Should().Be(user.Token);
        (await Storage.GetUserAsync(user.Token, default))!.Version.Should().Be(3);
        (await Storage.GetAuditAsync(user.Token, default)).Should().HaveCount(3);
    }

    [Test]
    public async Task UpdateUserAsync_TakenHash_ThrowsAndKeepsTheOldState()
    {
        var taken = Kind(LookupKind.Custom);
        await Storage.CreateUsersAsync([NewUser(taken)], default);
        var mine = Kind(LookupKind.Custom);
        var user = NewUser(mine);
        await Storage.CreateUsersAsync([user], default);

        var act = () => Storage.UpdateUserAsync(Change(user.Token, 1, new IndexEntry(LookupKind.Custom, taken.Hash)), default);

        (await act.Should().ThrowAsync<DuplicateIndexException>()).Which.IndexName.Should().Be("custom");
        (await Storage.FindTokenByIndexAsync(mine.Hash, default)).Should().Be(user.Token);
        (await Storage.GetUserAsync(user.Token, default))!.Version.Should().Be(1);
    }

    [Test]
    public async Task ForgetUserAsync_DeletesEverythingAndLeavesATombstone()
    {
        var email = Kind(LookupKind.Email);
        var user = NewUser(email);
        await Storage.CreateUsersAsync([user], default);
        await Storage.StartExpirationAsync(Expiration(user.Token, 10), 1, Audit(user.Token), default);

        var before = (await Storage.GetAuditAsync(user.Token, default)).Count;
        (await Storage.ForgetUserAsync(user.Token, 5, Audit(user.Token), default)).Should().BeTrue();
        (await Storage.ForgetUserAsync(user.Token, 6, Audit(user.Token), default)).Should().BeFalse();
        var stranger = Guid.NewGuid();
        (await Storage.ForgetUserAsync(stranger, 6, Audit(stranger), default)).Should().BeFalse();

        (await Storage.GetAuditAsync(user.Token, default)).Should().HaveCount(before + 1, "a forget that finds nobody writes no event");
        (await Storage.GetAuditAsync(stranger, default)).Should().BeEmpty();
        (await Storage.IsForgottenAsync(stranger, default)).Should().BeFalse("nobody was forgotten");

        (await Storage.GetUserAsync(user.Token, default)).Should().BeNull();
        (await Storage.FindTokenByIndexAsync(email.Hash, default)).Should().BeNull();
        (await Storage.GetExpirationAsync(user.Token, default)).Should().BeNull();
        (await Storage.CountDataKeysNotUnderAsync("none", default)).Should().Be(0);
        (await Storage.IsForgottenAsync(user.Token, default)).Should().BeTrue();
        (await Storage.IsForgottenAsync(Guid.NewGuid(), default)).Should().BeFalse();
        await Storage.CreateUsersAsync([NewUser(new IndexEntry(LookupKind.Email, email.Hash))], default);
    }

    [Test]
    public async Task CompactAsync_WhenIdle_Finishes()
    {
        var user = NewUser(Kind(LookupKind.Email));
        await Storage.CreateUsersAsync([user], default);
        await Storage.ForgetUserAsync(user.Token, 2, Audit(user.Token), default);

        (await Storage.CompactAsync(default)).Should().BeTrue();
        (await Storage.IsForgottenAsync(user.Token, default)).Should().BeTrue();
    }

    [Test]
    public async Task Audit_AppendReadAndPurge()
    {
        var subject = Guid.NewGuid();
        await Storage.AppendAuditAsync(new AuditRecord(0, 100, "a", "op.one", subject, "success", Bytes(10)), default);
        await Storage.AppendAuditAsync(new AuditRecord(0, 200, "b", "op.two", subject, "not-found", null), default);
        await Storage.AppendAuditAsync(new AuditRecord(0, 300, "c", "op.three", null, "success", null), default);

        var events = await Storage.GetAuditAsync(subject, default);
        events.Select(e => e.Operation).Should().Equal("op.one", "op.two");
        events[0].Id.Should().BeLessThan(events[1].Id);
        events[0].Details.Should().HaveCount(10);
        events[1].Details.Should().BeNull();

        (await Storage.PurgeAuditAsync(150, default)).Should().Be(1);
        (await Storage.GetAuditAsync(subject, default)).Select(e => e.Operation).Should().Equal("op.two");
    }

    [Test]
    public async Task AuditChain_LinksEveryAppendInOrder_AndPurgeMovesItsStart()
    {
        var start = await Storage.GetAuditChainAsync(default);
        await Storage.AppendAuditAsync(new AuditRecord(0, 100, "a", "op.one", Guid.NewGuid(), "success", Bytes(10)), default);
        await Storage.AppendAuditAsync([new AuditRecord(0, 200, "b", "op.two", null, "success", null), new AuditRecord(0, 300, "c", "op.three", null, "success", null)], default);

        var chain = await Storage.GetAuditChainAsync(default);
        chain.HeadSequence.Should().Be(start.HeadSequence + 3);
        chain.Events.Should().Be(start.Events + 3);
        var events = await Storage.GetChainedAuditAsync(start.HeadSequence, 10, default);
        events.Select(e => e.Sequence).Should().Equal(start.HeadSequence + 1, start.HeadSequence + 2, start.HeadSequence + 3);
        var previous = start.HeadLink;
        foreach (var entry in events)
        {
            entry.Link.Should().Equal(Support.TestAuditChain.Shared.Link(previous, entry.Sequence, entry.Event), "each link follows the one before it");
            previous = entry.Link!;
        }

        chain.HeadLink.Should().Equal(previous);
        (await Storage.GetChainedAuditAsync(start.HeadSequence + 1, 1, default)).Should().ContainSingle().Which.Event.Operation.Should().Be("op.two");

        (await Storage.PurgeAuditAsync(250, default)).Should().Be(2 + (int)start.Events, "the oldest events up to the first one kept");
        var purged = await Storage.GetAuditChainAsync(default);
        purged.FirstSequence.Should().Be(start.HeadSequence + 3);
        purged.FirstPrevious.Should().Equal(events[1].Link);
        purged.HeadSequence.Should().Be(chain.HeadSequence);
    }

    [Test]
    public async Task DataKeys_PagedAndReplacedOnlyWhenUnchanged()
    {
        var users = Enumerable.Range(0, 5).Select(_ => NewUser()).ToList();
        await Storage.CreateUsersAsync(users, default);

        (await Storage.CountDataKeysNotUnderAsync("2", default)).Should().Be(5);
        var page = await Storage.GetDataKeysNotUnderAsync("2", null, 3, default);
        page.Should().HaveCount(3);
        var rest = await Storage.GetDataKeysNotUnderAsync("2", page[^1].Owner, 3, default);
        page.Concat(rest).Select(k => k.Owner).Should().BeEquivalentTo(users.Select(u => u.Token), "pages in owner order visit every key once");
        var replacements = page.Select(k => new DataKeyReplacement(k.Owner, k.Key.Ciphertext, new WrappedKey("2", Bytes(60)))).ToList();
        replacements[0] = replacements[0] with { Previous = Bytes(60) };

        (await Storage.ReplaceDataKeysAsync(replacements, default)).Should().Be(2);
        (await Storage.CountDataKeysNotUnderAsync("2", default)).Should().Be(3);
        (await Storage.GetUserAsync(page[1].Owner, default))!.DataKey.KeyVersion.Should().Be("2");
    }

    [Test]
    public async Task Expirations_StartRetainCancel()
    {
        var user = NewUser();
        await Storage.CreateUsersAsync([user], default);
        var expiration = Expiration(user.Token, 10);

        (await Storage.StartExpirationAsync(Expiration(Guid.NewGuid(), 10), 1, Audit(null), default)).Should().BeFalse();
        (await Storage.StartExpirationAsync(expiration, 1, Audit(user.Token), default)).Should().BeTrue();
        (await Storage.GetExpirationAsync(user.Token, default)).Should().BeEquivalentTo(
            new StoredExpiration(1, 10, expiration.RetainHash, expiration.DeleteHash, expiration.Binding));

        (await Storage.FindExpirationLinkAsync(expiration.RetainHash, Bytes(32), default)).Should().BeEquivalentTo(
            new { Token = user.Token, MatchedDelete = false });
        (await Storage.FindExpirationLinkAsync(Bytes(32), expiration.DeleteHash, default))!.MatchedDelete.Should().BeTrue();
        (await Storage.FindExpirationLinkAsync(expiration.DeleteHash, expiration.RetainHash, default)).Should().BeNull("each hash matches its own column only");
        (await Storage.RetainExpirationAsync(user.Token, expiration.DeleteHash, 2, Audit(user.Token), default)).Should().BeFalse("the delete hash does not retain");
        (await Storage.RetainExpirationAsync(Guid.NewGuid(), expiration.RetainHash, 2, Audit(null), default)).Should().BeFalse("another person's row is not touched");
        (await Storage.RetainExpirationAsync(user.Token, expiration.RetainHash, 2, Audit(user.Token), default)).Should().BeTrue();
        (await Storage.RetainExpirationAsync(user.Token, expiration.RetainHash, 3, Audit(user.Token), default)).Should().BeFalse();
        var retained = await Storage.GetExpirationAsync(user.Token, default);
        retained!.State.Should().Be(2);
        retained.RetainHash.Should().BeNull("using one link ends both");
        retained.DeleteHash.Should().BeNull();
        (await Storage.FindExpirationLinkAsync(expiration.RetainHash, expiration.DeleteHash, default)).Should().BeNull();
        (await Storage.ForgetByExpirationLinkAsync(user.Token, expiration.DeleteHash, 3, Audit(user.Token), default)).Should().BeFalse();
        (await Storage.GetAuditAsync(user.Token, default)).Should().Contain(e => e.Operation == "test.op" && e.Subject == user.Token);

        (await Storage.CancelExpirationAsync(user.Token, Audit(user.Token), default)).Should().BeTrue();
        (await Storage.CancelExpirationAsync(user.Token, Audit(user.Token), default)).Should().BeFalse();
        (await Storage.GetExpirationAsync(user.Token, default)).Should().BeNull();
    }

    [Test]
    public async Task Expirations_ForgetByDeleteHash_IsSingleUse()
    {
        var user = NewUser();
        await Storage.CreateUsersAsync([user], default);
        var expiration = Expiration(user.Token, 10);
        await Storage.StartExpirationAsync(expiration, 1, Audit(user.Token), default);

        (await Storage.ForgetByExpirationLinkAsync(user.Token, expiration.RetainHash, 2, Audit(user.Token), default)).Should().BeFalse("the retain hash does not delete");
        (await Storage.ForgetByExpirationLinkAsync(user.Token, expiration.DeleteHash, 2, Audit(user.Token), default)).Should().BeTrue();
        (await Storage.ForgetByExpirationLinkAsync(user.Token, expiration.DeleteHash, 3, Audit(user.Token), default)).Should().BeFalse();
        (await Storage.GetUserAsync(user.Token, default)).Should().BeNull();
        (await Storage.IsForgottenAsync(user.Token, default)).Should().BeTrue();
    }

    [Test]
    public async Task Expirations_ClaimsAreExclusiveUntilTheyTimeOut()
    {
        var users = Enumerable.Range(0, 4).Select(_ => NewUser()).ToList();
        await Storage.CreateUsersAsync(users, default);
        for (var i = 0; i < users.Count; i++)
        {
            await Storage.StartExpirationAsync(Expiration(users[i].Token, 100 + i), 1, Audit(users[i].Token), default);
        }

        var early = await Storage.ClaimDueExpirationsAsync(99, 10, Bytes(16), 1000, default);
        var first = await Storage.ClaimDueExpirationsAsync(102, 10, Bytes(16), 1000, default);
        var second = await Storage.ClaimDueExpirationsAsync(200, 10, Bytes(16), 1000, default);
        var afterTimeout = await Storage.ClaimDueExpirationsAsync(1000, 10, Bytes(16), 2000, default);

        early.Should().BeEmpty();
        first.Should().BeEquivalentTo(users.Take(3).Select(u => u.Token));
        second.Should().Equal(users[3].Token);
        afterTimeout.Should().HaveCount(4);
    }

    [Test]
    public async Task ForgetClaimedAsync_OnlyForTheHolderOfAWaitingClaim()
    {
        var user = NewUser();
        await Storage.CreateUsersAsync([user], default);
        await Storage.StartExpirationAsync(Expiration(user.Token, 10), 1, Audit(user.Token), default);
        var claim = Bytes(16);
        (await Storage.ClaimDueExpirationsAsync(10, 10, claim, 100, default)).Should().ContainSingle();

        (await Storage.ForgetClaimedAsync(user.Token, Bytes(16), 11, Audit(user.Token), default)).Should().BeFalse();
        (await Storage.ForgetClaimedAsync(user.Token, claim, 11, Audit(user.Token), default)).Should().BeTrue();
        (await Storage.ForgetClaimedAsync(user.Token, claim, 12, Audit(user.Token), default)).Should().BeFalse();
    }

    protected static byte[] Bytes(int count) => RandomNumberGenerator.GetBytes(count);

    protected static NewExpiration Expiration(Guid token, long dueAt) => new(token, dueAt, Bytes(32), Bytes(32), Bytes(32));

    protected static IndexEntry Kind(LookupKind kind) => new(kind, Bytes(32));

    protected static AuditRecord Audit(Guid? subject) => new(0, 1, "tests", "test.op", subject, "success", null);

    protected static NewUser NewUser(params IndexEntry[] indexes)
    {
        var token = Guid.NewGuid();
        return new NewUser(token, Bytes(80), new WrappedKey("1", Bytes(65)), indexes, 1_000, Audit(token));
    }

    private static UserChange Change(Guid token, long expectedVersion, params IndexEntry[] indexes) =>
        new(token, expectedVersion, Bytes(90), indexes, 2_000, Audit(token));
}
