using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core.Internal.Crypto;
using Databunker.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Internal.Vault;

/// <summary>
/// The vault: encrypts each profile under the person's own data key, indexes it by keyed hashes, and
/// audits every call. Storage sees only ciphertexts, wrapped keys and hashes.
/// </summary>
internal sealed partial class PersonalDataVault : IPersonalDataVault
{
    /// <summary>The key id written into envelopes sealed with a person's data key.</summary>
    internal const uint DataKeyId = 1;

    /// <summary>
    /// The key id of audit details sealed with the person's data key and bound to their event (owner,
    /// operation and time); details with <see cref="DataKeyId"/> predate that and are bound to the owner only.
    /// </summary>
    internal const uint DetailsKeyId = 2;

    /// <summary>
    /// How often an update re-reads and re-applies its patch after another writer changed the person first.
    /// Every lost attempt is another writer's success, so this bounds only the number of writers patching
    /// one person at the same moment; on a server database those are as many as the instances' threads.
    /// </summary>
    private const int MaxUpdateAttempts = 64;

    private readonly IVaultStorage _storage;
    private readonly VaultKeyRing _keys;
    private readonly DatabunkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PersonalDataVault> _logger;

    public PersonalDataVault(IVaultStorage storage, VaultKeyRing keys, IOptions<DatabunkerOptions> options, TimeProvider time, ILogger<PersonalDataVault>? logger = null)
    {
        _storage = storage;
        _keys = keys;
        _options = options.Value;
        _time = time;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<PersonalDataVault>.Instance;
    }

    /// <summary>Finds the token of the person a lookup names, without decrypting anything; null when none.</summary>
    /// <remarks>
    /// By an index, the person's profile is opened and its index fields hashed again: an index row that was
    /// re-pointed at another person in the database is detected instead of acting on the wrong person.
    /// </remarks>
    internal async Task<Guid?> FindTokenAsync(UserLookup lookup, SystemKeys keys, CancellationToken cancellationToken)
    {
        var (user, hash) = await FindUserAsync(lookup, keys, cancellationToken).ConfigureAwait(false);
        if (user is null || hash is null)
        {
            return user?.Token;
        }

        var dataKey = await _keys.OpenDataKeyAsync(user.Token, user.DataKey, cancellationToken).ConfigureAwait(false);
        try
        {
            VerifyIndex(ProfileCodec.Deserialize(OpenProfile(dataKey, user)), hash, keys);
            return user.Token;
        }
        finally
        {
            Zero(dataKey);
        }
    }

    /// <summary>
    /// Checks that the decrypted profile really holds the value an index lookup hashed to: the index table is
    /// not trusted on its own, since anyone with write access to the database could re-point a hash.
    /// </summary>
    private void VerifyIndex(JsonElement profile, byte[] lookupHash, SystemKeys keys)
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

    /// <summary>Builds an audit record with the current actor and time.</summary>
    internal AuditRecord NewAudit(string operation, Guid? subject, string outcome, byte[]? details = null, long? at = null) =>
        new(0, at ?? Now(), AuditActor.Current ?? _options.DefaultActor, operation, subject, outcome, details);

    /// <summary>A stored person's profile, decrypted with their opened data key.</summary>
    private static byte[] OpenProfile(byte[] dataKey, StoredUser user) =>
        Envelope.Open(dataKey, user.Profile, AssociatedData.For(AssociatedData.Profile, user.Token), "profile");

    internal long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The lookup's hash under the current blind-index key, and under the previous one while a re-key runs.</summary>
    private (byte[] Current, byte[]? Previous) HashLookup(UserLookup lookup, SystemKeys keys)
    {
        var normalized = IndexNormalizer.Normalize(lookup.Kind, lookup.Value!, _options.DefaultPhoneCountryCode, nameof(lookup));
        var name = IndexName(lookup.Kind);
        return (BlindIndex.Compute(keys.BlindIndex, name, normalized),
            keys.PreviousBlindIndex is { } previous ? BlindIndex.Compute(previous, name, normalized) : null);
    }

    /// <summary>
    /// The profile's index entries under the current blind-index key and, while a re-key runs, under the
    /// previous one too: both sets are written, so that uniqueness holds against persons not yet re-keyed.
    /// </summary>
    internal List<IndexEntry> HashIndexes(JsonElement profile, SystemKeys keys, string paramName, bool currentOnly = false)
    {
        var values = ProfileCodec.ReadIndexes(profile, _options.DefaultPhoneCountryCode, paramName);
        var entries = values.ConvertAll(v => new IndexEntry(v.Kind, BlindIndex.Compute(keys.BlindIndex, IndexName(v.Kind), v.Value), keys.BlindIndexVersion));
        if (keys.PreviousBlindIndex is { } previous && !currentOnly)
        {
            entries.AddRange(values.Select(v => new IndexEntry(v.Kind, BlindIndex.Compute(previous, IndexName(v.Kind), v.Value), keys.BlindIndexVersion - 1)));
        }

        return entries;
    }

    private static string IndexName(LookupKind kind) => kind switch
    {
        LookupKind.Login => "login",
        LookupKind.Email => "email",
        LookupKind.Phone => "phone",
        LookupKind.Custom => "custom",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Audit details sealed with the event's operation and time in the associated data, not only its owner.</summary>
    private static byte[] SealDetails(byte[] dataKey, Guid owner, string operation, long at, string name, IEnumerable<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(name);
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Envelope.Seal(dataKey, DetailsKeyId, buffer.WrittenSpan, AssociatedData.ForAuditDetails(owner, operation, at));
    }

    private async Task<T> GuardCryptoAsync<T>(string operation, Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (VaultCryptoException ex)
        {
            Log.CryptoFailure(_logger, operation, ex);
            throw;
        }
    }

    private static void Zero(byte[] key) => CryptographicOperations.ZeroMemory(key);
}
