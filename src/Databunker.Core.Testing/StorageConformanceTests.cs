using System.Security.Cryptography;
using Databunker.Core.Keys;
using Databunker.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Testing;

/// <summary>
/// The base of every conformance fixture: a new, empty storage per test, plugged in the way a host plugs it in
/// (<see cref="UseStorage"/> on the builder <c>AddDatabunker()</c> returns), initialised, and reached through its
/// storage roles only. A provider derives one fixture per role and overrides <see cref="UseStorage"/>.
/// </summary>
public abstract class StorageConformanceTests
{
    private ServiceProvider? _services;

    /// <summary>The audit chain the storage links its events with in these tests.</summary>
    protected ConformanceAuditChain Chain { get; } = new();

    /// <summary>The chain the storage links each person's consent decisions with in these tests.</summary>
    protected ConformanceConsentChain ConsentChain { get; } = new();

    /// <summary>The container of the current test.</summary>
    protected IServiceProvider Services => _services ?? throw new InvalidOperationException("The storage is made in the fixture's SetUp.");

    /// <summary>Plugs a new, empty storage into <paramref name="builder"/>, for example <c>builder.UseSqlite("Data Source=:memory:")</c>.</summary>
    /// <param name="builder">The builder of a fresh container.</param>
    protected abstract void UseStorage(IDatabunkerBuilder builder);

