namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// Opens the vault on first use (schema migrations, system keys) and creates and opens the per-person
/// data keys. System keys are random 256-bit keys, created once, stored wrapped by the key provider;
/// unwrapping them at start is what detects a wrong master key. Two of them have versions, so that they
/// can be renewed: the blind-index key (<c>blind-index</c>, then <c>blind-index@2</c>, ...) and the token
/// sealing key (<c>token-seal@1</c>, ...); the highest version is current.
/// </summary>
internal sealed partial class VaultKeyRing : IDisposable
{
    public const string BlindIndexKeyName = "blind-index";
    public const string TokenizationKeyName = "tokenization";
    public const string IntegrityKeyName = "integrity";
    public const string AuditChainKeyName = "audit-chain";
    public const string TokenSealKeyName = "token-seal";

    private readonly ISystemKeyStore _storage;
    private readonly IPersonStore _persons;
    private readonly IKeyProvider _provider;
    private readonly AuditChain _auditChain;
    private readonly ISystemKeyUser[] _keyUsers;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SecretLifetime _lifetime;
    private readonly System.Collections.Concurrent.ConcurrentBag<byte[]> _secrets = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte[]> _sealKeys = new();
    private volatile SystemKeys? _keys;

    public VaultKeyRing(ISystemKeyStore storage, IPersonStore persons, IKeyProvider provider, AuditChain auditChain, IEnumerable<ISystemKeyUser> keyUsers, TimeProvider time)
    {
        _keyUsers = [.. keyUsers];
        _storage = storage;
        _persons = persons;
        _provider = provider;
        _auditChain = auditChain;
        _time = time;
        _lifetime = new SecretLifetime(() => _secrets);
    }

    public IKeyProvider Provider => _provider;

    /// <summary>The name a versioned system key is stored under: version 1 of the blind-index key keeps its first name.</summary>
    public static string VersionedName(string family, int version) =>
        family == BlindIndexKeyName && version == 1 ? family : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{family}@{version}");

