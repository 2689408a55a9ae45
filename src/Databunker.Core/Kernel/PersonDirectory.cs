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

    /// <summary>The stored person a lookup finds, and the normalised value it was found by (<see langword="null"/> by token).</summary>
    public async Task<(StoredPerson? User, IndexMatch? Match)> FindAsync(PersonLookup lookup, SystemKeys keys, CancellationToken cancellationToken)
    {
        if (lookup.Kind == LookupKind.Token)
        {
            return (await store.GetPersonAsync(lookup.Token, cancellationToken).ConfigureAwait(false), null);
        }

        var normalized = Normalize(lookup);
        var name = IndexName(lookup.Kind);
        var match = new IndexMatch(lookup.Kind, normalized);
        var hash = BlindIndex.Compute(keys.BlindIndex, name, normalized);
        var user = await store.GetPersonByIndexAsync(hash, cancellationToken).ConfigureAwait(false);
        if (user is not null)
        {
            Remember(hash, user.Token);
        }
        else if (keys.PreviousBlindIndex is { } previous)
        {
            user = await store.GetPersonByIndexAsync(BlindIndex.Compute(previous, name, normalized), cancellationToken).ConfigureAwait(false);
        }

        return (user, match);
    }

    /// <summary>The token of the person a lookup finds, its index checked against the profile; <see langword="null"/> when none.</summary>
    public async Task<Guid?> FindTokenAsync(PersonLookup lookup, SystemKeys keys, CancellationToken cancellationToken)
    {
        var (user, match) = await FindAsync(lookup, keys, cancellationToken).ConfigureAwait(false);
        if (user is null || match is not { } found)
        {
            return user?.Token;
        }

        var dataKey = await OpenDataKeyAsync(user, cancellationToken).ConfigureAwait(false);
        try
        {
            VerifyIndex(ProfileCodec.Deserialize(OpenProfile(dataKey, user)), found);
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

    /// <summary>
    /// Throws <see cref="VaultCryptoException"/> unless the profile holds the value the person was found by. The
    /// index entry was found by the blind index of that value, so comparing the normalised values checks the same
    /// thing as hashing the profile's values and comparing hashes, without a MAC per index of the profile.
    /// </summary>
    public void VerifyIndex(JsonElement profile, IndexMatch match)
    {
        string? held;
        try
        {
            held = ProfileCodec.ReadIndex(profile, match.Kind, _options.DefaultPhoneCountryCode, nameof(profile));
        }
        catch (VaultInputException)
        {
            held = null;
        }

        if (!string.Equals(held, match.Normalized, StringComparison.Ordinal))
        {
            Log.IntegrityFailure(_logger, "person index");
            throw new VaultCryptoException("A stored person index failed its integrity check: it points at a person whose profile does not hold the value.");
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
    public byte[] CurrentIndexHash(PersonLookup lookup, SystemKeys keys) => BlindIndex.Compute(keys.BlindIndex, IndexName(lookup.Kind), Normalize(lookup));

    private string Normalize(PersonLookup lookup) => IndexNormalizer.Normalize(lookup.Kind, lookup.Value!, _options.DefaultPhoneCountryCode, nameof(lookup));
}

/// <summary>How a person was found by index: the kind and the normalised value looked up.</summary>
internal readonly record struct IndexMatch(LookupKind Kind, string Normalized);