    /// <summary>Makes and initialises the storage.</summary>
    /// <returns>A task.</returns>
    [SetUp]
    public async Task CreateStorage()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IAuditChain>(Chain);
        services.AddSingleton<IConsentChain>(ConsentChain);
        UseStorage(services.AddDatabunker());
        _services = services.BuildServiceProvider();
        await Role<IVaultStore>().InitializeAsync(default);
    }

    /// <summary>Disposes the storage.</summary>
    /// <returns>A task.</returns>
    [TearDown]
    public async Task DisposeStorage()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    /// <summary>The storage's implementation of one role.</summary>
    /// <typeparam name="TRole">The role.</typeparam>
    /// <returns>The role.</returns>
    protected TRole Role<TRole>()
        where TRole : IStorageRole => Services.GetRequiredService<TRole>();

    /// <summary>The kernel role.</summary>
    protected IVaultStore Vault => Role<IVaultStore>();

    /// <summary>The system keys role.</summary>
    protected ISystemKeyStore SystemKeys => Role<ISystemKeyStore>();

    /// <summary>The data keys role.</summary>
    protected IDataKeyStore DataKeys => Role<IDataKeyStore>();

    /// <summary>The audit role.</summary>
    protected IAuditStore AuditTrail => Role<IAuditStore>();

    /// <summary>Every chained event of every stripe (up to 1,000 per stripe), stripe by stripe.</summary>
    /// <returns>The events.</returns>
    protected async Task<IReadOnlyList<ChainedAuditRecord>> ChainedEventsAsync()
    {
        var events = new List<ChainedAuditRecord>();
        foreach (var stripe in (await AuditTrail.GetAuditChainAsync(default).ConfigureAwait(false)).Stripes)
        {
            events.AddRange(await AuditTrail.GetChainedAuditAsync(stripe.Stripe, 0, 1000, default).ConfigureAwait(false));
        }

        return events;
    }

    /// <summary>The persons role.</summary>
    protected IPersonStore Persons => Role<IPersonStore>();

    /// <summary>The tokens role.</summary>
    protected ITokenStore Tokens => Role<ITokenStore>();

    /// <summary>The expirations role.</summary>
    protected IExpirationStore Expirations => Role<IExpirationStore>();

    /// <summary>The app-data role.</summary>
    protected IAppDocumentStore AppDocuments => Role<IAppDocumentStore>();

    /// <summary>The sessions role.</summary>
    protected ISessionStore Sessions => Role<ISessionStore>();

    /// <summary>The shared-records role.</summary>
    protected IShareLinkStore ShareLinks => Role<IShareLinkStore>();

    /// <summary>The privacy catalogue's role.</summary>
    protected IPrivacyCatalogStore PrivacyCatalog => Role<IPrivacyCatalogStore>();

    /// <summary>The consent ledger's role.</summary>
    protected IConsentStore Consents => Role<IConsentStore>();

    /// <summary>The data-subject requests' role.</summary>
    protected IPrivacyRequestStore PrivacyRequests => Role<IPrivacyRequestStore>();

    /// <summary>Forgets a person the way the vault does: one erasure that every role adds to, then the commit.</summary>
    /// <param name="token">The person.</param>
    /// <param name="at">The time of the tombstone.</param>
    /// <param name="condition">A check inside the erasure, or <see langword="null"/>.</param>
    /// <returns>Whether the person was forgotten.</returns>
    protected async Task<bool> ForgetAsync(Guid token, long at, Func<IErasureTransaction, Task<bool>>? condition = null)
    {
        await using var erasure = await Role<IVaultStore>().BeginErasureAsync(default);
        if (condition is not null && !await condition(erasure))
        {
            return false;
        }

        await Role<IPersonStore>().EnlistErasureAsync(erasure, token, default);
        await Role<ITokenStore>().EnlistErasureAsync(erasure, token, default);
        await Role<IExpirationStore>().EnlistErasureAsync(erasure, token, default);
        await Role<IAppDocumentStore>().EnlistErasureAsync(erasure, token, default);
        await Role<ISessionStore>().EnlistErasureAsync(erasure, token, default);
        await Role<IShareLinkStore>().EnlistErasureAsync(erasure, token, default);
        await Role<IConsentStore>().EnlistErasureAsync(erasure, token, keepHistory: false, default);
        await Role<IPrivacyRequestStore>().EnlistErasureAsync(erasure, token, default);
        return await erasure.CommitAsync(token, at, Audit(token), default);
    }

    /// <summary>Random bytes.</summary>
    /// <param name="count">How many.</param>
    /// <returns>The bytes.</returns>
    protected static byte[] Bytes(int count) => RandomNumberGenerator.GetBytes(count);

    /// <summary>An expiration with random link hashes.</summary>
    /// <param name="token">The person.</param>
    /// <param name="dueAt">The due time.</param>
    /// <returns>The expiration.</returns>
    protected static NewExpiration Expiration(Guid token, long dueAt) => new(token, dueAt, Bytes(32), Bytes(32), Bytes(32));

    /// <summary>An index entry with a random hash.</summary>
    /// <param name="kind">The index kind.</param>
    /// <returns>The entry.</returns>
    protected static IndexEntry Kind(LookupKind kind) => new(kind, Bytes(32));

    /// <summary>An audit event of the operation <c>test.op</c>.</summary>
    /// <param name="person">The person, or <see langword="null"/>.</param>
    /// <returns>The event.</returns>
    protected static AuditRecord Audit(Guid? person) => new(0, 1, "tests", "test.op", person, "success", null);

    /// <summary>A person with random ciphertexts and the given index entries.</summary>
    /// <param name="indexes">The index entries.</param>
    /// <returns>The person.</returns>
    protected static NewPerson NewPerson(params IndexEntry[] indexes)
    {
        var token = Guid.NewGuid();
        return new NewPerson(token, Bytes(80), new WrappedKey("1", Bytes(65)), indexes, 1_000, Audit(token));
    }

    /// <summary>A change of a person's profile and indexes.</summary>
    /// <param name="token">The person.</param>
    /// <param name="expectedVersion">The version the change expects.</param>
    /// <param name="indexes">The new index entries.</param>
    /// <returns>The change.</returns>
    protected static PersonChange Change(Guid token, long expectedVersion, params IndexEntry[] indexes) =>
        new(token, expectedVersion, Bytes(90), indexes, 2_000, Audit(token));
}
