using System.Text.Json;

namespace Databunker.Core.Kernel;

/// <summary>
/// The kernel's person index: normalises and blind-index-hashes lookup values, finds a person by token or by
/// index, opens a person's data key and profile, and checks that an index entry belongs to the profile it
/// points at. Every module that finds a person goes through it.
/// </summary>
internal sealed partial class PersonDirectory(IPersonStore store, VaultKeyRing keys, IOptions<DatabunkerOptions> options, ILogger<PersonDirectory>? logger = null)
{
    /// <summary>The envelope key id of a profile.</summary>
    public const uint DataKeyId = 1;

    private readonly DatabunkerOptions _options = options.Value;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The person store, for the profiles module's own reads and writes.</summary>
    public IPersonStore Store => store;

    /// <summary>The stored person a lookup finds, and the index hash it was found by (<see langword="null"/> by token).</summary>
    public async Task<(StoredPerson? User, byte[]? Hash)> FindAsync(UserLookup lookup, SystemKeys keys, CancellationToken cancellationToken)
    {
        if (lookup.Kind == LookupKind.Token)
        {
            return (await store.GetPersonAsync(lookup.Token, cancellationToken).ConfigureAwait(false), null);
        }

        var (current, previous) = HashLookup(lookup, keys);
        var user = await store.GetPersonByIndexAsync(current, cancellationToken).ConfigureAwait(false);
        if (user is null && previous is not null)
        {
            user = await store.GetPersonByIndexAsync(previous, cancellationToken).ConfigureAwait(false);
            return (user, previous);
        }

        return (user, current);
    }

    /// <summary>The token of the person a lookup finds, its index checked against the profile; <see langword="null"/> when none.</summary>
    public async Task<Guid?> FindTokenAsync(UserLookup lookup, SystemKeys keys, CancellationToken cancellationToken)
    {
        var (user, hash) = await FindAsync(lookup, keys, cancellationToken).ConfigureAwait(false);
        if (user is null || hash is null)
        {
            return user?.Token;
        }

        var dataKey = await OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
        try
        {
            VerifyIndex(ProfileCodec.Deserialize(OpenProfile(dataKey, user)), hash, keys);
            return user.Token;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>A person's data key, unwrapped; the caller zeroes it. <see langword="null"/> when there is no such person.</summary>
    public async Task<byte[]?> OpenDataKeyAsync(Guid person, CancellationToken cancellationToken) =>
        await store.GetPersonAsync(person, cancellationToken).ConfigureAwait(false) is { } user
            ? await OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>A stored person's data key, unwrapped; the caller zeroes it.</summary>
    public ValueTask<byte[]> OpenDataKeyAsync(StoredPerson user, CancellationToken cancellationToken) =>
        keys.OpenDataKeyAsync(user.Token, user.DataKey, cancellationToken);

    /// <summary>A stored person's profile JSON, opened under its data key.</summary>
    public static byte[] OpenProfile(byte[] dataKey, StoredPerson user) =>
        Envelope.Open(dataKey, user.Profile, AssociatedData.For(AssociatedData.Profile, user.Token), "profile");

    /// <summary>Throws <see cref="VaultCryptoException"/> unless the profile holds a value whose hash is <paramref name="lookupHash"/>.</summary>
    public void VerifyIndex(JsonElement profile, byte[] lookupHash, SystemKeys keys)
    {
        List<IndexEntry> indexes;
        try
        {
            indexes = HashIndexes(profile, keys, nameof(profile));
        }
        catch (VaultInputException)
        {
            indexes = [];
        }

        if (!indexes.Exists(i => CryptographicOperations.FixedTimeEquals(i.Hash, lookupHash)))
        {
            Log.IntegrityFailure(_logger, "user index");
            throw new VaultCryptoException("A stored user index failed its integrity check: it points at a person whose profile does not hold the value.");
        }
    }

    /// <summary>The index entries of a profile, under the current blind-index key and, during a re-key, the previous one.</summary>
    public List<IndexEntry> HashIndexes(JsonElement profile, SystemKeys keys, string paramName, bool currentOnly = false)
    {
        var values = ProfileCodec.ReadIndexes(profile, _options.DefaultPhoneCountryCode, paramName);
        var entries = values.ConvertAll(v => new IndexEntry(v.Kind, BlindIndex.Compute(keys.BlindIndex, IndexName(v.Kind), v.Value), keys.BlindIndexVersion));
        if (keys.PreviousBlindIndex is { } previous && !currentOnly)
        {
            entries.AddRange(values.Select(v => new IndexEntry(v.Kind, BlindIndex.Compute(previous, IndexName(v.Kind), v.Value), keys.BlindIndexVersion - 1)));
        }

        return entries;
    }

    /// <summary>The name an index kind is hashed under.</summary>
    public static string IndexName(LookupKind kind) => kind switch
    {
        LookupKind.Login => "login",
        LookupKind.Email => "email",
        LookupKind.Phone => "phone",
        LookupKind.Custom => "custom",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The blind index of a lookup's value under the current blind-index key.</summary>
    public byte[] CurrentIndexHash(UserLookup lookup, SystemKeys keys) => HashLookup(lookup, keys).Current;

    private (byte[] Current, byte[]? Previous) HashLookup(UserLookup lookup, SystemKeys keys)
    {
        var normalized = IndexNormalizer.Normalize(lookup.Kind, lookup.Value!, _options.DefaultPhoneCountryCode, nameof(lookup));
        var name = IndexName(lookup.Kind);
        return (BlindIndex.Compute(keys.BlindIndex, name, normalized),
            keys.PreviousBlindIndex is { } previous ? BlindIndex.Compute(previous, name, normalized) : null);
    }
}
