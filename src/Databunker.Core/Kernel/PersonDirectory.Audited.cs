using System.Collections.Concurrent;

namespace Databunker.Core.Kernel;

/// <summary>
/// Reads that carry their own audit event (<see cref="IPersonStore.GetPersonAuditedAsync"/>): with
/// <see cref="DatabunkerOptions.ReadAuditWindow"/> 0 a read's event must commit before the read returns, and a server
/// storage sends both in one round trip. The event names its subject, so the person must be known before the read: by
/// token it is; by index, this instance remembers which person a blind-index hash last led to when it created or found
/// them (hashes and tokens only, never a value), and the storage appends only if the hash still leads there. Otherwise
/// the read is made as before, and its event appended after it (two round trips).
/// </summary>
internal sealed partial class PersonDirectory
{
    /// <summary>How many hashes are remembered before the memory starts over.</summary>
    private const int RecentCapacity = 65_536;

    private readonly ConcurrentDictionary<string, Guid> _recent = new(StringComparer.Ordinal);
    private int _remembered;

    /// <summary>Whether reads go this way: their events are audited, and committed before the read returns.</summary>
    public bool AuditsEachRead => _options.AuditReads && _options.ReadAuditWindow == 0;

    /// <summary>
    /// The person a lookup finds, its match, and whether the event that <paramref name="success"/> makes for the person was
    /// appended with the read (when not, the caller appends the event that fits).
    /// </summary>
    public async Task<(StoredPerson? User, IndexMatch? Match, bool Audited)> FindAuditedAsync(
        PersonLookup lookup, SystemKeys keys, Func<Guid, AuditRecord> success, CancellationToken cancellationToken)
    {
        if (lookup.Kind == LookupKind.Token)
        {
            var read = await store.GetPersonAuditedAsync(lookup.Token, null, success(lookup.Token), cancellationToken).ConfigureAwait(false);
            return (read.Value, null, read.Audited);
        }

        var normalized = Normalize(lookup);
        var hash = BlindIndex.Compute(keys.BlindIndex, IndexName(lookup.Kind), normalized);
        var key = Convert.ToBase64String(hash);
        if (_recent.TryGetValue(key, out var owner))
        {
            var read = await store.GetPersonAuditedAsync(owner, hash, success(owner), cancellationToken).ConfigureAwait(false);
            if (read.Value is not null)
            {
                return (read.Value, new IndexMatch(lookup.Kind, normalized), read.Audited);
            }

            // Forgotten, or the value moved to someone else: read as before.
            _recent.TryRemove(key, out _);
        }

        var (user, match) = await FindAsync(lookup, keys, cancellationToken).ConfigureAwait(false);
        return (user, match, false);
    }

    /// <summary>Remembers where the new persons' hashes under the current blind-index key lead: this instance made them.</summary>
    public void RememberCreated(IEnumerable<NewPerson> persons, int keyVersion)
    {
        if (!AuditsEachRead)
        {
            return;
        }

        foreach (var person in persons)
        {
            foreach (var index in person.Indexes.Where(i => i.KeyVersion == keyVersion))
            {
                Remember(index.Hash, person.Token);
            }
        }
    }

    /// <summary>Remembers where a hash under the current blind-index key led, for the next read's one round trip.</summary>
    private void Remember(byte[] hash, Guid owner)
    {
        if (!AuditsEachRead)
        {
            return;
        }

        if (Interlocked.Increment(ref _remembered) > RecentCapacity)
        {
            _recent.Clear();
            Interlocked.Exchange(ref _remembered, 0);
        }

        _recent[Convert.ToBase64String(hash)] = owner;
    }
}