    /// <summary>The version a stored system key name carries in <paramref name="family"/>, or 0 when it is of another family.</summary>
    public static int VersionOf(string family, string name) =>
        name == family && family == BlindIndexKeyName ? 1
        : name.StartsWith(family + "@", StringComparison.Ordinal)
          && int.TryParse(name.AsSpan(family.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v
        : 0;

    /// <summary>
    /// Opens the vault on the first call and holds its system keys for one operation: dispose the lease
    /// when the operation ends. The keys are never zeroed while a lease is held; after
    /// <see cref="Dispose"/> this throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <summary>Throws <see cref="ObjectDisposedException"/> once the container that owns the vault was disposed.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_lifetime.IsDisposed, this);

    /// <summary>Whether the system keys are loaded (<see cref="LoadAsync"/>).</summary>
    public bool IsLoaded => _keys is not null;

    /// <summary>
    /// Holds the system keys for one operation: they are not zeroed before the lease ends. Only after
    /// <see cref="VaultOpener"/> opened the vault; throws <see cref="ObjectDisposedException"/> after dispose.
    /// </summary>
    public KeyLease Lease()
    {
        _lifetime.Enter(this);
        if (_keys is { } keys)
        {
            return new KeyLease(_lifetime, keys);
        }

        _lifetime.Exit();
        throw new InvalidOperationException("The vault is not open yet: VaultOpener opens it.");
    }

    public async ValueTask<byte[]> GetSealKeyAsync(int version, CancellationToken cancellationToken)
    {
        if (_sealKeys.TryGetValue(version, out var key))
        {
            return key;
        }

        var name = VersionedName(TokenSealKeyName, version);
        if (version <= 0 || await _storage.GetSystemKeyAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new VaultCryptoException("A token value names a sealing key version that this vault does not have: it was altered.");
        }

        return _sealKeys.GetOrAdd(version, await LoadOrCreateAsync(name, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Creates the next version of a versioned system key family (or takes the one another instance created
    /// first) and makes it current here. For the blind index the previous version stays in use next to it
    /// until <see cref="EndBlindIndexTransition"/>.
    /// </summary>
    public async Task<int> RenewAsync(string family, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keys = _keys!;
            var names = await _storage.GetSystemKeyNamesAsync(cancellationToken).ConfigureAwait(false);
            var version = names.Select(n => VersionOf(family, n)).DefaultIfEmpty(0).Max() + 1;
            var key = await LoadOrCreateAsync(VersionedName(family, version), cancellationToken).ConfigureAwait(false);
            if (family == TokenSealKeyName)
            {
                _sealKeys[version] = key;
                _keys = keys with { TokenSeal = key, TokenSealVersion = version };
            }
            else
            {
                _keys = keys with { BlindIndex = key, BlindIndexVersion = version, PreviousBlindIndex = keys.BlindIndex };
            }

            return version;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops writing and looking up index hashes under the previous blind-index version: nothing is under it any more.</summary>
    public void EndBlindIndexTransition()
    {
        if (_keys is { PreviousBlindIndex: not null } keys)
        {
            _keys = keys with { PreviousBlindIndex = null };
        }
    }

    /// <summary>Loads (creating on first start) the system keys; called once, by <see cref="VaultOpener"/>.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        _lifetime.Enter(this);
        try
        {
            _keys ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    private async Task<SystemKeys> OpenAsync(CancellationToken cancellationToken)
    {
        var names = await _storage.GetSystemKeyNamesAsync(cancellationToken).ConfigureAwait(false);
        var blindVersion = Math.Max(1, names.Select(n => VersionOf(BlindIndexKeyName, n)).DefaultIfEmpty(0).Max());
        var sealVersion = Math.Max(1, names.Select(n => VersionOf(TokenSealKeyName, n)).DefaultIfEmpty(0).Max());
        var blindIndex = await LoadOrCreateAsync(VersionedName(BlindIndexKeyName, blindVersion), cancellationToken).ConfigureAwait(false);
        var previous = blindVersion > 1 && await _persons.CountIndexesBelowAsync(blindVersion, cancellationToken).ConfigureAwait(false) > 0
            ? await LoadOrCreateAsync(VersionedName(BlindIndexKeyName, blindVersion - 1), cancellationToken).ConfigureAwait(false)
            : null;
        var tokenization = await LoadOrCreateAsync(TokenizationKeyName, cancellationToken).ConfigureAwait(false);
        var integrity = await LoadOrCreateAsync(IntegrityKeyName, cancellationToken).ConfigureAwait(false);
        var auditChain = await LoadOrCreateAsync(AuditChainKeyName, cancellationToken).ConfigureAwait(false);
        var seal = await LoadOrCreateAsync(VersionedName(TokenSealKeyName, sealVersion), cancellationToken).ConfigureAwait(false);
        _sealKeys[sealVersion] = seal;
        _auditChain.UseKey(auditChain);
        var keys = SystemKeys.Create(blindIndex, blindVersion, tokenization, integrity, auditChain, seal, sealVersion) with { PreviousBlindIndex = previous };
        foreach (var derived in keys.Derived)
        {
            _secrets.Add(derived);
        }

        foreach (var user in _keyUsers)
        {
            user.UseKeys(keys);
        }

        return keys;
    }

    /// <summary>A new random data key for <paramref name="owner"/> and its wrapped form.</summary>
    public async ValueTask<(byte[] Key, WrappedKey Wrapped)> NewDataKeyAsync(Guid owner, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(Envelope.KeySize);
        var wrapped = await _provider.WrapKeyAsync(key, AssociatedData.For(AssociatedData.DataKey, owner), cancellationToken).ConfigureAwait(false);
        return (key, wrapped);
    }

    /// <summary>Unwraps <paramref name="owner"/>'s data key; the caller zeroes it.</summary>
    public ValueTask<byte[]> OpenDataKeyAsync(Guid owner, WrappedKey wrapped, CancellationToken cancellationToken) =>
        _provider.UnwrapKeyAsync(wrapped, AssociatedData.For(AssociatedData.DataKey, owner), cancellationToken);

    /// <summary>Refuses new operations at once; the keys are zeroed when the last operation in flight ends.</summary>
    public void Dispose() => _lifetime.Dispose();

    /// <summary>A key version name as read from the database, if it is a plain name (letters, digits, <c>._:/-</c>, at most 64).</summary>
    private static string Printable(string version) =>
        version.Length is > 0 and <= 64 && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '-') ? version : "(not a plain name)";

    private async Task<byte[]> LoadOrCreateAsync(string name, CancellationToken cancellationToken)
    {
        var context = AssociatedData.For(AssociatedData.SystemKey, name);
        var wrapped = await _storage.GetSystemKeyAsync(name, cancellationToken).ConfigureAwait(false);
        if (wrapped is null)
        {
            var fresh = RandomNumberGenerator.GetBytes(Envelope.KeySize);
            var mine = await _provider.WrapKeyAsync(fresh, context, cancellationToken).ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(fresh);
            wrapped = await _storage.AddSystemKeyAsync(name, mine, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var key = await _provider.UnwrapKeyAsync(wrapped, context, cancellationToken).ConfigureAwait(false);
            var pinned = GC.AllocateUninitializedArray<byte>(key.Length, pinned: true);
            key.CopyTo(pinned, 0);
            CryptographicOperations.ZeroMemory(key);
            _secrets.Add(pinned);
            return pinned;
        }
        catch (VaultCryptoException ex)
        {
            // The version name was read from the database: only a plain one is shown, never arbitrary text.
            throw new VaultConfigurationException(
                $"The key provider cannot open this vault's {name} key (wrapped under key version {Printable(wrapped.KeyVersion)}): " +
                "the vault was created with another master key, or that key version is no longer configured.", ex);
        }
    }
}

/// <summary>
/// The vault's unwrapped system keys, and subkeys derived from them (HKDF-SHA256) so that no key serves
/// two purposes: the integrity key yields one subkey for expiration link hashes and one for the MAC that
/// binds an expiration to its person, one each for session id and share link hashes, one for the chain over consent decisions, and one for the tokens an import derives from its rows. The tokenization key serves HMAC only (token and deterministic
/// hashes); token values are sealed (AES-GCM) under the separate, versioned token sealing key.
/// </summary>
internal sealed record SystemKeys
{
    /// <summary>HMAC key of the user indexes (blind indexes), current version.</summary>
    public required byte[] BlindIndex { get; init; }

    /// <summary>The current blind-index version; index rows carry it.</summary>
    public required int BlindIndexVersion { get; init; }

    /// <summary>
    /// The previous blind-index version while rows under it remain (a re-key in progress): writes hash under
    /// both, lookups try both. <see langword="null"/> otherwise.
    /// </summary>
    public byte[]? PreviousBlindIndex { get; init; }

    /// <summary>The tokenization key: HMAC of token hashes and deterministic hashes.</summary>
    public required byte[] Tokenization { get; init; }

    /// <summary>The root of the integrity subkeys.</summary>
    public required byte[] Integrity { get; init; }

    /// <summary>HMAC key of the audit chain.</summary>
    public required byte[] AuditChain { get; init; }

    /// <summary>The current token sealing key (AES-256-GCM).</summary>
    public required byte[] TokenSeal { get; init; }

    /// <summary>Its version.</summary>
    public required int TokenSealVersion { get; init; }

    /// <summary>HMAC key of the expiration link hashes.</summary>
    public required byte[] ExpirationLinks { get; init; }

    /// <summary>HMAC key that binds an expiration's links and due time to its person.</summary>
    public required byte[] ExpirationBinding { get; init; }

    /// <summary>HMAC key of the session id hashes.</summary>
    public required byte[] SessionIds { get; init; }

    /// <summary>HMAC key of the share link token hashes.</summary>
    public required byte[] ShareLinks { get; init; }

    /// <summary>HMAC key of the privacy request verification code hashes.</summary>
    public required byte[] RequestCodes { get; init; }

    /// <summary>AES key of the evidence of decisions recorded before their person registered.</summary>
    public required byte[] PendingConsents { get; init; }

    /// <summary>HMAC key of the chain over each person's consent decisions.</summary>
    public required byte[] ConsentChain { get; init; }

    /// <summary>
    /// HMAC key from which an import derives each source row's token (import name and row id), so that a run that
    /// resumes makes the same tokens and finds the rows it already made. Not rotated: a rotation would change them.
    /// </summary>
    public required byte[] ImportTokens { get; init; }

    /// <summary>The derived subkeys, for zeroing (the stored keys are zeroed by the ring).</summary>
    public IEnumerable<byte[]> Derived => [ExpirationLinks, ExpirationBinding, SessionIds, ShareLinks, RequestCodes, PendingConsents, ConsentChain, ImportTokens];

    public static SystemKeys Create(byte[] blindIndex, int blindIndexVersion, byte[] tokenization, byte[] integrity, byte[] auditChain, byte[] tokenSeal, int tokenSealVersion) => new()
    {
        BlindIndex = blindIndex,
        BlindIndexVersion = blindIndexVersion,
        Tokenization = tokenization,
        Integrity = integrity,
        AuditChain = auditChain,
        TokenSeal = tokenSeal,
        TokenSealVersion = tokenSealVersion,
        ExpirationLinks = Derive(integrity, "databunker expiration link hash"),
        ExpirationBinding = Derive(integrity, "databunker expiration binding"),
        SessionIds = Derive(integrity, "databunker session id hash"),
        ShareLinks = Derive(integrity, "databunker share link hash"),
        RequestCodes = Derive(integrity, "databunker privacy request code hash"),
        PendingConsents = Derive(integrity, "databunker pending consent evidence"),
        ConsentChain = Derive(integrity, "databunker consent ledger chain"),
        ImportTokens = Derive(integrity, "databunker import row token"),
    };

    private static byte[] Derive(byte[] root, string purpose)
    {
        var key = GC.AllocateUninitializedArray<byte>(Envelope.KeySize, pinned: true);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, root, key, [], System.Text.Encoding.ASCII.GetBytes(purpose));
        return key;
    }
}

/// <summary>One operation's hold on the system keys; see <see cref="VaultOpener.EnterAsync"/>.</summary>
internal readonly struct KeyLease : IDisposable
{
    private readonly SecretLifetime _lifetime;

    public KeyLease(SecretLifetime lifetime, SystemKeys keys)
    {
        _lifetime = lifetime;
        Keys = keys;
    }

    public SystemKeys Keys { get; }

    public void Dispose() => _lifetime.Exit();
}
